"""`publish`: events stored per profile, numbered without holes, pushed only after commit; pruning old events."""

# covers: C6 (nothing a person must see is lost: the durable event stream behind live delivery)

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from parta.messenger.realtime import services
from parta.messenger.realtime.models import Event, EventCursor
from parta.messenger.realtime.services import INLINE_EVENT_LIMIT, prune_events, publish, seq_in_wakeup, wakeups
from tests.messenger.realtime.builders import age_events, make_profile, publish_now


@pytest.fixture
def pushed(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The wake-ups publish() pushes after commit (recorded instead of pushed; tests that look at them commit)."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(services, "push_wakeups", lambda seqs, **kw: calls.append({"seqs": seqs, **kw}))
    return calls


@pytest.mark.django_db
def test_each_profile_numbers_its_own_events_from_1(pushed: list[dict[str, Any]]) -> None:
    a, b = make_profile(), make_profile()
    assert publish_now([a.pk], "test.note", {"n": 1}) == {a.pk: 1}
    assert publish_now([a.pk, b.pk, a.pk], "test.note", {"n": 2}) == {a.pk: 2, b.pk: 1}  # a listed twice: one event
    rows = list(Event.objects.order_by("profile_id", "seq").values_list("profile_id", "seq", "type", "payload"))
    assert rows == [
        (a.pk, 1, "test.note", {"n": 1}),
        (a.pk, 2, "test.note", {"n": 2}),
        (b.pk, 1, "test.note", {"n": 2}),
    ]
    assert dict(EventCursor.objects.values_list("profile_id", "last_seq")) == {a.pk: 2, b.pk: 1}


@pytest.mark.django_db(transaction=True)  # the test's own transaction would hide the mistake
def test_publish_refuses_to_run_outside_a_transaction() -> None:
    profile = make_profile()
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        publish(profile_ids=[profile.pk], type="test.note", payload={})
    assert publish_now([], "test.note", {}) == {}  # nobody to tell: nothing stored


@pytest.mark.django_db(transaction=True)
def test_wakeups_are_pushed_after_commit_only_and_never_for_a_rollback(pushed: list[dict[str, Any]]) -> None:
    profile = make_profile()
    with transaction.atomic():
        seqs = publish(profile_ids=[profile.pk], type="test.note", payload={"n": 1})
        assert pushed == []  # still inside the transaction
    assert [call["seqs"] for call in pushed] == [seqs]
    with transaction.atomic():
        publish(profile_ids=[profile.pk], type="test.note", payload={"n": 2})
        transaction.set_rollback(True)
    assert len(pushed) == 1
    assert list(Event.objects.values_list("seq", flat=True)) == [1]
    assert EventCursor.objects.get().last_seq == 1  # the rolled-back number is free again: no hole


@pytest.mark.django_db(transaction=True)
def test_a_message_event_wakes_its_chats_group_once_with_every_recipients_seq(pushed: list[dict[str, Any]]) -> None:
    a, b = make_profile(), make_profile()
    publish_now([a.pk], "test.note", {})
    with transaction.atomic():
        # A chat event type (as message.* are): the chat is taken from the payload.
        seqs = publish(profile_ids=[a.pk, b.pk], type="test.chat_note", payload={"chat_id": 7, "text": "ы"})
    call = pushed[-1]
    assert call["chat_id"] == 7 and call["event_type"] == "test.chat_note"
    [(group, message)] = wakeups(seqs, event_type="test.chat_note", event_json=call["event_json"], chat_id=7)
    assert group == "chat.7"
    assert (seq_in_wakeup(message, a.pk), seq_in_wakeup(message, b.pk), seq_in_wakeup(message, b.pk + 99)) == (
        2,
        1,
        None,
    )
    event = Event.objects.get(profile=a, seq=2)
    assert message["event"] == (
        f'{{"type":"test.chat_note","payload":{{"chat_id":7,"text":"ы"}},'
        f'"created_at":"{event.created_at.isoformat()}"}}'
    )


@pytest.mark.django_db(transaction=True)
def test_other_events_wake_each_recipients_own_group_and_big_ones_are_not_inlined(
    pushed: list[dict[str, Any]],
) -> None:
    a, b = make_profile(), make_profile()
    publish_now([a.pk, b.pk], "chat.read", {"chat_id": 1, "last_read_seq": 5})
    assert pushed[-1]["chat_id"] is None
    publish_now([a.pk, b.pk], "test.chat_note", {"chat_id": 3, "text": "я" * INLINE_EVENT_LIMIT})
    assert pushed[-1]["event_json"] is None and pushed[-1]["chat_id"] == 3
    messages = wakeups({a.pk: 2, b.pk: 2}, event_type="chat.read", event_json=None, chat_id=None)
    assert messages == [
        (f"profile.{a.pk}", {"type": "events.available", "seq": 2, "event_type": "chat.read"}),
        (f"profile.{b.pk}", {"type": "events.available", "seq": 2, "event_type": "chat.read"}),
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishers_to_overlapping_recipients_number_without_holes_or_deadlock(
    pushed: list[dict[str, Any]],
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite lets one writer in at a time: publishers cannot interleave there")
    profiles = [make_profile().pk for _ in range(4)]
    errors: list[BaseException] = []

    def publisher(order: list[int]) -> None:
        try:
            for n in range(15):
                publish_now(order, "test.note", {"n": n})
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publisher, args=(order,)) for order in (profiles, profiles[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    for pid in profiles:
        assert list(Event.objects.filter(profile_id=pid).order_by("seq").values_list("seq", flat=True)) == list(
            range(1, 31)
        )


@pytest.mark.django_db
def test_prune_deletes_only_events_older_than_the_cutoff_and_keeps_the_numbering(
    pushed: list[dict[str, Any]],
) -> None:
    old, recent = make_profile(), make_profile()
    publish_now([old.pk], "test.note", {})
    publish_now([old.pk], "test.note", {})
    age_events(old.pk, days=31)
    publish_now([old.pk, recent.pk], "test.note", {})
    assert prune_events(older_than=timezone.now() - dt.timedelta(days=30)) == 2
    assert list(Event.objects.filter(profile=old).values_list("seq", flat=True)) == [3]
    assert publish_now([old.pk], "test.note", {}) == {old.pk: 4}  # the counter survives: no seq is ever reused


@pytest.mark.django_db
def test_prune_events_command(pushed: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    profile = make_profile()
    publish_now([profile.pk], "test.note", {})
    age_events(profile.pk, days=8)
    publish_now([profile.pk], "test.note", {})
    call_command("prune_events", "--days", "7")
    assert "Deleted 1 events older than 7 days." in capsys.readouterr().out
    assert Event.objects.count() == 1


def test_packed_seqs_find_each_recipient_of_a_big_chat_and_nobody_else() -> None:
    seqs = {pid: pid * 7 + 1 for pid in range(5, 5_000, 3)}  # 1,665 recipients: ids 5, 8, 11, …
    [(_, message)] = wakeups(seqs, event_type="message.new", event_json=None, chat_id=1)
    assert all(seq_in_wakeup(message, pid) == seq for pid, seq in seqs.items())
    assert [seq_in_wakeup(message, pid) for pid in (1, 6, 4_999, 10**12)] == [None, None, None, None]
    assert seq_in_wakeup({"type": "events.available", "seq": 3}, 42) == 3  # a profile group's wake-up: its own
