#!/usr/bin/env bash
# Creates .venv and installs the locked dependencies; a no-op when the lock file has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_install() {
  echo "parta: installing Debian packages: $*" >&2
  if [ ! -f /var/lib/apt/lists/.parta-updated ] && [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
    as_root apt-get update -qq
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
    || { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
}

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    apt_install python3-venv python3-pip
    "$PY" -m venv .venv
  fi
fi

lock_hash=$(sha256sum requirements.lock | cut -c1-16)
if [ ! -f ".venv/.parta-lock-$lock_hash" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes -r requirements.lock 2> >(grep -v "is ignored: it is neither" >&2)
  rm -f .venv/.parta-lock-*
  touch ".venv/.parta-lock-$lock_hash"
fi

# The board's PDF sets its text in DejaVu Sans (Cyrillic; parta/messenger/boards/pdf.py, ADR 0020): Debian's
# fonts-dejavu-core. Without it the PDF still comes out, its text in Helvetica (no Cyrillic), and the log says so.
if [ -z "${PARTA_BOARDS_PDF_FONT:-}" ] && [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  apt_install fonts-dejavu-core || echo "parta: could not install fonts-dejavu-core: board PDFs lose Cyrillic" >&2
fi
