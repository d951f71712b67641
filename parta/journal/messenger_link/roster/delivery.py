"""Delivering the outbox to the messenger: strictly in order per school, retried with exponential backoff.

A worker takes a school with a lease (SchoolSync.claimed_until), so two workers never send one school's rows at
once, and a crashed worker's lease runs out. It sends the school's pending rows by id; the first that fails is
retried later and holds back the rest. Each row carries its idempotency key, so a row sent twice (the answer was
lost) is applied once. A 409 on a roster batch says which sequence the messenger expects: the batches from there
are sent again, or — when they are no longer all here — one full batch replaces everything pending. A batch the
messenger calls applied long ago (it has later ones: a journal database restored from a backup) means the journal
numbers behind it: a full batch numbered after the messenger's last one follows.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from parta.common.integration.schemas import ChatRef, RosterResult, SequenceConflict, SubjectChatRequest
from parta.journal.messenger_link import client
from parta.journal.messenger_link.client import Config, Refused, Unavailable
from parta.journal.messenger_link.models import OutboxItem, OutboxKind, SchoolSync, SubjectChat, SubjectChatStatus
from parta.journal.messenger_link.roster import batches
from parta.journal.school.models import School

logger = logging.getLogger(__name__)
PENDING = Q(delivered_at=None, failed_at=None)
RETRYABLE_REFUSALS = {401, 403, 408, 425, 429}  # credentials, throttling: the same request may pass later
REBASE_ON = {"unknown_school", "unknown_reference"}  # refusals of a change batch that a full batch answers


@dataclass
class Report:
    delivered: int = 0
    failed: int = 0
    next_due: dt.datetime | None = None


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … seconds after the 1st, 2nd, 3rd … failure, at most the configured maximum, with some jitter."""
    ceiling = settings.MESSENGER_OUTBOX_RETRY_MAX_SECONDS
    seconds = min(2.0 ** max(attempts - 1, 0), ceiling)
    return dt.timedelta(seconds=seconds * random.uniform(1.0, 1.2))  # noqa: S311 - jitter, not security


def deliver_due(*, config: Config | None = None) -> Report:
    """Delivers every school's due rows; the report says what happened and when the next retry is due."""
    config = config or Config.from_settings()
    report = Report()
    if not config.configured:
        return report
    now = timezone.now()
    school_ids = (
        OutboxItem.objects.filter(PENDING, next_attempt_at__lte=now).values_list("school_id", flat=True).distinct()
    )
    for school_id in sorted(set(school_ids)):
        deliver_school(school_id=school_id, config=config, report=report)
    report.next_due = next_due()
    return report


def next_due() -> dt.datetime | None:
    """When the earliest school's first pending row is due (the rows behind it wait for it anyway)."""
    heads = OutboxItem.objects.filter(PENDING).values("school_id").annotate(head=Min("pk")).values("head")
    return OutboxItem.objects.filter(pk__in=heads).aggregate(due=Min("next_attempt_at"))["due"]


def deliver_school(*, school_id: int, config: Config, report: Report | None = None) -> Report:
    """Sends the school's pending rows in order until one fails or none is left. Skips a school claimed elsewhere."""
    report = report or Report()
    lease = _claim(school_id)
    if lease is None:
        return report
    try:
        while lease is not None:
            item = OutboxItem.objects.filter(PENDING, school_id=school_id).order_by("pk").first()
            if item is None or item.next_attempt_at > timezone.now():
                break
            if not _deliver(item, config, report):
                break
            lease = _renew(school_id, lease)
    finally:
        if lease is not None:
            SchoolSync.objects.filter(pk=school_id, claimed_until=lease).update(claimed_until=None)
    return report


def _lease_end() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.MESSENGER_OUTBOX_LEASE_SECONDS)


def _claim(school_id: int) -> dt.datetime | None:
    until = _lease_end()
    free = Q(claimed_until=None) | Q(claimed_until__lt=timezone.now())
    return until if SchoolSync.objects.filter(free, pk=school_id).update(claimed_until=until) else None


def _renew(school_id: int, lease: dt.datetime) -> dt.datetime | None:
    until = _lease_end()
    return until if SchoolSync.objects.filter(pk=school_id, claimed_until=lease).update(claimed_until=until) else None


def _deliver(item: OutboxItem, config: Config, report: Report) -> bool:
    """Sends one row and records the outcome; True when the next row may follow."""
    try:
        answer = _send(item, config)
    except Unavailable as error:
        _retry_later(item, str(error), report)
        return False
    except Refused as error:
        return _refused(item, error, report)
    _delivered(item, answer)
    report.delivered += 1
    _behind(item, answer)
    return True


def _send(item: OutboxItem, config: Config) -> RosterResult | ChatRef:
    if item.kind == OutboxKind.SUBJECT_CHAT:
        request = SubjectChatRequest.model_validate(item.payload)
        return client.create_subject_chat(config, request=request, idempotency_key=item.idempotency_key)
    return client.send_roster(config, batch=item.payload, idempotency_key=item.idempotency_key)


def _delivered(item: OutboxItem, answer: RosterResult | ChatRef) -> None:
    now = timezone.now()
    with transaction.atomic():
        OutboxItem.objects.filter(pk=item.pk).update(delivered_at=now, attempts=item.attempts + 1, last_error="")
        if isinstance(answer, ChatRef) and item.subject_chat_id is not None:
            chat = answer
            SubjectChat.objects.filter(pk=item.subject_chat_id).update(
                status=SubjectChatStatus.READY, chat_id=chat.chat_id, url=chat.url, error=""
            )


def _retry_later(item: OutboxItem, error: str, report: Report) -> None:
    attempts = item.attempts + 1
    OutboxItem.objects.filter(pk=item.pk).update(
        attempts=attempts, next_attempt_at=timezone.now() + backoff(attempts), last_error=error[:2000]
    )
    report.failed += 1
    logger.warning("Outbox item %s (school %s) not delivered, attempt %s: %s", item.pk, item.school_id, attempts, error)


def _refused(item: OutboxItem, error: Refused, report: Report) -> bool:
    if item.kind == OutboxKind.ROSTER and error.status == 409 and error.error.code == "sequence_gap":
        expected = SequenceConflict.model_validate(error.body).expected_sequence if error.body else None
        if expected is not None and resync(item=item, expected=expected):
            return True
    if item.kind == OutboxKind.ROSTER and error.error.code in REBASE_ON and not item.full:
        # The messenger's mirror lacks what a change refers to: the whole roster, in the same place, carries it.
        rebase(school_id=item.school_id, sequence=item.sequence or 1)
        return True
    if item.kind == OutboxKind.SUBJECT_CHAT and error.status not in RETRYABLE_REFUSALS:
        _give_up(item, error)
        report.failed += 1
        return True  # a chat the messenger will never make must not hold back the school's roster
    _retry_later(item, f"{error.status} {error.error.code}: {error.error.message}", report)
    return False


def _give_up(item: OutboxItem, error: Refused) -> None:
    now = timezone.now()
    with transaction.atomic():
        OutboxItem.objects.filter(pk=item.pk).update(
            failed_at=now,
            attempts=item.attempts + 1,
            last_error=f"{error.status} {error.error.code}: {error.error.message}",
        )
        if item.subject_chat_id is not None:
            SubjectChat.objects.filter(pk=item.subject_chat_id).update(
                status=SubjectChatStatus.FAILED, error=error.error.message[:2000]
            )


def resync(*, item: OutboxItem, expected: int) -> bool:
    """Answers a 409: the messenger has applied the school's batches up to `expected - 1` and misses the rest.

    The batches from `expected` on are sent again — from the latest full batch among them, since a full one may
    skip ahead — when they are all still here; otherwise one full batch replaces everything pending. False when
    the conflict makes no sense (it expects the very batch it refused or a later one): that one is retried later.
    """
    sequence = item.sequence or 0
    if expected >= sequence:
        return False
    roster_rows = OutboxItem.objects.filter(school_id=item.school_id, kind=OutboxKind.ROSTER)
    last_full = roster_rows.filter(full=True, sequence__gte=expected, sequence__lt=sequence).aggregate(
        last=Max("sequence")
    )["last"]
    wanted = set(range(last_full or expected, sequence))
    if set(roster_rows.filter(sequence__in=wanted).values_list("sequence", flat=True)) == wanted:
        roster_rows.filter(sequence__in=wanted).update(
            delivered_at=None, failed_at=None, next_attempt_at=timezone.now(), last_error=""
        )
    else:
        rebase(school_id=item.school_id, sequence=expected)
    return True


def _behind(item: OutboxItem, answer: RosterResult | ChatRef) -> bool:
    """The messenger took a roster batch as applied long ago (it has later ones, say the journal's database was
    restored from a backup): the journal's numbering is behind. One full batch after the messenger's fixes both."""
    if not isinstance(answer, RosterResult) or not answer.duplicate:
        return False
    result = answer
    if result.applied_sequence <= (item.sequence or 0):
        return False  # our own batch again (its first answer was lost): all is well
    rebase(school_id=item.school_id, sequence=result.applied_sequence + 1)
    return True


@transaction.atomic
def rebase(*, school_id: int, sequence: int) -> OutboxItem | None:
    """Replaces every pending roster batch of the school with one full batch numbered `sequence`.

    Pending subject chats are queued again after it (same idempotency keys), so they still follow the roster.
    Locks the school's sync row.
    """
    school = School.objects.filter(pk=school_id).first()
    if school is None:
        return None
    sync = SchoolSync.objects.select_for_update().get(school=school)
    pending = OutboxItem.objects.filter(PENDING, school=school)
    chats = list(pending.filter(kind=OutboxKind.SUBJECT_CHAT).order_by("pk"))
    pending.delete()
    sync.last_sequence = sequence
    sync.save(update_fields=["last_sequence"])
    batch = batches.full_batch(school, sequence=sequence)
    full = OutboxItem.objects.create(
        school=school,
        kind=OutboxKind.ROSTER,
        sequence=sequence,
        full=True,
        payload=batch.model_dump(mode="json"),
        idempotency_key=uuid.uuid4().hex,
    )
    for chat in chats:
        chat.pk = None
        chat.save(force_insert=True)
    return full
