#!/usr/bin/env bash
# Runs every quality gate: ruff, mypy, import-linter, the translations check, tsc and eslint on the front end, its
# build, the journal's and the messenger's tests, and the browser tests. PostgreSQL and Redis by default (started if
# down); PARTA_TEST_DB=sqlite runs the tests on SQLite instead. Pytest options go to every pytest run (`./test.sh -k diary`).
# Every stage runs even when an earlier one failed, so one run shows everything to fix; the summary at the end
# says how each stage went and how long it took, and the exit status is 1 if any failed.
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
scripts/frontend.sh --no-build  # Node and the locked packages; the build is a stage below
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

summary=()
failed=0
selecting=$#  # with pytest options (`-k diary`) a suite may select nothing, which pytest reports as 5
stage() {
  local name=$1 started=$SECONDS status=passed rc=0
  shift
  echo "== $name"
  "$@" || rc=$?
  if [ "$rc" = 5 ] && [ "$selecting" -gt 0 ]; then status="none selected"
  elif [ "$rc" != 0 ]; then status=FAILED; failed=1
  fi
  summary+=("$(printf '%-16s %-13s %5ss' "$name" "$status" $((SECONDS - started)))")
}
mypy_both() { $V/mypy parta/common parta/journal && $V/mypy --config-file scripts/mypy-messenger.ini parta/messenger; }

stage "ruff" $V/ruff check .
stage "mypy" mypy_both
stage "import-linter" $V/lint-imports --no-cache
stage "translations" $V/python scripts/check_translations.py
stage "typescript" node_modules/.bin/tsc --noEmit -p tsconfig.json
stage "eslint" node_modules/.bin/eslint --max-warnings 0 .
junit="$PARTA_DATA_DIR/junit"
rm -rf "$junit" && mkdir -p "$junit"
# Every page's modules come from the build (templates read its manifest): the tests below need it. Then the build's
# own tests (hashed names, a changed module renames only its files): no Django.
build() {
  node scripts/build-web.mjs && $V/pytest tests/frontend -p no:django -W "ignore:Unknown config option:pytest.PytestConfigWarning" \
    --junitxml="$junit/frontend.xml" "$@"
}
stage "build" build "$@"
stage "journal tests" $V/pytest tests/journal --ds=parta.journal.settings -n "$workers" --junitxml="$junit/journal.xml" "$@"
stage "messenger tests" $V/pytest tests/messenger --ds=parta.messenger.settings --junitxml="$junit/messenger.xml" "$@"
# The browser tests start both sites in their own processes (tests/e2e/servers.py): no Django in pytest itself.
stage "browser tests" $V/pytest tests/e2e -p no:django -W "ignore:Unknown config option:pytest.PytestConfigWarning" \
  --junitxml="$junit/browser.xml" "$@"
# The call tests (Janus, both sites, Chromium) run inside a network namespace of their own, made and always deleted
# here (tests/e2e_calls/conftest.py says why). That needs root; without it pytest runs outside one, where every call
# test is skipped with the reason (the summary counts them as skipped). CI runs as root.
call_tests() {
  local args=(tests/e2e_calls -p no:django -W "ignore:Unknown config option:pytest.PytestConfigWarning"
    --junitxml="$junit/calls.xml" "$@")
  if [ "$(id -u)" != 0 ]; then
    echo "call tests: skipped, they need root for a network namespace"
    $V/pytest "${args[@]}"
    return
  fi
  local ns="parta-e2e-$$"
  tests/e2e_calls/netns.sh up "$ns" || return 1
  # A stuck browser or Janus must not hang the run: the whole stage gets 30 minutes (it takes about 4).
  ( trap 'tests/e2e_calls/netns.sh down "$ns"' EXIT
    timeout --kill-after=30 1800 ip netns exec "$ns" $V/pytest "${args[@]}" )
}
stage "call tests" call_tests "$@"

echo "== summary"
printf '%s\n' "${summary[@]}"
# One closing line for all suites together.
$V/python scripts/junit_total.py "$junit"/*.xml || failed=1
exit "$failed"
