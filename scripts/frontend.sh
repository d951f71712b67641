#!/usr/bin/env bash
# The front end's toolchain: Node and npm (Debian's, when missing), the locked packages (`npm ci`, only when
# package-lock.json changed: a stamp with the lock's hash in node_modules/), then the build (web/ → build/static/,
# scripts/build-web.mjs). `scripts/frontend.sh --no-build` stops after installing. Called by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "parta: installing Debian packages: nodejs npm" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null \
    || { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
fi

lock_hash=$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f "node_modules/.parta-lock-$lock_hash" ]; then
  echo "parta: installing the front end's packages (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error
  touch "node_modules/.parta-lock-$lock_hash"
fi

[ "${1:-}" = --no-build ] || node scripts/build-web.mjs
