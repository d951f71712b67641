#!/usr/bin/env bash
# Makes sure what the tests need is here: Chromium for the browser tests, msgfmt for the translations check,
# PostgreSQL and Redis answering on 127.0.0.1. Installs Debian packages only when missing (needs root or sudo),
# starts a service only when nothing answers on its port (a CI's service containers are used as they are).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }
apt_install() {
  echo "parta: installing Debian packages: $*" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 \
    || { as_root apt-get update -qq >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
}
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for_port() {  # port, what, seconds
  local tries=$(($3 * 5))
  for _ in $(seq "$tries"); do answers "$1" && return 0; sleep 0.2; done
  echo "parta: $2 did not start on 127.0.0.1:$1 within $3 s" >&2
  return 1
}

postgres=false
[ "${PARTA_TEST_DB:-postgres}" = postgres ] && postgres=true

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)  # the browser tests launch exactly this binary
command -v msgfmt >/dev/null || need+=(gettext)
command -v ip >/dev/null || need+=(iproute2)  # the call tests make a network namespace (tests/e2e_calls)
installed_postgres=false
if $postgres && ! answers 5432 && ! command -v pg_ctlcluster >/dev/null; then
  need+=(postgresql)
  installed_postgres=true
fi
if ! answers 6379 && ! command -v redis-server >/dev/null; then need+=(redis-server); fi
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
scripts/janus-packages.sh  # the Janus WebRTC server for the call tests

if $postgres && ! answers 5432; then
  echo "parta: starting PostgreSQL" >&2
  version=$(ls /etc/postgresql | sort -V | tail -1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true  # "already running" is fine
  wait_for_port 5432 PostgreSQL 30
fi
can_connect() {
  .venv/bin/python -c 'import psycopg; psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=5).close()' \
    >/dev/null 2>&1
}
# test.sh's default database URLs connect as postgres without a password; a configured URL is the caller's business.
if $postgres && [ -z "${JOURNAL_DATABASE_URL:-}" ] && ! can_connect; then
  if $installed_postgres; then
    # A PostgreSQL this script just installed is a throwaway test server: let local connections in as postgres.
    version=$(ls /etc/postgresql | sort -V | tail -1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    as_root sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  else
    echo "parta: cannot connect to PostgreSQL as postgres@127.0.0.1 without a password." >&2
    echo "       Set JOURNAL_DATABASE_URL and MESSENGER_DATABASE_URL (postgres://user:password@host/db)," >&2
    echo "       or run PARTA_TEST_DB=sqlite ./test.sh" >&2
    exit 1
  fi
fi

if ! answers 6379; then
  echo "parta: starting Redis" >&2
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  wait_for_port 6379 Redis 10
fi
