"""Profiles, chats, signed-in sessions and sent messages for the real-time tests and benchmarks, straight through the
ORM and `publish` (the chats services are another area's; these do what a send does, in one transaction)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from parta.messenger.accounts.models import ContactKind, Profile
from parta.messenger.chats.models import Chat, ChatKind, Membership, Message
from parta.messenger.realtime.services import publish

_numbers = itertools.count(1)


def make_profile(first_name: str = "Имя", last_name: str = "Фамилия") -> Profile:
    return Profile.objects.create_user(
        identifier=f"+7916{next(_numbers):07d}",
        contact_kind=ContactKind.PHONE,
        first_name=first_name,
        last_name=last_name,
    )


def make_profiles(count: int, prefix: str = "Участник") -> list[int]:
    """Many profiles at once (for benchmarks): returns their ids."""
    start = next(_numbers)
    rows = [
        Profile(
            identifier=f"+7926{start * 100_000 + n:07d}",
            contact_kind=ContactKind.PHONE,
            first_name=f"{prefix}{n}",
            last_name="Тестов",
            password="!",  # unusable: profiles sign in with codes
        )
        for n in range(count)
    ]
    Profile.objects.bulk_create(rows, batch_size=1000)
    return list(
        Profile.objects.filter(identifier__in=[row.identifier for row in rows])
        .order_by("id")
        .values_list("id", flat=True)
    )


def make_chat(member_ids: list[int], title: str = "Стенгазета") -> Chat:
    """A manual group chat with these members (no events: the tests publish what they need)."""
    chat = Chat.objects.create(kind=ChatKind.GROUP, title=title, created_by_id=member_ids[0] if member_ids else None)
    Membership.objects.bulk_create([Membership(chat=chat, profile_id=pid) for pid in member_ids], batch_size=1000)
    return chat


def sign_in(profile_id: int) -> str:
    """A signed-in session for the profile, as the sign-in view would leave it; returns the session key."""
    profile = Profile.objects.get(pk=profile_id)
    session = SessionStore()
    session[SESSION_KEY] = str(profile.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = profile.get_session_auth_hash()
    session.create()
    assert session.session_key is not None
    return session.session_key


def cookie_header(session_key: str) -> str:
    return f"{settings.SESSION_COOKIE_NAME}={session_key}"


def message_out(message: Message, *, sender_name: str = "") -> dict[str, Any]:
    """The message as a `message.new` carries it: MessageOut's shape, built without a query (the sender's names are
    `sender_name`; the real path reads them)."""
    return {
        "id": message.pk,
        "chat_id": message.chat_id,
        "seq": message.seq,
        "client_id": str(message.client_id),
        "sender": {"id": message.sender_id, "name": sender_name, "short_name": sender_name}
        if message.sender_id
        else None,
        "text": message.text,
        "html": escape(message.text),
        "reply_to": None,
        "attachments": [],
        "created_at": message.created_at.isoformat(),
        "edited_at": None,
        "deleted_at": None,
        "is_deleted": False,
    }


def chat_event_payload(chat: Chat, profile_id: int) -> dict[str, Any]:
    """`{"chat": …}` of a `membership.added` or `chat.updated`, as the chats app builds it for this member."""
    from parta.messenger.chats.schemas import chat_event_payload as chat_payload
    from parta.messenger.chats.selectors import views_for_members

    return {"chat": chat_payload(views_for_members(chat, [profile_id])[profile_id])}


def send_message(*, chat_id: int, sender_id: int, text: str) -> Message:
    """What sending does: lock the chat, number the message, store it, publish `message.new` to the members."""
    with transaction.atomic():
        chat = Chat.objects.select_for_update().only("id", "last_seq").get(pk=chat_id)
        chat.last_seq += 1
        now = timezone.now()
        chat.last_message_at = now
        chat.save(update_fields=["last_seq", "last_message_at"])
        message = Message.objects.create(
            chat_id=chat_id, sender_id=sender_id, seq=chat.last_seq, text=text, created_at=now
        )
        members = list(Membership.objects.filter(chat_id=chat_id).values_list("profile_id", flat=True))
        publish(profile_ids=members, type="message.new", payload={"chat_id": chat_id, "message": message_out(message)})
    return message


def publish_now(profile_ids: list[int], type: str, payload: dict[str, Any], **kwargs: Any) -> dict[int, int]:
    with transaction.atomic():
        return publish(profile_ids=profile_ids, type=type, payload=payload, **kwargs)


def age_events(profile_id: int, *, days: int) -> None:
    from parta.messenger.realtime.models import Event

    Event.objects.filter(profile_id=profile_id).update(created_at=timezone.now() - dt.timedelta(days=days))
