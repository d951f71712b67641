#!/usr/bin/env bash
# Benchmarks: server time (p50/p95) and query counts of the journal's hot pages. Prints figures.
# PARTA_BENCH_DB=postgres runs them on the local PostgreSQL (127.0.0.1:5432) instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export PARTA_SECRET_KEY=${PARTA_SECRET_KEY:-bench-only-secret-key}
export PARTA_DATA_DIR=${PARTA_DATA_DIR:-$PWD/var/bench}
if [ "${PARTA_BENCH_DB:-sqlite}" = postgres ]; then
  export JOURNAL_DATABASE_URL=${JOURNAL_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/parta_bench}
fi
.venv/bin/pytest tests/bench --ds=parta.journal.settings -m bench -s -q "$@" | grep -E "^BENCH|passed|failed|Error"
