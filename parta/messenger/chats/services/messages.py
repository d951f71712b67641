"""Sending, editing, deleting and reading messages (C6).

Each chat numbers its messages 1, 2, 3… (`seq`) under a row lock on the chat, so the order is the commit order and
a client pages and counts unread by seq. The client makes each message's `client_id`; a retried send (a lost answer,
a reconnect) returns the message already stored instead of a second copy — checked under the chat lock and, across
chats, enforced by the unique (sender, client_id) constraint.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parta.messenger.accounts.models import Profile
from parta.messenger.chats.errors import ChatRefusal
from parta.messenger.chats.models import Attachment, Membership, Message
from parta.messenger.chats.schemas import MAX_TEXT_LENGTH
from parta.messenger.chats.selectors import get_membership, get_message, message_not_found
from parta.messenger.chats.services.common import lock_membership, require
from parta.messenger.chats.services.events import publish_message, publish_message_deleted
from parta.messenger.chats.uploads import PreparedUpload, prepare_uploads
from parta.messenger.realtime.services import publish

EMPTY = _("Write something or attach a file.")
DELETED = _("This message has been deleted.")


def _check_text(text: str) -> None:
    if len(text) > MAX_TEXT_LENGTH:
        raise ChatRefusal("text_too_long", _("A message can be at most 10,000 characters long."))


def _same_chat(existing: Message, chat_id: int) -> Message:
    if existing.chat_id != chat_id:
        raise ChatRefusal(
            "client_id_conflict",
            _("This message id was already used for a message in another chat. Send it as a new message."),
            status=409,
        )
    return get_message(chat_id=chat_id, message_id=existing.pk)


def _store_attachments(message: Message, prepared: Sequence[PreparedUpload]) -> None:
    for item in prepared:
        attachment = Attachment(
            message=message,
            kind=item.kind,
            original_name=item.original_name,
            content_type=item.content_type,
            size=item.size,
            width=item.width,
            height=item.height,
        )
        attachment.file.save(f"{item.kind}.{item.extension}", item.upload, save=False)
        if item.thumbnail:
            attachment.thumbnail.save("thumbnail.webp", ContentFile(item.thumbnail), save=False)
        attachment.save()


def _insert(
    *, membership: Membership, sender: Profile, client_id: uuid.UUID, text: str, reply: Message | None
) -> Message | None:
    """Inserts the next message of the locked chat; None when a concurrent send with the same client_id won."""
    try:
        with transaction.atomic():
            return Message.objects.create(
                chat=membership.chat,
                sender=sender,
                seq=membership.chat.last_seq + 1,
                client_id=client_id,
                text=text,
                reply_to=reply,
            )
    except IntegrityError:
        if Message.objects.filter(sender=sender, client_id=client_id).exists():
            return None
        raise


def send_message(
    *,
    sender: Profile,
    chat_id: int,
    client_id: uuid.UUID,
    text: str = "",
    reply_to_id: int | None = None,
    files: Sequence[UploadedFile] = (),
) -> tuple[Message, bool]:
    """Stores a message (text as typed, files checked) and publishes "message.new" to the chat's members.

    Returns (message, created); a retried send with the same client_id returns (the stored message, False).
    Locks the chat row (select_for_update) to number the message and move the chat's last_seq.
    """
    _check_text(text)
    if not text.strip() and not files:
        raise ChatRefusal("empty_message", EMPTY)
    get_membership(profile=sender, chat_id=chat_id)  # 404 before any work on the files
    earlier = Message.objects.filter(sender=sender, client_id=client_id).first()
    if earlier is not None:  # a retry: answer before doing any work on the files again
        return _same_chat(earlier, chat_id), False
    prepared = prepare_uploads(list(files))
    with transaction.atomic():
        membership = lock_membership(sender, chat_id)
        chat = membership.chat
        earlier = Message.objects.filter(sender=sender, client_id=client_id).first()
        if earlier is not None:
            return _same_chat(earlier, chat.pk), False
        reply = None
        if reply_to_id is not None:
            reply = Message.objects.filter(pk=reply_to_id, chat=chat).first()
            if reply is None:
                raise ChatRefusal("reply_not_found", _("You can reply only to a message of the same chat."))
        message = _insert(membership=membership, sender=sender, client_id=client_id, text=text, reply=reply)
        if message is None:
            return _same_chat(Message.objects.get(sender=sender, client_id=client_id), chat.pk), False
        _store_attachments(message, prepared)
        chat.last_seq, chat.last_message_at = message.seq, message.created_at
        chat.save(update_fields=["last_seq", "last_message_at"])
        Membership.objects.filter(pk=membership.pk, last_read_seq__lt=message.seq).update(last_read_seq=message.seq)
        stored = get_message(chat_id=chat.pk, message_id=message.pk)
        publish_message("message.new", stored)
    return stored, True


def _lock_message(*, chat_id: int, message_id: int) -> Message:
    message = Message.objects.select_for_update().filter(chat_id=chat_id, pk=message_id).first()
    if message is None:
        raise message_not_found()
    return message


def edit_message(*, editor: Profile, chat_id: int, message_id: int, text: str) -> Message:
    """Changes the text of one's own message and sets edited_at; publishes "message.edited". Locks the message row."""
    _check_text(text)
    with transaction.atomic():
        get_membership(profile=editor, chat_id=chat_id)
        message = _lock_message(chat_id=chat_id, message_id=message_id)
        if message.sender_id != editor.pk:
            raise ChatRefusal("not_own_message", _("You can edit only your own messages."), status=403)
        if message.deleted_at is not None:
            raise ChatRefusal("message_deleted", DELETED, status=409)
        if not text.strip() and not message.attachments.exists():
            raise ChatRefusal("empty_message", EMPTY)
        if text != message.text:
            message.text, message.edited_at = text, timezone.now()
            message.save(update_fields=["text", "edited_at"])
            publish_message("message.edited", get_message(chat_id=chat_id, message_id=message_id))
    return get_message(chat_id=chat_id, message_id=message_id)


def _unshared(names: list[str]) -> list[str]:
    """The stored files no other attachment holds: a call's recording and its catch-up copies are one stored file
    (issue 11), deleted only with the last attachment that holds it."""
    kept = set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
    kept |= set(Attachment.objects.filter(thumbnail__in=names).values_list("thumbnail", flat=True))
    return [name for name in names if name not in kept]


def _delete_files(names: list[str]) -> None:
    """After the commit: checked again, as a copy may have been made meanwhile."""
    for name in _unshared(names):
        default_storage.delete(name)


def delete_message(*, actor: Profile, chat_id: int, message_id: int) -> Message:
    """Deletes a message for everyone, keeping its place: text emptied, attachments removed (their files after
    commit), deleted_at set; the client shows «Сообщение удалено». One's own messages; a chat's admins any.
    Publishes "message.deleted". Deleting twice changes nothing. Locks the message row."""
    with transaction.atomic():
        membership = get_membership(profile=actor, chat_id=chat_id)
        message = _lock_message(chat_id=chat_id, message_id=message_id)
        if message.sender_id != actor.pk:
            require(membership, "delete_any_message")
        if message.deleted_at is None:
            attachments = list(message.attachments.all())
            names = [name for a in attachments for name in (a.file.name, a.thumbnail.name) if name]
            Attachment.objects.filter(message=message).delete()
            names = _unshared(names)
            message.text, message.deleted_at = "", timezone.now()
            message.save(update_fields=["text", "deleted_at"])
            publish_message_deleted(message)
            transaction.on_commit(lambda: _delete_files(names))
    return get_message(chat_id=chat_id, message_id=message_id)


def mark_read(*, profile: Profile, chat_id: int, seq: int) -> int:
    """Moves the reader's read mark up to `seq` (never back, never past the chat's last message) and tells the
    reader's other devices ("chat.read"). Returns the read mark."""
    with transaction.atomic():
        membership = get_membership(profile=profile, chat_id=chat_id)
        seq = min(seq, membership.chat.last_seq)
        moved = Membership.objects.filter(pk=membership.pk, last_read_seq__lt=seq).update(last_read_seq=seq)
        if not moved:
            return int(Membership.objects.filter(pk=membership.pk).values_list("last_read_seq", flat=True).get())
        publish(profile_ids=[profile.pk], type="chat.read", payload={"chat_id": chat_id, "last_read_seq": seq})
    return seq
