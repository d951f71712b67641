#!/usr/bin/env bash
# Makes sure what the tests need is here: Chromium for browser tests, PostgreSQL and Redis running.
# Installs Debian packages only when missing (needs root or sudo), starts the services only when down.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }
apt_install() {
  echo "parta: installing Debian packages: $*" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 \
    || { as_root apt-get update -qq >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
}

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v msgfmt >/dev/null || need+=(gettext)
if [ "${PARTA_TEST_DB:-postgres}" = postgres ]; then
  command -v pg_ctlcluster >/dev/null || need+=(postgresql)
fi
command -v redis-server >/dev/null || need+=(redis-server)
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"

if [ "${PARTA_TEST_DB:-postgres}" = postgres ] && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "parta: starting PostgreSQL" >&2
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  echo "parta: starting Redis" >&2
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && break; sleep 0.1; done
fi
