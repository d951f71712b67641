#!/usr/bin/env bash
# Runs every quality gate: ruff, mypy, import-linter, the journal's and the messenger's tests, and the browser tests.
# PostgreSQL and Redis by default (started if down); PARTA_TEST_DB=sqlite runs the unit tests on SQLite instead.
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
scripts/services.sh

export PARTA_SECRET_KEY=${PARTA_SECRET_KEY:-test-only-secret-key}
export PARTA_DATA_DIR=${PARTA_DATA_DIR:-$PWD/var/test}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/15}
if [ "${PARTA_TEST_DB:-postgres}" = postgres ]; then
  export JOURNAL_DATABASE_URL=${JOURNAL_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/parta_journal}
  export MESSENGER_DATABASE_URL=${MESSENGER_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/parta_messenger}
fi
mkdir -p "$PARTA_DATA_DIR"
V=.venv/bin
workers=${PARTA_TEST_WORKERS:-2}

echo "== ruff"; $V/ruff check .
echo "== mypy"; $V/mypy parta/common parta/journal && $V/mypy --config-file scripts/mypy-messenger.ini parta/messenger
echo "== import-linter"; $V/lint-imports --no-cache
echo "== translations"; $V/python scripts/check_translations.py
echo "== journal tests"; $V/pytest tests/journal --ds=parta.journal.settings -n "$workers" "$@"
echo "== messenger tests"; $V/pytest tests/messenger --ds=parta.messenger.settings "$@"
echo "== browser tests"; $V/pytest tests/e2e -p no:django "$@"
