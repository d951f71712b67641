#!/usr/bin/env bash
# Messenger real-time benchmarks (tests/bench/messenger, docs/performance.md): one message fanned out to 1,000
# WebSocket clients on one server process and across two processes through Redis, memory per idle connection at
# 1,000 and 5,000 connections, sustained sends persisted and delivered per second. Prints figures (BENCH lines).
# Runs on PostgreSQL at 127.0.0.1:5432 (a database is created and dropped per scenario); PARTA_BENCH_DB=sqlite runs
# on SQLite files instead. Redis db 15 at 127.0.0.1:6379. Arguments go to the runner, e.g.
#   scripts/bench-messenger.sh fanout --rounds 50        scripts/bench-messenger.sh memory --connections 1000
#   scripts/bench-messenger.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
PARTA_TEST_DB=${PARTA_BENCH_DB:-postgres} scripts/services.sh  # Redis (and PostgreSQL) answering on 127.0.0.1
export PARTA_SECRET_KEY=${PARTA_SECRET_KEY:-bench-only-secret-key}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/15}
if [ "${PARTA_BENCH_DB:-postgres}" = postgres ]; then
  export MESSENGER_DATABASE_URL=${MESSENGER_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
else
  unset MESSENGER_DATABASE_URL DATABASE_URL
fi
# `provisioning`: the integration's roster provisioning (tests/bench/messenger/test_provisioning.py, issue 4).
[ "${1:-}" = provisioning ] && exec .venv/bin/pytest tests/bench/messenger/test_provisioning.py --ds=parta.messenger.settings -m bench -s -q
exec .venv/bin/python -m tests.bench.messenger "$@"
