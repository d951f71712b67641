"""The recording's one message in the call's chat, from the call's organizer (as the board's PDF is posted).

At the stop it says «Запись обрабатывается…»; while the worker runs it says how far («… 40 %»); when the video
is ready the same message becomes «Запись урока: <title>» with the video attached (duration, poster), or says
«Запись не удалась: <why>». One message that changes, not a trail of them: the chat shows the recording where
it was stopped, and everyone with the chat open sees it change (each change publishes "message.edited" — the
chat page replaces the message with what the event carries, attachments included).

Sent through chats' `send_message` once (its client id is derived from the recording: a retry or a second worker
gets the same message). The changes are the worker's, not the organizer's edits: they leave `edited_at` alone
(«изменено» would be noise), and the video is attached here rather than through an upload, because an upload's
size limit is for what people send, not for a lesson's video.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from parta.messenger.calls.models import CallKind, Recording
from parta.messenger.chats.models import Attachment, AttachmentKind, Message
from parta.messenger.chats.selectors import get_message
from parta.messenger.chats.services.events import publish_message
from parta.messenger.chats.services.messages import send_message

log = logging.getLogger(__name__)
MESSAGE_NAMESPACE = uuid.UUID("5b0e8f4c-7a43-4d1b-9c2e-3f6a1d8e2b77")


def message_client_id(recording: Recording) -> uuid.UUID:
    return uuid.uuid5(MESSAGE_NAMESPACE, str(recording.public_id))


def _title(recording: Recording) -> str:
    return recording.call.title.strip() or "—"


def progress_text(percent: int | None = None) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # the chat's language, whoever runs the worker
        if percent is None:
            return _("The recording is being processed…")
        return _("The recording is being processed… %(percent)s %%") % {"percent": percent}


def ensure_message(recording: Recording) -> Message | None:
    """The recording's message, sent now if it is not there yet («Запись обрабатывается…»); None when it cannot be
    sent (the organizer is no longer in the chat — the worker goes on, the video then has nowhere to go)."""
    if recording.message_id is not None:
        return Message.objects.filter(pk=recording.message_id).first()
    call = recording.call
    try:
        message, _created = send_message(
            sender=call.created_by, chat_id=call.chat_id, client_id=message_client_id(recording), text=progress_text()
        )
    except Exception:  # the chat refused (the organizer left it): the recording itself still goes on
        log.warning(
            "recording %s: its message could not be sent into chat %s", recording.pk, call.chat_id, exc_info=True
        )
        return None
    Recording.objects.filter(pk=recording.pk).update(message=message)
    recording.message = message
    return message


def _set_text(message_id: int, text: str) -> Message | None:
    """Changes the message's text (if it is still there) and tells the chat's members. Locks the message row."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id, deleted_at=None).first()
        if message is None:
            return None
        if message.text != text:
            message.text = text
            message.save(update_fields=["text"])
            publish_message("message.edited", get_message(chat_id=message.chat_id, message_id=message.pk))
    return message


def show_progress(recording: Recording, percent: int) -> None:
    if recording.message_id is not None:
        _set_text(recording.message_id, progress_text(percent))


def ready_text(recording: Recording, note: str = "") -> str:
    with translation.override(settings.LANGUAGE_CODE):
        if recording.call.kind == CallKind.LESSON:
            text = _("Lesson recording: %(title)s") % {"title": _title(recording)}
        else:
            text = _("Call recording: %(title)s") % {"title": _title(recording)}
    return f"{text}\n{note}" if note else text


def failure_text(reason: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("The recording failed: %(reason)s") % {"reason": reason}


def show_failure(recording: Recording, reason: str) -> None:
    message = ensure_message(recording)
    if message is not None:
        _set_text(message.pk, failure_text(reason))


def attach_video(
    recording: Recording, *, video: Path, poster: Path | None, duration_ms: int, width: int, height: int, note: str
) -> Attachment | None:
    """Stores the video (and its poster) through Django's storage, attaches it to the recording's message and
    changes its text; one transaction, so the chat never shows a message pointing at a file that is not there.
    Raises what the storage raises (OSError ENOSPC: the disk is full) — the files written so far are removed."""
    message = ensure_message(recording)
    if message is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        name = _("Recording — %(title)s.mp4") % {"title": _title(recording).replace("/", "-").replace("\\", "-")}
    attachment = Attachment(
        message=message,
        kind=AttachmentKind.VIDEO,
        original_name=name,
        content_type="video/mp4",
        size=video.stat().st_size,
        width=width or None,
        height=height or None,
        duration_ms=duration_ms,
    )
    stored: list[str] = []
    try:
        with video.open("rb") as handle:
            attachment.file.save("video.mp4", File(handle), save=False)
        stored.append(attachment.file.name)
        if poster is not None and poster.exists():
            attachment.thumbnail.save("poster.webp", ContentFile(poster.read_bytes()), save=False)
            stored.append(attachment.thumbnail.name)
        with transaction.atomic():
            locked = Message.objects.select_for_update().filter(pk=message.pk, deleted_at=None).first()
            if locked is None:  # the organizer deleted the message meanwhile: the video goes with it
                raise _MessageGone
            Attachment.objects.filter(message=locked, kind=AttachmentKind.VIDEO).delete()  # a rerun replaces
            attachment.save()
            locked.text = ready_text(recording, note)
            locked.save(update_fields=["text"])
            publish_message("message.edited", get_message(chat_id=locked.chat_id, message_id=locked.pk))
    except _MessageGone:
        _remove(stored)
        return None
    except BaseException:
        _remove(stored)
        raise
    return attachment


class _MessageGone(Exception):
    pass


def _remove(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            log.warning("could not remove %s", name, exc_info=True)
