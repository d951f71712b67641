#!/usr/bin/env bash
# Runs Parta with the embedded defaults: SQLite in ./var, the demo school, the journal on :8000, the messenger on :8001.
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
scripts/frontend.sh  # Node packages (npm ci when the lock changed) and the build: web/ → build/static/
export PARTA_DEBUG=${PARTA_DEBUG:-1}
export PARTA_DATA_DIR=${PARTA_DATA_DIR:-$PWD/var}
export PARTA_JOURNAL_URL=${PARTA_JOURNAL_URL:-http://127.0.0.1:8000}
export PARTA_MESSENGER_URL=${PARTA_MESSENGER_URL:-http://127.0.0.1:8001}
# The built-in journal's credentials in the messenger (fixed development values; set your own outside a trial).
export PARTA_MESSENGER_CLIENT_ID=${PARTA_MESSENGER_CLIENT_ID:-parta-journal}
export PARTA_MESSENGER_CLIENT_SECRET=${PARTA_MESSENGER_CLIENT_SECRET:-parta-journal-development-secret}
export PARTA_MESSENGER_WEBHOOK_SECRET=${PARTA_MESSENGER_WEBHOOK_SECRET:-parta-journal-development-webhook-secret}
mkdir -p "$PARTA_DATA_DIR"
PY=.venv/bin/python

for site in journal messenger; do
  $PY -m parta.$site migrate --no-input -v 0
  $PY -m parta.$site collectstatic --no-input -v 0
done
$PY -m parta.journal load_demo --if-empty
# The journal is a registered client of the messenger's integration API (idempotent: updated on every start), and
# the messenger gets the whole roster once more (the worker below delivers it; then every change follows).
$PY -m parta.messenger register_journal --name "Электронный журнал" --region "Демонстрационный регион" \
  --base-url "$PARTA_JOURNAL_URL" --client-id "$PARTA_MESSENGER_CLIENT_ID" \
  --client-secret "$PARTA_MESSENGER_CLIENT_SECRET" --webhook-secret "$PARTA_MESSENGER_WEBHOOK_SECRET" >/dev/null
$PY -m parta.journal sync_roster >/dev/null
scripts/janus-packages.sh  # calls: the Janus WebRTC server (best effort; without it calls say they are unavailable)

pids=()    # the processes Parta needs: when one of them ends, everything stops
extras=()  # Janus: when it cannot run (say, its port is taken), the rest goes on and calls say they are unavailable
stop() {
  trap - INT TERM EXIT
  kill "${pids[@]}" "${extras[@]}" 2>/dev/null || true
  # The journal's worker finishes a running task first (its outbox loop runs up to a minute); its work is safe to
  # cut short (the outbox resends), so after 5 s whatever is left is killed.
  for _ in $(seq 25); do kill -0 "${pids[@]}" "${extras[@]}" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "${pids[@]}" "${extras[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "parta: stopped"
}
trap stop INT TERM EXIT

$PY -m uvicorn parta.journal.asgi:application --host 127.0.0.1 --port 8000 --log-level warning & pids+=($!)
$PY -m uvicorn parta.messenger.asgi:application --host 127.0.0.1 --port 8001 --log-level warning & pids+=($!)
$PY -m parta.journal run_huey --quiet & pids+=($!)  # the journal's background work, the outbox to the messenger
$PY -m parta.messenger deliver_webhooks --loop & pids+=($!)  # the messenger's webhooks to journals, retried
$PY -m parta.messenger calls_housekeeping --loop & pids+=($!)  # ends calls past their time, notices who left
$PY -m parta.messenger boards_housekeeping --loop & pids+=($!)  # posts an ended call's board PDF, retried
$PY -m parta.messenger run_huey --quiet & pids+=($!)  # the messenger's background work: recordings into videos
if command -v janus >/dev/null; then
  # Janus on 127.0.0.1:8188 with a config written from the messenger's settings ($PARTA_DATA_DIR/janus/).
  $PY -m parta.messenger run_janus & extras+=($!)
else
  echo "parta: Janus is not installed: calls are unavailable (apt-get install janus libjs-janus-gateway libjs-webrtc-adapter)"
fi

echo "parta: journal   $PARTA_JOURNAL_URL   (teacher / student / parent / admin, password: demo)"
echo "parta: messenger $PARTA_MESSENGER_URL"
echo "parta: press Ctrl+C to stop"
wait -n "${pids[@]}"
