#!/usr/bin/env bash
# Call benchmark (tests/bench/bench_calls.py): Janus's CPU for one teacher publishing camera + screen to 30 students
# (target: at most 100 % of one core), with the first-frame and stream figures. Prints BENCH lines.
# Runs inside a network namespace of its own (tests/e2e_calls/netns.sh), which needs root. Arguments go to the
# benchmark, e.g. scripts/bench-calls.sh --subscribers 30 --seconds 20
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "bench-calls: needs root (it runs Janus and the browser inside a network namespace)" >&2
  exit 2
fi
scripts/bootstrap.sh
scripts/janus-packages.sh
[ -x /usr/bin/chromium ] || { echo "bench-calls: /usr/bin/chromium is missing: run scripts/services.sh" >&2; exit 2; }
ns="parta-bench-$$"
tests/e2e_calls/netns.sh up "$ns"
trap 'tests/e2e_calls/netns.sh down "$ns"' EXIT
ip netns exec "$ns" env PYTHONPATH="$PWD" .venv/bin/python -m tests.bench.bench_calls "$@"
