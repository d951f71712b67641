"""The WebSocket `/ws/` through the real ASGI application: session sign-in, resume, live delivery, typing, groups.

The consumer reads the database in its own thread, so these tests commit for real (`transaction=True`).
"""

# covers: C6 (messages and the typing indicator arrive live), A6 (only a signed-in device's session connects)

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from parta.messenger.realtime import services
from parta.messenger.realtime.models import Event
from parta.messenger.realtime.services import end_session_connections, publish
from tests.messenger.realtime.builders import (
    chat_event_payload,
    make_chat,
    make_profile,
    publish_now,
    send_message,
    sign_in,
)
from tests.messenger.realtime.wsclient import connect, db, next_events, open_socket, resume

pytestmark = pytest.mark.django_db(transaction=True)


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(scenario)()


def note(n: int) -> dict[str, Any]:
    return {"n": n}


def test_anonymous_connection_is_closed_with_4401() -> None:
    async def scenario() -> None:
        socket = await open_socket(None)
        closed = await socket.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": 4401}

    run(scenario)


def test_a_session_of_a_deactivated_profile_is_refused() -> None:
    profile = make_profile()
    key = sign_in(profile.pk)
    profile.is_active = False
    profile.save(update_fields=["is_active"])

    async def scenario() -> None:
        socket = await open_socket(key)
        assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}

    run(scenario)


def test_resume_sends_the_missed_events_in_order_then_ready() -> None:
    profile, other = make_profile(), make_profile()
    for n in range(1, 6):
        publish_now([profile.pk], "test.note", note(n))
    publish_now([other.pk], "test.note", note(99))  # another profile's stream is never sent

    async def scenario() -> None:
        socket = await connect(profile.pk)
        events, ready = await resume(socket, after=2)
        assert [(e["seq"], e["type"], e["payload"]) for e in events] == [(n, "test.note", note(n)) for n in (3, 4, 5)]
        assert all(e["created_at"] for e in events)
        assert ready == {"type": "ready", "seq": 5, "reset": False}
        assert await socket.receive_nothing(timeout=0.2)
        await socket.disconnect()

    run(scenario)


def test_a_long_backlog_comes_in_frames_of_at_most_100() -> None:
    profile = make_profile()
    with transaction.atomic():
        for n in range(1, 251):
            publish(profile_ids=[profile.pk], type="test.note", payload=note(n))

    async def scenario() -> None:
        socket = await connect(profile.pk)
        await socket.send_json_to({"type": "resume", "after": 0})
        sizes = []
        while (frame := await socket.receive_json_from(timeout=5))["type"] == "events":
            sizes.append(len(frame["events"]))
        assert sizes == [100, 100, 50]
        assert frame["seq"] == 250
        await socket.disconnect()

    run(scenario)


def test_a_client_ahead_of_the_stream_is_brought_back_to_its_end() -> None:
    profile = make_profile()
    publish_now([profile.pk], "test.note", note(1))

    async def scenario() -> None:
        socket = await connect(profile.pk)
        events, ready = await resume(socket, after=40)  # e.g. browser storage kept across a database restore
        assert events == [] and ready["seq"] == 1
        await db(publish_now)([profile.pk], "test.note", note(2))
        assert [e["seq"] for e in await next_events(socket, 1)] == [2]  # not skipped as "already seen"
        await socket.disconnect()

    run(scenario)


def test_live_event_arrives_after_commit_and_never_before() -> None:
    profile = make_profile()

    async def scenario() -> None:
        socket = await connect(profile.pk)
        await resume(socket, after=0)
        # One transaction across several steps: plain sync_to_async runs them all in this test's thread, on one
        # connection (database_sync_to_async would close a connection that is inside a transaction).
        atomic = transaction.atomic()
        await sync_to_async(atomic.__enter__)()
        await sync_to_async(publish)(profile_ids=[profile.pk], type="test.note", payload=note(1))
        assert await socket.receive_nothing(timeout=0.3), "an event was pushed before its transaction committed"
        await sync_to_async(atomic.__exit__)(None, None, None)
        events = await next_events(socket, 1)
        assert [(e["seq"], e["payload"]) for e in events] == [(1, note(1))]
        await socket.disconnect()

    run(scenario)


def test_a_rolled_back_event_is_neither_stored_nor_pushed() -> None:
    profile = make_profile()

    def publish_and_roll_back() -> None:
        with transaction.atomic():
            publish(profile_ids=[profile.pk], type="test.note", payload=note(1))
            transaction.set_rollback(True)

    async def scenario() -> None:
        socket = await connect(profile.pk)
        await resume(socket, after=0)
        await db(publish_and_roll_back)()
        assert await socket.receive_nothing(timeout=0.3)
        assert await db(Event.objects.count)() == 0
        await socket.disconnect()

    run(scenario)


def test_lost_duplicated_and_reordered_wakeups_still_deliver_each_event_once_in_order(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    profile = make_profile()
    held: list[dict[int, int]] = []
    real_push = services.push_wakeups

    async def scenario() -> None:
        socket = await connect(profile.pk)
        await resume(socket, after=0)
        layer: Any = get_channel_layer()
        wake = {"type": "events.available"}
        # Lost: events 1–3 wake nobody; event 4's wake-up shows a gap, so 1–4 come from the database.
        monkeypatch.setattr(services, "push_wakeups", lambda seqs, **kw: held.append(seqs))
        for n in (1, 2, 3):
            await db(publish_now)([profile.pk], "test.note", note(n))
        monkeypatch.setattr(services, "push_wakeups", real_push)
        await db(publish_now)([profile.pk], "test.note", note(4))
        assert [e["seq"] for e in await next_events(socket, 4)] == [1, 2, 3, 4]
        # Duplicated: old wake-ups again (with and without the event inlined) send nothing.
        await layer.group_send(f"profile.{profile.pk}", {**wake, "seq": 2})
        await layer.group_send(f"profile.{profile.pk}", {**wake, "seq": 4, "event": '{"type":"x","payload":{}}'})
        assert await socket.receive_nothing(timeout=0.3)
        # Reordered: 6's wake-up before 5's. 6 reads 5 and 6 from the database; 5's wake-up is then stale.
        monkeypatch.setattr(services, "push_wakeups", lambda seqs, **kw: held.append(seqs))
        await db(publish_now)([profile.pk], "test.note", note(5))
        await db(publish_now)([profile.pk], "test.note", note(6))
        await layer.group_send(f"profile.{profile.pk}", {**wake, "seq": 6})
        await layer.group_send(f"profile.{profile.pk}", {**wake, "seq": 5})
        events = await next_events(socket, 2)
        assert [(e["seq"], e["payload"]) for e in events] == [(5, note(5)), (6, note(6))]
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    run(scenario)


def test_a_client_cut_off_while_50_messages_are_sent_gets_all_50_once_in_order() -> None:
    # Acceptance (issue 3): 30 messages while it is offline, 20 more while it reconnects (after its connection is up,
    # before it resumes), then live ones: each arrives once, in order, with no duplicate from the wake-ups.
    alice, bob = make_profile("Алиса"), make_profile("Борис")
    chat = make_chat([alice.pk, bob.pk])

    async def scenario() -> None:
        socket = await connect(bob.pk)
        await resume(socket, after=0)
        first = await db(send_message)(chat_id=chat.pk, sender_id=alice.pk, text="до обрыва")
        [seen] = await next_events(socket, 1)
        assert seen["payload"]["message"]["id"] == first.pk
        await socket.disconnect()  # the connection is cut

        for n in range(1, 31):
            await db(send_message)(chat_id=chat.pk, sender_id=alice.pk, text=f"сообщение {n}")
        socket = await connect(bob.pk)  # back: its groups are joined, its resume not yet sent
        for n in range(31, 51):
            await db(send_message)(chat_id=chat.pk, sender_id=alice.pk, text=f"сообщение {n}")
        events, ready = await resume(socket, after=seen["seq"])

        assert [e["payload"]["message"]["text"] for e in events] == [f"сообщение {n}" for n in range(1, 51)]
        assert [e["seq"] for e in events] == list(range(seen["seq"] + 1, seen["seq"] + 51))
        assert ready["seq"] == seen["seq"] + 50
        assert await socket.receive_nothing(timeout=0.3), "a wake-up of the backlog sent an event twice"
        await db(send_message)(chat_id=chat.pk, sender_id=alice.pk, text="после")
        [live] = await next_events(socket, 1)
        assert (live["seq"], live["payload"]["message"]["text"]) == (ready["seq"] + 1, "после")
        await socket.disconnect()

    run(scenario)


def test_typing_is_relayed_to_the_chats_other_members_only_and_never_stored() -> None:
    alice, bob, carol = make_profile("Алиса", "Иванова"), make_profile("Борис"), make_profile("Карина")
    chat = make_chat([alice.pk, bob.pk])
    make_chat([alice.pk, carol.pk], title="другой")

    async def scenario() -> None:
        alice_phone, alice_laptop = await connect(alice.pk), await connect(alice.pk)
        bob_socket, carol_socket = await connect(bob.pk), await connect(carol.pk)
        await alice_phone.send_json_to({"type": "typing", "chat_id": chat.pk})
        assert await bob_socket.receive_json_from(timeout=5) == {
            "type": "typing",
            "chat_id": chat.pk,
            "profile_id": alice.pk,
            "name": "Алиса Иванова",
        }
        assert await alice_laptop.receive_nothing(timeout=0.2)  # not to the typist's own other device
        assert await carol_socket.receive_nothing(timeout=0.1)  # not a member of this chat
        await alice_phone.send_json_to({"type": "typing", "chat_id": chat.pk})  # again within 2 s: dropped
        assert await bob_socket.receive_nothing(timeout=0.3)
        await carol_socket.send_json_to({"type": "typing", "chat_id": chat.pk})  # not her chat
        assert (await carol_socket.receive_json_from(timeout=5))["code"] == "not_member"
        assert await bob_socket.receive_nothing(timeout=0.2)
        assert await db(Event.objects.count)() == 0
        for socket in (alice_phone, alice_laptop, bob_socket, carol_socket):
            await socket.disconnect()

    run(scenario)


def test_typing_is_limited_per_chat_not_per_connection(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    alice, bob = make_profile(), make_profile()
    first, second = make_chat([alice.pk, bob.pk]), make_chat([alice.pk, bob.pk])

    async def scenario() -> None:
        alice_socket, bob_socket = await connect(alice.pk), await connect(bob.pk)
        await alice_socket.send_json_to({"type": "typing", "chat_id": first.pk})
        await alice_socket.send_json_to({"type": "typing", "chat_id": second.pk})
        got = {(await bob_socket.receive_json_from(timeout=5))["chat_id"] for _ in range(2)}
        assert got == {first.pk, second.pk}
        await alice_socket.disconnect()
        await bob_socket.disconnect()

    run(scenario)


def test_membership_events_join_and_leave_the_chats_group() -> None:
    alice, bob = make_profile("Алиса"), make_profile("Борис")
    chat = make_chat([alice.pk])

    def add_bob() -> None:
        from parta.messenger.chats.models import Membership

        with transaction.atomic():
            Membership.objects.create(chat=chat, profile=bob)
            publish(profile_ids=[bob.pk], type="membership.added", payload=chat_event_payload(chat, bob.pk))

    def remove_bob() -> None:
        from parta.messenger.chats.models import Membership

        with transaction.atomic():
            Membership.objects.filter(chat=chat, profile=bob).delete()
            publish(profile_ids=[bob.pk], type="membership.removed", payload={"chat_id": chat.pk})

    async def scenario() -> None:
        alice_socket, bob_socket = await connect(alice.pk), await connect(bob.pk)
        await resume(bob_socket, after=0)
        await alice_socket.send_json_to({"type": "typing", "chat_id": chat.pk})
        assert await bob_socket.receive_nothing(timeout=0.3)  # not a member yet

        await db(add_bob)()
        [added] = await next_events(bob_socket, 1)
        assert added["type"] == "membership.added"
        # The chat's message wakes the chat's group once: Bob's connection is in it now.
        await db(send_message)(chat_id=chat.pk, sender_id=alice.pk, text="привет")
        [message] = await next_events(bob_socket, 1)
        assert message["payload"]["message"]["text"] == "привет"
        await bob_socket.send_json_to({"type": "typing", "chat_id": chat.pk})  # Bob may type there now
        assert (await alice_socket.receive_json_from(timeout=5))["profile_id"] == bob.pk

        await db(remove_bob)()
        [removed] = await next_events(bob_socket, 1)
        assert removed["type"] == "membership.removed"
        alice_laptop = await connect(alice.pk)  # a fresh connection: its typing is not held back by the 2 s limit
        await alice_laptop.send_json_to({"type": "typing", "chat_id": chat.pk})
        await bob_socket.send_json_to({"type": "typing", "chat_id": chat.pk})
        assert (await bob_socket.receive_json_from(timeout=5))["code"] == "not_member"
        assert await bob_socket.receive_nothing(timeout=0.3)  # Alice's typing no longer reaches Bob
        for socket in (alice_socket, alice_laptop, bob_socket):
            await socket.disconnect()

    run(scenario)


def test_a_chat_wakeup_reaches_a_member_who_joined_before_its_connection_knew(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Bob is added and a message is sent in one transaction. The message's wake-up goes to the chat's group, which
    # Bob's connection joins only when it sends his membership.added: here that wake-up comes first and misses him.
    # Joining the group then reads the database, so the message still arrives, after the membership, once.
    alice, bob = make_profile(), make_profile()
    chat = make_chat([alice.pk])
    held: list[tuple[dict[int, int], dict[str, Any]]] = []
    real_push = services.push_wakeups

    def add_bob_and_send() -> None:
        from parta.messenger.chats.models import Membership

        with transaction.atomic():
            Membership.objects.create(chat=chat, profile=bob)
            publish(profile_ids=[bob.pk], type="membership.added", payload=chat_event_payload(chat, bob.pk))
            send_message(chat_id=chat.pk, sender_id=alice.pk, text="привет")

    async def scenario() -> None:
        bob_socket = await connect(bob.pk)
        await resume(bob_socket, after=0)
        monkeypatch.setattr(services, "push_wakeups", lambda seqs, **kw: held.append((seqs, kw)))
        await db(add_bob_and_send)()
        (membership, membership_kw), (message, message_kw) = held
        assert message_kw["chat_id"] == chat.pk  # woken through the chat's group
        await db(real_push)(message, **message_kw)
        assert await bob_socket.receive_nothing(timeout=0.3)  # not in the chat's group yet: missed
        await db(real_push)(membership, **membership_kw)
        events = await next_events(bob_socket, 2)
        assert [e["type"] for e in events] == ["membership.added", "message.new"]
        assert await bob_socket.receive_nothing(timeout=0.3)
        await bob_socket.disconnect()

    run(scenario)


def test_ping_pong_and_unusable_frames() -> None:
    profile = make_profile()

    async def scenario() -> None:
        socket = await connect(profile.pk)
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
        for frame in ("not json", "[1]", '{"type": "dance"}', '{"type": "resume", "after": -1}', "x" * 5000):
            await socket.send_to(text_data=frame)
            assert (await socket.receive_json_from(timeout=5))["type"] == "error"
        await socket.send_json_to({"type": "resume", "after": "5"})
        assert (await socket.receive_json_from(timeout=5))["code"] == "bad_resume"
        await socket.disconnect()

    run(scenario)


def test_ending_a_devices_session_closes_its_websocket_only() -> None:
    profile = make_profile()
    phone_key, laptop_key = sign_in(profile.pk), sign_in(profile.pk)

    def end_phone() -> None:
        with transaction.atomic():
            end_session_connections(session_keys=[phone_key])

    async def scenario() -> None:
        phone, laptop = await open_socket(phone_key), await open_socket(laptop_key)
        await db(end_phone)()
        assert await phone.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
        await laptop.send_json_to({"type": "ping"})
        assert await laptop.receive_json_from(timeout=5) == {"type": "pong"}
        await laptop.disconnect()

    run(scenario)
