# covers: C1, C2 (roster and subject chats reach the messenger: in order, once, whatever fails on the way)
"""The outbox against a real HTTP server on 127.0.0.1 that plays the messenger (fake_messenger.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from parta.journal.messenger_link.models import OutboxItem, OutboxKind, SchoolSync, SubjectChat, SubjectChatStatus
from parta.journal.messenger_link.roster import delivery
from parta.journal.messenger_link.roster.delivery import deliver_due
from parta.journal.messenger_link.roster.outbox import enqueue_full_sync
from parta.journal.messenger_link.subject_chats.services import request_subject_chat
from tests.journal.builders import SchoolBuilder, SmallSchool
from tests.journal.messenger_link.fake_messenger import SERVER_TOKEN, FakeMessenger

ROSTER = "/integration/v1/roster"
CHATS = "/integration/v1/subject-chats"


@pytest.fixture
def synced(db: None, django_capture_on_commit_callbacks: Any) -> SmallSchool:
    with django_capture_on_commit_callbacks(execute=True):
        school = SchoolBuilder.small()
    return school


def pending(school: SmallSchool) -> list[OutboxItem]:
    return list(
        OutboxItem.objects.filter(school=school.builder.school, delivered_at=None, failed_at=None).order_by("pk")
    )


def make_due() -> None:
    """Skips the backoff wait: every pending row is due now."""
    OutboxItem.objects.filter(delivered_at=None).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def change(school: SmallSchool, capture: Any, last_name: str) -> None:
    with capture(execute=True):
        school.builder.student(school.cls_5a, last_name, "Пётр")


def test_batches_are_delivered_in_order_with_the_servers_token_and_their_keys(
    synced: SmallSchool, messenger: FakeMessenger, django_capture_on_commit_callbacks: Any
) -> None:
    change(synced, django_capture_on_commit_callbacks, "Второй")
    change(synced, django_capture_on_commit_callbacks, "Третий")

    report = deliver_due()

    assert report.delivered == 3 and report.failed == 0
    assert [b["sequence"] for b in messenger.roster_batches()] == [1, 2, 3]
    assert [b["full"] for b in messenger.roster_batches()] == [True, False, False]
    calls = messenger.calls("POST", ROSTER)
    assert all(c.headers["authorization"] == f"Bearer {SERVER_TOKEN}" for c in calls)
    keys = [item.idempotency_key for item in OutboxItem.objects.order_by("pk")]
    assert [c.headers["idempotency-key"] for c in calls] == keys
    assert len(messenger.calls("POST", "/o/token/")) == 1  # the server token is kept between calls
    assert pending(synced) == []


def test_a_failure_is_retried_with_backoff_and_holds_back_the_rest(
    synced: SmallSchool, messenger: FakeMessenger, django_capture_on_commit_callbacks: Any
) -> None:
    change(synced, django_capture_on_commit_callbacks, "Второй")
    messenger.script("POST", ROSTER, (500, {"detail": "boom"}))

    first = deliver_due()

    assert (first.delivered, first.failed) == (0, 1)
    head = pending(synced)[0]
    assert head.attempts == 1 and "HTTP 500" in head.last_error
    assert timezone.now() < head.next_attempt_at <= timezone.now() + dt.timedelta(seconds=2)
    assert len(messenger.calls("POST", ROSTER)) == 1  # batch 2 waited behind batch 1
    assert deliver_due().delivered == 0  # not due yet: nothing is sent
    assert first.next_due == head.next_attempt_at

    make_due()
    second = deliver_due()

    assert second.delivered == 2
    calls = messenger.calls("POST", ROSTER)
    assert [c.json["sequence"] for c in calls] == [1, 1, 2]
    assert calls[0].headers["idempotency-key"] == calls[1].headers["idempotency-key"]  # a retry is the same request
    assert OutboxItem.objects.get(sequence=1).attempts == 2


def test_backoff_doubles_and_stops_growing(settings: Any) -> None:
    settings.MESSENGER_OUTBOX_RETRY_MAX_SECONDS = 30
    waits = [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5, 6, 9)]
    assert 1 <= waits[0] <= 1.2 and 2 <= waits[1] <= 2.4 and 4 <= waits[2] <= 4.8 and 8 <= waits[3] <= 9.6
    assert 30 <= waits[-1] <= 36


def test_a_messenger_that_is_down_gets_everything_once_when_it_is_back(
    synced: SmallSchool, messenger: FakeMessenger, django_capture_on_commit_callbacks: Any
) -> None:
    """The acceptance case: roster changes and a subject chat queued while the messenger is stopped."""
    messenger.stop()
    change(synced, django_capture_on_commit_callbacks, "Второй")
    chat = request_subject_chat(load=synced.math_7b, include_parents=True, requested_by=synced.teacher.user)

    down = deliver_due()

    assert down.delivered == 0 and down.failed == 1
    assert "ConnectError" in pending(synced)[0].last_error
    assert SubjectChat.objects.get(pk=chat.pk).status == SubjectChatStatus.CREATING

    messenger.start()  # back, on the same address
    make_due()
    up = deliver_due()

    assert up.delivered == 3
    assert [b["sequence"] for b in messenger.roster_batches()] == [1, 2]
    (chat_call,) = messenger.calls("POST", CHATS)
    assert chat_call.json["include_parents"] is True
    assert chat_call.json["class_id"] == str(synced.cls_7b.pk)
    assert chat_call.json["teacher_id"] == str(synced.teacher.user_id)
    chat.refresh_from_db()
    assert (chat.status, chat.chat_id, chat.url) == (SubjectChatStatus.READY, 77, f"{messenger.url}/chats/77/")
    assert deliver_due().delivered == 0  # nothing twice


def test_409_resends_from_the_batch_the_messenger_expects(
    synced: SmallSchool, messenger: FakeMessenger, django_capture_on_commit_callbacks: Any
) -> None:
    """The messenger lost batches 2 and 3 (say, restored from a backup): they are sent again, then batch 4."""
    change(synced, django_capture_on_commit_callbacks, "Второй")
    change(synced, django_capture_on_commit_callbacks, "Третий")
    assert deliver_due().delivered == 3
    messenger.sequences[str(synced.builder.school.pk)] = 1
    messenger.answers.clear()
    change(synced, django_capture_on_commit_callbacks, "Четвёртый")

    report = deliver_due()

    assert report.delivered == 3
    assert [b["sequence"] for b in messenger.roster_batches()] == [1, 2, 3, 4, 2, 3, 4]
    assert messenger.sequences[str(synced.builder.school.pk)] == 4


def test_409_without_the_missing_batches_sends_one_full_batch(
    synced: SmallSchool, messenger: FakeMessenger, django_capture_on_commit_callbacks: Any
) -> None:
    change(synced, django_capture_on_commit_callbacks, "Второй")
    assert deliver_due().delivered == 2
    OutboxItem.objects.filter(sequence__lte=2).delete()  # delivered rows pruned
    messenger.sequences.clear()  # a messenger that starts from nothing…
    messenger.sequences[str(synced.builder.school.pk)] = 0
    change(synced, django_capture_on_commit_callbacks, "Третий")
    change(synced, django_capture_on_commit_callbacks, "Четвёртый")

    deliver_due()

    batches = messenger.roster_batches()[2:]
    assert [(b["sequence"], b["full"]) for b in batches] == [(3, False), (1, True)]
    assert len(batches[-1]["upserts"]["students"]) == 7  # the whole school as it is now
    assert SchoolSync.objects.get(school=synced.builder.school).last_sequence == 1
    assert pending(synced) == []
    change(synced, django_capture_on_commit_callbacks, "Пятый")
    deliver_due()
    assert messenger.roster_batches()[-1]["sequence"] == 2  # numbering goes on from the full batch


def test_a_messenger_ahead_of_the_journal_gets_a_full_batch_after_its_last(
    synced: SmallSchool, messenger: FakeMessenger
) -> None:
    messenger.sequences[str(synced.builder.school.pk)] = 40  # the journal's database was restored from a backup

    deliver_due()

    batches = messenger.roster_batches()
    assert [(b["sequence"], b["full"]) for b in batches] == [(1, True), (41, True)]
    assert SchoolSync.objects.get(school=synced.builder.school).last_sequence == 41


def test_a_refused_subject_chat_is_given_up_and_does_not_block_the_roster(
    synced: SmallSchool, messenger: FakeMessenger, django_capture_on_commit_callbacks: Any
) -> None:
    chat = request_subject_chat(load=synced.math_7b, include_parents=False, requested_by=synced.teacher.user)
    change(synced, django_capture_on_commit_callbacks, "Второй")
    messenger.script(
        "POST", CHATS, (422, {"code": "unknown_reference", "message": "Нет такого класса.", "help_url": None})
    )

    report = deliver_due()

    assert report.delivered == 2 and report.failed == 1
    chat.refresh_from_db()
    assert (chat.status, chat.error) == (SubjectChatStatus.FAILED, "Нет такого класса.")
    assert [b["sequence"] for b in messenger.roster_batches()] == [1, 2]
    # Asked again, it is queued again.
    again = request_subject_chat(load=synced.math_7b, include_parents=False, requested_by=synced.teacher.user)
    assert again.status == SubjectChatStatus.CREATING
    deliver_due()
    again.refresh_from_db()
    assert again.status == SubjectChatStatus.READY


def test_asking_twice_for_a_subject_chat_queues_it_once(synced: SmallSchool, messenger: FakeMessenger) -> None:
    first = request_subject_chat(load=synced.math_7b, include_parents=False, requested_by=synced.teacher.user)
    second = request_subject_chat(load=synced.math_7b, include_parents=True, requested_by=synced.teacher.user)
    assert first.pk == second.pk
    assert OutboxItem.objects.filter(kind=OutboxKind.SUBJECT_CHAT).count() == 1
    assert first.name == "7Б — Математика"


def test_a_school_claimed_by_another_worker_is_left_alone(synced: SmallSchool, messenger: FakeMessenger) -> None:
    SchoolSync.objects.filter(school=synced.builder.school).update(
        claimed_until=timezone.now() + dt.timedelta(seconds=30)
    )
    assert deliver_due().delivered == 0
    assert messenger.calls("POST", ROSTER) == []
    SchoolSync.objects.filter(school=synced.builder.school).update(
        claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert deliver_due().delivered == 1  # a lease that ran out (a crashed worker) is taken over
    assert SchoolSync.objects.get(school=synced.builder.school).claimed_until is None


def test_schools_are_independent(synced: SmallSchool, messenger: FakeMessenger) -> None:
    other = SchoolBuilder.empty("Школа № 2")
    enqueue_full_sync(school_id=other.school.pk)
    messenger.script("POST", ROSTER, (503, None))  # the first school's batch fails…

    report = deliver_due()

    assert report.delivered == 1 and report.failed == 1  # …the second school's goes through
    assert [b["school"]["name"] for b in messenger.roster_batches()] == ["Школа № 1", "Школа № 2"]


def test_nothing_is_sent_without_credentials(synced: SmallSchool, messenger: FakeMessenger, settings: Any) -> None:
    settings.MESSENGER_CLIENT_SECRET = ""
    assert deliver_due().delivered == 0
    assert messenger.requests == []


def test_a_slow_messenger_times_out_and_is_retried(
    synced: SmallSchool, messenger: FakeMessenger, settings: Any
) -> None:
    settings.MESSENGER_TIMEOUT = 0.3
    messenger.delay = 1.0
    report = deliver_due()
    assert report.failed == 1
    assert "Timeout" in pending(synced)[0].last_error


def test_kicked_on_commit(
    synced: SmallSchool,
    messenger: FakeMessenger,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A change wakes the worker as soon as it commits (Huey runs the task in place here)."""
    from huey.contrib.djhuey import HUEY

    from parta.journal.messenger_link.roster import outbox
    from parta.journal.messenger_link.tasks import deliver_outbox

    monkeypatch.undo()  # the real kick_delivery
    monkeypatch.setattr(HUEY, "immediate", True)
    assert outbox.kick_delivery is not None and deliver_outbox is not None
    change(synced, django_capture_on_commit_callbacks, "Второй")

    assert [b["sequence"] for b in messenger.roster_batches()] == [1, 2]
    assert pending(synced) == []


def test_the_periodic_loop_delivers_what_becomes_due(
    synced: SmallSchool, messenger: FakeMessenger, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's loop looks every POLL seconds: a retry that falls due meanwhile is sent without any wake-up."""
    from parta.journal.messenger_link import tasks

    settings.MESSENGER_OUTBOX_POLL_SECONDS = 0.1
    monkeypatch.setattr(tasks, "LOOP_SECONDS", 1.5)
    monkeypatch.setattr(tasks, "close_old_connections", lambda: None)  # the worker's; here it is the test's connection
    OutboxItem.objects.update(next_attempt_at=timezone.now() + dt.timedelta(seconds=0.5), attempts=1)

    tasks.deliver_outbox_loop.call_local()

    assert [b["sequence"] for b in messenger.roster_batches()] == [1]


def test_the_nightly_task_queues_every_school_whole(synced: SmallSchool) -> None:
    from parta.journal.messenger_link import tasks

    tasks.nightly_full_sync.call_local()
    assert OutboxItem.objects.filter(full=True).values_list("sequence", flat=True).last() == 2


def test_a_change_the_mirror_cannot_resolve_is_replaced_by_the_whole_roster(
    synced: SmallSchool, messenger: FakeMessenger, django_capture_on_commit_callbacks: Any
) -> None:
    assert deliver_due().delivered == 1
    change(synced, django_capture_on_commit_callbacks, "Второй")
    refusal = {"code": "unknown_reference", "message": "Нет класса 5А.", "help_url": None}
    messenger.script("POST", ROSTER, (422, refusal))

    report = deliver_due()

    assert report.delivered == 1
    batches = messenger.roster_batches()
    assert [(b["sequence"], b["full"]) for b in batches] == [(1, True), (2, False), (2, True)]
    assert pending(synced) == []
