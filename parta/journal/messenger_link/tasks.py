"""Background work of the link with the messenger: delivering the outbox, and a nightly full roster as a safety net.

Delivery runs three ways: woken right after a change commits (`deliver_outbox`), every ~2 seconds by a loop that
the periodic scheduler starts each minute (retries are due at any second), and never twice for one school at once
(roster.delivery.deliver_school's lease).

This module stays at the app's top, not in roster/: Huey's consumer finds tasks by importing each app's `tasks`
module, and a queued task is named by its module and function (`parta.journal.messenger_link.tasks.deliver_outbox`),
so tasks queued before a deploy still run after it.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from parta.journal.messenger_link.roster.delivery import deliver_due
from parta.journal.messenger_link.roster.outbox import enqueue_full_sync_of_all

LOOP_SECONDS = 57  # the scheduler starts the loop every 60 s: one ends about when the next begins


@db_task()
def deliver_outbox() -> None:
    deliver_due()


@db_periodic_task(crontab(minute="*"))
def deliver_outbox_loop() -> None:
    """Looks for due rows every MESSENGER_OUTBOX_POLL_SECONDS for about a minute. Should two loops overlap (a late
    start), the schools' leases keep them from sending anything twice."""
    deadline = time.monotonic() + LOOP_SECONDS
    while True:
        deliver_due()
        close_old_connections()
        if time.monotonic() + settings.MESSENGER_OUTBOX_POLL_SECONDS > deadline:
            return
        time.sleep(settings.MESSENGER_OUTBOX_POLL_SECONDS)


@db_periodic_task(crontab(minute="17", hour="3"))
def nightly_full_sync() -> None:
    """Whatever a lost change may have left out, the messenger's mirror matches the journal again by morning."""
    enqueue_full_sync_of_all()
