"""The outbox: roster batches queued in commit order per school, and the wake-up of the worker that delivers them."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.db import transaction

from parta.journal.messenger_link.models import OutboxItem, OutboxKind, SchoolSync
from parta.journal.messenger_link.roster import batches
from parta.journal.messenger_link.roster.batches import SchoolChanges
from parta.journal.school.models import School

logger = logging.getLogger(__name__)


def kick_delivery() -> None:
    """Wakes the outbox worker after the current transaction commits (the periodic run is the fallback)."""
    if not (settings.MESSENGER_CLIENT_ID and settings.MESSENGER_CLIENT_SECRET):
        return  # not configured: the rows wait until it is

    def enqueue() -> None:
        from parta.journal.messenger_link.tasks import deliver_outbox

        try:
            deliver_outbox()
        except Exception:  # the queue's storage being away must not fail the change; the periodic run follows
            logger.exception("Could not wake the outbox worker")

    transaction.on_commit(enqueue)


def lock_school(school_id: int) -> tuple[School, SchoolSync] | None:
    """The school and its sync row, locked until the transaction ends (outbox rows of a school in commit order)."""
    school = School.objects.filter(pk=school_id).first()
    if school is None:
        return None
    SchoolSync.objects.get_or_create(school=school)
    return school, SchoolSync.objects.select_for_update().get(school=school)


def new_key() -> str:
    return uuid.uuid4().hex


def _add_roster(sync: SchoolSync, school: School, batch_full: bool, payload: dict[str, object]) -> OutboxItem:
    sync.last_sequence = int(payload["sequence"])  # type: ignore[call-overload]
    sync.save(update_fields=["last_sequence"])
    return OutboxItem.objects.create(
        school=school,
        kind=OutboxKind.ROSTER,
        sequence=sync.last_sequence,
        full=batch_full,
        payload=payload,
        idempotency_key=new_key(),
    )


def enqueue_full_sync(*, school_id: int, kick: bool = True) -> OutboxItem | None:
    """Queues the school's whole roster as the next batch (`sync_roster`, after the demo load and an import).

    Locks the school's sync row. Returns None when the school does not exist (any more).
    """
    with transaction.atomic():
        locked = lock_school(school_id)
        if locked is None:
            return None
        school, sync = locked
        batch = batches.full_batch(school, sequence=sync.last_sequence + 1)
        item = _add_roster(sync, school, True, batch.model_dump(mode="json"))
        if kick:
            kick_delivery()
    return item


def enqueue_roster_changes(*, school_id: int, changes: SchoolChanges, kick: bool = True) -> OutboxItem | None:
    """Queues what changed as a small batch — or the whole roster when the school was never sent.

    Locks the school's sync row. None when there is nothing to send or the school is gone.
    """
    with transaction.atomic():
        locked = lock_school(school_id)
        if locked is None:
            return None
        school, sync = locked
        if sync.last_sequence == 0:
            batch = batches.full_batch(school, sequence=1)
        else:
            found = batches.change_batch(school, changes, sequence=sync.last_sequence + 1)
            if found is None:
                return None
            batch = found
        item = _add_roster(sync, school, batch.full, batch.model_dump(mode="json"))
        if kick:
            kick_delivery()
    return item


def enqueue_full_sync_of_all(*, school_ids: list[int] | None = None) -> list[OutboxItem]:
    """A full batch for each of these schools (all schools by default)."""
    ids = school_ids if school_ids is not None else list(School.objects.order_by("pk").values_list("pk", flat=True))
    return [item for school_id in ids if (item := enqueue_full_sync(school_id=school_id)) is not None]
