# covers: issue 9 item 3 (splitting messenger_link keeps queued Huey tasks working)
"""Huey finds a queued task by its registered name (module and function): the names must not move."""

from __future__ import annotations

from huey.contrib.djhuey import HUEY

from parta.journal.messenger_link import tasks

NAMES = {
    "parta.journal.messenger_link.tasks.deliver_outbox",
    "parta.journal.messenger_link.tasks.deliver_outbox_loop",
    "parta.journal.messenger_link.tasks.nightly_full_sync",
}


def test_the_outbox_tasks_keep_their_names() -> None:
    wrappers = (tasks.deliver_outbox, tasks.deliver_outbox_loop, tasks.nightly_full_sync)

    assert {HUEY._registry.task_to_string(w.task_class) for w in wrappers} == NAMES
    assert set(HUEY._registry._registry) >= NAMES
