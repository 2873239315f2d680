"""LMSTV.class.php against transport faults a real bridge cannot produce: a reply too big for
PHP's memory_limit, HTML from a proxy, and PHP without its curl extension. Each case runs the
client in its own php process under the memory_limit of a web server (128M): a fatal error there
is a blank customer page in LMS, so every case must end as an LMSTVError with a Polish text."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SHIM = Path(__file__).resolve().parent.parent.parent / "php-shim"
CLIENT = f"""<?php
require '{SHIM}/lib/LMSTV.class.php';
$tv = new LMSTV(array('url' => $argv[1], 'secret' => 's', 'timeout' => 30), 'tester');
try {{
    $tv->get('/customers');
    echo "returned\\n";
}} catch (LMSTVError $e) {{
    echo $e->errorCode, "\\n", $e->getMessage(), "\\n";
}}
"""


class _Faulty(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path.startswith("/huge"):
            # ~400 MB of one JSON string, streamed without a length (chunked-like EOF body)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            try:
                self.wfile.write(b'{"data": "')
                block = b"x" * (1 << 20)
                for _ in range(400):
                    self.wfile.write(block)
                self.wfile.write(b'"}')
            except OSError:
                pass  # the client hung up, as it should
            return
        body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def faulty_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Faulty)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_client(tmp_path: Path, url: str, *php_args: str) -> subprocess.CompletedProcess:
    script = tmp_path / "client.php"
    script.write_text(CLIENT)
    return subprocess.run(["php", *php_args, "-d", "memory_limit=128M", "-d", "display_errors=1",
                           str(script), url], capture_output=True, text=True, timeout=60)


def test_a_reply_too_big_for_memory_is_an_error_not_a_fatal(tmp_path, faulty_server) -> None:
    out = run_client(tmp_path, f"{faulty_server}/huge")
    assert out.returncode == 0, out.stdout + out.stderr
    code, message = out.stdout.splitlines()[:2]
    assert code == "bridge_too_large"
    assert "Odpowiedź mostka lmstv jest zbyt duża" in message
    assert "Fatal" not in out.stdout + out.stderr


def test_html_from_a_proxy_is_a_polish_error(tmp_path, faulty_server) -> None:
    out = run_client(tmp_path, f"{faulty_server}/proxy")
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.splitlines()[:2] == [
        "bridge_garbage", "Mostek lmstv zwrócił niepoprawną odpowiedź (HTTP 502)."]


def test_php_without_curl_gets_a_polish_hint_not_a_fatal(tmp_path) -> None:
    # php -n loads no extension from conf.d, so curl (a shared module on Debian) is absent
    probe = subprocess.run(["php", "-n", "-r", "echo function_exists('curl_init') ? 1 : 0;"],
                           capture_output=True, text=True, timeout=30)
    assert probe.stdout == "0", "this check needs curl built as a shared extension"
    out = run_client(tmp_path, "http://127.0.0.1:9", "-n")
    assert out.returncode == 0, out.stdout + out.stderr
    code, message = out.stdout.splitlines()[:2]
    assert code == "config" and "php-curl" in message
