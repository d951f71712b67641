"""How the benchmarks send a message: the chats app's `send_message` service when it is there (the real path:
membership check, idempotency by client id, MessageOut payload, publish), else — or with `minimal=True` — the tests'
stand-in that does only the essential writes (lock the chat, number and insert the message, publish). `SEND_PATH`
says which one ran; every figure names it."""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.db import transaction


def _real_service() -> Any:
    try:
        from parta.messenger.chats.services import send_message
    except ImportError:
        return None
    return send_message


_service = _real_service()
SEND_PATH = "chats.services.send_message" if _service else "minimal (lock chat, insert message, publish)"
MINIMAL_PATH = "minimal (lock chat, insert message, publish)"


def send(*, chat_id: int, sender_id: int, text: str, minimal: bool = False) -> int:
    """Sends one message in its own transaction; returns its id."""
    if _service is not None and not minimal:
        from parta.messenger.accounts.models import Profile

        sender = Profile.objects.get(pk=sender_id)
        message, _ = _service(sender=sender, chat_id=chat_id, client_id=uuid.uuid4(), text=text)
        return int(message.pk)
    from tests.messenger.realtime.builders import send_message

    return int(send_message(chat_id=chat_id, sender_id=sender_id, text=text).pk)


def send_stamped(*, chat_id: int, sender_id: int, text: str) -> dict[str, Any]:
    """Sends, and notes the wall-clock time of the commit: the first on-commit callback runs right after COMMIT,
    before publish's push (registered later), so delivery times are measured from the commit itself."""
    committed: list[float] = []
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(time.time()))
        message_id = send(chat_id=chat_id, sender_id=sender_id, text=text)
    return {"message": message_id, "committed_at": committed[0], "path": SEND_PATH}
