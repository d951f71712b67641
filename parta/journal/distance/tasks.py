"""Background work of distance lessons: the catch-up pack of a recorded lesson (catch_up.py).

A queued task is named by its module and function (`parta.journal.distance.tasks.send_catch_up_pack`): keep them.
"""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from parta.journal.distance.catch_up import deliver_catch_up


@db_task()
def send_catch_up_pack(catch_up_id: int) -> None:
    deliver_catch_up(catch_up_id=catch_up_id)
