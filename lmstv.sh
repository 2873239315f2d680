#!/usr/bin/env bash
# lmstv developer entry point.
#   ./lmstv.sh demo [ARGS]   set up and start the demo (bridge + SMS sandbox + embedded LMS DB)
#   ./lmstv.sh test [ARGS]   install what the tests need and run the whole suite (ARGS -> pytest)
#   ./lmstv.sh setup         only create .venv with lmstv and its dependencies
# On a fresh Debian 12 it installs missing system packages with apt-get (as root, or via sudo)
# and reuses PostgreSQL / MariaDB already listening on 127.0.0.1, else installs and starts them.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
VENV=${LMSTV_VENV:-.venv}
APT_UPDATED=0

say() { printf '==> %s\n' "$*" >&2; }

# dpkg/apt lock files (fcntl locks). On a fresh Debian, unattended-upgrades holds them for minutes
# after boot; apt-get would fail at once, so we wait for them, bounded, saying what we wait for.
APT_LOCKS=${LMSTV_APT_LOCKS:-/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock}
APT_LOCK_WAIT=${LMSTV_APT_LOCK_WAIT:-900}

# Prints "FILE (held by PID COMMAND)" and succeeds when one of APT_LOCKS is locked. Reads
# /proc/locks (by inode: on overlay filesystems the device numbers differ) so it needs no root.
apt_lock_holder() {
  local f ino pid
  for f in $APT_LOCKS; do
    [ -e "$f" ] || continue
    ino=$(stat -c %i "$f")
    pid=$(awk -v ino="$ino" '{ for (i = 2; i <= NF; i++) if ($i ~ ":" ino "$") { print $(i - 1); exit } }' /proc/locks 2>/dev/null)
    if [ -n "$pid" ]; then
      echo "$f (held by $pid $(ps -o comm= -p "$pid" 2>/dev/null || true))"
      return 0
    fi
  done
  return 1
}

wait_for_apt_lock() {
  local holder waited=0
  holder=$(apt_lock_holder) || return 0
  say "another package manager is running: waiting up to ${APT_LOCK_WAIT}s for $holder"
  while holder=$(apt_lock_holder); do
    if [ "$waited" -ge "$APT_LOCK_WAIT" ]; then
      echo "lmstv.sh: $holder is still locked after ${waited}s; let it finish (or stop it) and run again" >&2
      return 1
    fi
    sleep 1; waited=$((waited + 1))
  done
  say "the package manager lock is free"
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || { echo "lmstv.sh: need ${missing[*]} but apt-get is not available; install them by hand" >&2; exit 1; }
  wait_for_apt_lock || exit 1
  # Lock::Timeout covers the moment between our check and apt-get taking the lock itself.
  local wait_opt=(-o "DPkg::Lock::Timeout=$APT_LOCK_WAIT")
  if [ "$APT_UPDATED" = 0 ]; then say "apt-get update"; as_root apt-get "${wait_opt[@]}" update -qq; APT_UPDATED=1; fi
  say "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get "${wait_opt[@]}" install -y -qq "${missing[@]}" >/dev/null
}

# The SMS reply decoder's C loop (bridge/sms/_fastrun.c, built by setup.py) needs a C compiler
# and Python's headers; without them pip skips it and the decoder runs its slower Python loop.
ensure_cc() {
  if command -v gcc >/dev/null && python3 -c 'import os, sysconfig, sys
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null; then
    return 0
  fi
  if command -v apt-get >/dev/null; then apt_install gcc python3-dev; return 0; fi
  say "no C compiler or Python headers: the SMS decoder will run its slower Python loop"
}

ensure_python3() {
  if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    apt_install python3 python3-venv python3-pip
  fi
}

ensure_python() {
  ensure_python3
  ensure_cc
  if [ ! -x "$VENV/bin/python" ]; then say "creating $VENV"; python3 -m venv "$VENV"; fi
  local stamp="$VENV/.lmstv-deps"
  # The checkout's path is part of the stamp: the editable install points at one checkout.
  local want; want=$( (pwd; cat setup.cfg pyproject.toml setup.py bridge/sms/_fastrun.c) | sha256sum | cut -c1-16)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing lmstv and its Python dependencies into $VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -e ".[test,demo]" 2>&1 | grep -v "^WARNING: Location" >&2 || true
    "$VENV/bin/python" -c 'import bridge, flask, psycopg2, pymysql, defusedxml, diskcache' \
      || { echo "lmstv.sh: Python dependencies failed to install" >&2; exit 1; }
    echo "$want" > "$stamp"
  fi
}

db_ok() { "$VENV/bin/python" - "$1" <<'PY' >/dev/null 2>&1
import sys
from urllib.parse import urlparse, unquote
u = urlparse(sys.argv[1])
if u.scheme.startswith("postgres"):
    import psycopg2
    psycopg2.connect(host=u.hostname, port=u.port or 5432, user=unquote(u.username or "postgres"),
                     password=unquote(u.password or ""), dbname="postgres", connect_timeout=3).close()
else:
    import pymysql
    pymysql.connect(host=u.hostname, port=u.port or 3306, user=unquote(u.username or "root"),
                    password=unquote(u.password or ""), connect_timeout=3).close()
PY
}

ensure_postgres() {
  local url=${LMSTV_TEST_PG:-postgresql://postgres@127.0.0.1:5432}
  if db_ok "$url"; then export LMSTV_TEST_PG=$url; return; fi
  url=postgresql://lmstv:lmstv@127.0.0.1:5432
  if db_ok "$url"; then export LMSTV_TEST_PG=$url; return; fi
  say "no PostgreSQL on 127.0.0.1:5432; installing and starting one"
  apt_install postgresql
  local ver; ver=$(ls /etc/postgresql | sort -V | tail -1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || as_root pg_ctlcluster "$ver" main start || true
  for _ in $(seq 30); do as_root su postgres -c "psql -qAtc 'select 1'" >/dev/null 2>&1 && break; sleep 1; done
  as_root su postgres -c "psql -qc \"DO \\\$\\\$ BEGIN CREATE ROLE lmstv LOGIN SUPERUSER PASSWORD 'lmstv'; EXCEPTION WHEN duplicate_object THEN NULL; END \\\$\\\$\"" >/dev/null
  db_ok "$url" || { echo "lmstv.sh: PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1; }
  export LMSTV_TEST_PG=$url
}

ensure_mariadb() {
  local url=${LMSTV_TEST_MYSQL:-mysql://root@127.0.0.1:3306}
  if db_ok "$url"; then export LMSTV_TEST_MYSQL=$url; return; fi
  url=mysql://lmstv:lmstv@127.0.0.1:3306
  if db_ok "$url"; then export LMSTV_TEST_MYSQL=$url; return; fi
  say "no MariaDB on 127.0.0.1:3306; installing and starting one"
  apt_install mariadb-server
  as_root service mariadb start >/dev/null 2>&1 || as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
  for _ in $(seq 30); do as_root mariadb -e 'select 1' >/dev/null 2>&1 && break; sleep 1; done
  as_root mariadb -e "CREATE USER IF NOT EXISTS 'lmstv'@'127.0.0.1' IDENTIFIED BY 'lmstv'; GRANT ALL ON *.* TO 'lmstv'@'127.0.0.1' WITH GRANT OPTION;"
  db_ok "$url" || { echo "lmstv.sh: MariaDB did not come up on 127.0.0.1:3306" >&2; exit 1; }
  export LMSTV_TEST_MYSQL=$url
}

# The tests build LMS databases from LMS's own doc/lms.pgsql and doc/lms.mysql (never copied into
# this repository); without them every database test would fail with the same traceback.
# Before the virtualenv is made or updated (bridge.config needs only the standard library): a
# clone with no LMS schema stops here with one line, having installed nothing.
check_lms_schema() {
  python3 - <<'PY' || exit 2
import sys
from bridge.config import ConfigError, find_lms_schema
try:
    for dialect in ("postgres", "mysql"):
        find_lms_schema(dialect)
except ConfigError as exc:
    sys.exit(f"lmstv.sh test: {exc}")
PY
}

ensure_php() {
  apt_install php-cli php-curl php-mbstring php-xml php-pgsql php-mysql phpunit smarty3
  # Current LMS (28-git) for tests/e2e/lms28.py and tests/plugin: the PHP extensions its
  # composer.json requires, and Debian's copies of the libraries Composer would fetch
  # (tests/e2e/compat28/autoload.php loads them from /usr/share/php).
  apt_install php-gd php-intl php-bcmath php-soap php-zip php-gmp smarty4 libphp-phpmailer \
    php-htmlpurifier php-parsedown php-ramsey-uuid php-guzzlehttp-guzzle php-phpseclib3 php-tcpdf
}

ensure_browser() {  # the e2e tests drive a real LMS in headless Chromium
  apt_install chromium chromium-driver
  # npm runs the PHP-version parser; Node.js from another source brings its own npm, and
  # Debian's npm would conflict with it.
  command -v npm >/dev/null || apt_install nodejs npm
}

# LMS 28's JS/CSS (jquery, jquery-ui, datatables, tinymce, font-awesome, …) from the npm
# registry, once per tests/e2e/compat28/package.json into ~/.cache/lmstv/lms28-assets/ (the
# fixture would fetch them too; doing it here makes a registry problem fail before pytest).
ensure_lms28_assets() {
  "$VENV/bin/python" -c 'from tests.e2e.lms28 import npm_assets; npm_assets()' \
    || { echo "lmstv.sh: could not install LMS 28's JS/CSS from the npm registry" >&2; exit 1; }
}

[[ "${BASH_SOURCE[0]}" != "$0" ]] && return 0  # sourced (by the tests): functions only
cmd=${1:-help}; shift || true
case "$cmd" in
  setup)
    ensure_python ;;
  demo)
    ensure_python
    exec "$VENV/bin/lmstv" demo "$@" ;;
  test)
    ensure_python3
    check_lms_schema
    ensure_python
    ensure_php
    ensure_browser
    ensure_lms28_assets
    ensure_postgres
    ensure_mariadb
    say "ruff"
    "$VENV/bin/ruff" check .
    # PHPUnit (tests/php/*Test.php) runs inside pytest, on both engines (tests/php/test_phpunit.py).
    # pytest in one process more than the machine has cores (pytest-xdist): a test spends much
    # of its time waiting for the database servers, PHP, the browser or the sandbox's latency,
    # so on 2 cores two processes left a third of the CPU idle, three kept it busy, four only
    # added start-up work (docs/testing.md). LMSTV_TEST_WORKERS picks another number (0: one
    # process); `-n N` among ARGS wins over it, being the later option.
    workers=${LMSTV_TEST_WORKERS:-$(( $(nproc 2>/dev/null || echo 1) + 1 ))}
    parallel=()
    if [ "$workers" != 0 ]; then
      if "$VENV/bin/python" -c 'import xdist' 2>/dev/null; then
        parallel=(-n "$workers" --dist loadgroup)
      else
        say "pytest-xdist is not installed: running the tests in one process"
      fi
    fi
    # pytest's temporary directories on tmpfs when there is room: every bridge a test starts
    # creates its SQLite cache there, and on the shared machine each such database waited
    # 0.1-0.2 s for the disk (fsync) against 0.002 s on tmpfs (docs/testing.md). A run leaves
    # about 0.4 GB there. LMSTV_TEST_TMPDIR picks the place (empty: leave TMPDIR as it is).
    tmp=${LMSTV_TEST_TMPDIR-/dev/shm}
    if [ -n "$tmp" ] && [ -d "$tmp" ] && [ -w "$tmp" ] \
        && [ "$(df -Pk "$tmp" | awk 'NR == 2 { print $4 }')" -ge 4000000 ]; then
      export TMPDIR=$tmp
      say "temporary files in $TMPDIR"
    fi
    # With PYTHONDONTWRITEBYTECODE set, every Python process of the run compiled its modules
    # from source again: pytest's collection alone took 9.3 s of CPU instead of 3.0 s, in the
    # controller and in each worker, and each of the ~500 `lmstv`, sandbox and bridge processes
    # ~0.04 s more (docs/testing.md). The run keeps the sources' folders free of bytecode as the
    # variable asks, but writes it under the virtualenv (PYTHONPYCACHEPREFIX) and reuses it.
    if [ -n "${PYTHONDONTWRITEBYTECODE:-}" ]; then
      unset PYTHONDONTWRITEBYTECODE
      export PYTHONPYCACHEPREFIX=${PYTHONPYCACHEPREFIX:-$(cd "$VENV" && pwd)/pycache}
      say "PYTHONDONTWRITEBYTECODE set: bytecode kept in $PYTHONPYCACHEPREFIX for this run"
    fi
    say "pytest${parallel[*]:+ ${parallel[*]}}"
    exec "$VENV/bin/pytest" -q "${parallel[@]}" "$@" ;;
  *)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    [ "$cmd" = help ] || exit 2 ;;
esac
