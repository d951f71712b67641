"""The messenger's background work for recordings (Huey; `python -m parta.messenger run_huey`, run.sh).

- `process_recording(recording_id)`: one recording from Janus's files to the video in the chat (processing.py).
  Queued by calls' registry when a stop commits (`enqueue`); one run per recording at a time (a Huey lock; a copy
  that finds it taken does nothing).
- `requeue_stale_recordings`, every minute: a recording in processing whose heartbeat is older than
  RECORDINGS_STALE_SECONDS (its worker was killed, the machine restarted) is queued again — the intermediate files
  already made are reused — and after RECORDINGS_MAX_ATTEMPTS runs it is failed with a message in the chat.
- `delete_expired_recordings`, daily: the organizations' retention (retention.py, `delete_expired(now)`).

This module stays at the app's top: Huey's consumer imports each app's `tasks`, and a queued task is named by its
module and function, so tasks queued before a deploy still run after it.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging

from django.db import close_old_connections
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from parta.messenger.calls.models import Recording
from parta.messenger.recordings import media, messages, processing

log = logging.getLogger(__name__)
RETRY_DELAY = 30  # s before another attempt after an unexpected error


def _lock_name(recording_id: int) -> str:
    return f"recording-{recording_id}"


@db_task()
def process_recording(recording_id: int) -> None:
    try:
        with HUEY.lock_task(_lock_name(recording_id)):
            run(recording_id)
    except TaskLockedException:
        log.info("recording %s is being processed by another worker", recording_id)


def run(recording_id: int) -> None:
    """One attempt (the task's body, also for tests and the benchmark). Never raises for the recording's own
    failures: they end as a FAILED recording with its message; an unexpected error queues another attempt."""
    recording = processing.claim(recording_id)
    if recording is None:
        return
    try:
        processing.process(recording)
    except processing.RecordingFailed as failed:
        processing.fail(recording, failed.code, failed.reason)
    except Exception as error:
        if media.is_disk_full(error):
            processing.fail(recording, "disk_full", processing.disk_full_reason())
            return
        log.exception("recording %s: attempt %s failed", recording_id, recording.attempts)
        close_old_connections()
        if processing.retry_or_fail(recording, error):
            process_recording.schedule((recording_id,), delay=RETRY_DELAY)


def enqueue(recording_id: int) -> None:
    """Calls' hook after a stop commits: the chat gets «Запись обрабатывается…» at once, the job is queued."""
    recording = Recording.objects.select_related("call", "call__created_by").filter(pk=recording_id).first()
    if recording is None:
        return
    try:
        messages.ensure_message(recording)
    finally:
        process_recording(recording_id)


@db_periodic_task(crontab(minute="*"))
def requeue_stale_recordings() -> None:
    for recording_id in processing.stale_recording_ids():
        if processing.mark_requeued(recording_id):
            HUEY.lock_task(_lock_name(recording_id)).clear()  # its holder is dead: a stale heartbeat says so
            log.warning("recording %s: its worker stopped; queued again", recording_id)
            process_recording(recording_id)


@db_periodic_task(crontab(minute="40", hour="3"))
def delete_expired_recordings() -> None:
    """The organizations' retention (retention.py), once a night."""
    name = "parta.messenger.recordings.retention"
    if importlib.util.find_spec(name) is None:
        return
    importlib.import_module(name).delete_expired(now=timezone.now())
