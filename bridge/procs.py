"""Starting and stopping local helper processes (demo, tests): free ports, readiness, shutdown."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_for_port(port: int, timeout: float = 30.0, proc: subprocess.Popen | None = None,
                  what: str | None = None) -> None:
    """Wait until something accepts connections on 127.0.0.1:port; fail early if proc dies."""
    name = what or (f"{proc.args!r}" if proc is not None else "the process")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{name} exited with code {proc.returncode} while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not start listening on 127.0.0.1:{port} within "
                       f"{timeout:.0f} s")


def stop_process(proc: subprocess.Popen | None, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout`` seconds.

    A process started with ``start_new_session=True`` is stopped with its whole process group:
    `php -S` with PHP_CLI_SERVER_WORKERS forks workers that outlive a master killed alone."""
    if proc is None or proc.poll() is not None:
        return
    try:
        group = proc.pid if os.getpgid(proc.pid) == proc.pid else None
    except ProcessLookupError:
        group = None

    def send(sig: int) -> None:
        try:
            if group is not None:
                os.killpg(group, sig)
            else:
                proc.send_signal(sig)
        except ProcessLookupError:
            pass

    send(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        proc.wait()
    if group is not None:
        send(signal.SIGKILL)  # workers that ignored SIGTERM or were forked while it ran
