"""Deleting recordings (issue 11): the organizer's «Удалить запись», and the daily cleanup by the organization's
retention (`Organization.recording_retention_days`; None keeps them).

A deleted recording leaves no file behind: the video and its poster go from the storage (after the commit, like
chats' deleted attachments), so do the attachments that share the video's file (the catch-up copies sent to the
absent students, `catchup.py`) and the .mjr folder Janus wrote; the recording's message in the call's chat keeps its
place and says «Запись удалена» (everyone's page hears "message.edited"); the Recording stays, status "deleted", so
the call's history and the journal still know it was recorded.

Who may delete: the call's organizer, whoever started the recording, or an admin of the call's chat's organization.
A recording running now is stopped first by «Остановить запись», not deleted (409 `recording_active`); one being
processed waits for its video (409 `recording_processing`).

The Russian of these words is in chatui's catalogue (parta/messenger/chatui/locale), next to the chat's own words.
"""

from __future__ import annotations

import datetime
import logging
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from parta.messenger.accounts.models import Profile
from parta.messenger.calls.models import Recording, RecordingStatus
from parta.messenger.chats.models import Attachment, Membership, Message
from parta.messenger.chats.selectors import get_message
from parta.messenger.chats.services.events import publish_message
from parta.messenger.errors import Refusal
from parta.messenger.orgs.models import Organization
from parta.messenger.orgs.selectors import admin_organization_ids

log = logging.getLogger(__name__)

DELETED_TEXT = "The recording has been deleted."  # msgid; the message says it in the site's language (Russian)
# A recording being processed is not deleted: the worker's finish would put the video back (it sets READY without
# looking); it is deleted once ready or failed (the organizer, or the next daily cleanup).
REMOVABLE = (RecordingStatus.READY, RecordingStatus.FAILED)


def recording_not_found() -> Refusal:
    return Refusal("recording_not_found", _("There is no such recording."), status=404)


def recording_delete_not_allowed() -> Refusal:
    return Refusal(
        "recording_delete_not_allowed",
        _("Only the call's organizer or the school's administrator may delete the recording."),
        status=403,
    )


def recording_active() -> Refusal:
    return Refusal("recording_active", _("The recording is still running: stop it first."), status=409)


def recording_processing() -> Refusal:
    return Refusal(
        "recording_processing",
        _("The recording is being processed: it can be deleted once the video is in the chat."),
        status=409,
    )


@dataclass(frozen=True)
class RecordingRef:
    """What the chat page needs to offer «Удалить запись» on a message."""

    public_id: str
    status: str
    may_delete: bool


def may_delete(actor: Profile, recording: Recording) -> bool:
    call = recording.call
    if actor.pk in (call.created_by_id, recording.started_by_id):
        return True
    organization_id = call.chat.organization_id
    return organization_id is not None and organization_id in admin_organization_ids(actor.pk)


def recording_of_message(*, actor: Profile, message_id: int) -> RecordingRef:
    """The recording whose message this is, for a member of the message's chat; 404 otherwise (a message that is no
    recording, a chat one is not in, a deleted recording)."""
    recording = (
        Recording.objects.select_related("call__chat")
        .filter(message_id=message_id)
        .exclude(status=RecordingStatus.DELETED)
        .first()
    )
    if recording is None or not Membership.objects.filter(chat_id=recording.call.chat_id, profile=actor).exists():
        raise recording_not_found()
    allowed = may_delete(actor, recording)
    return RecordingRef(public_id=str(recording.public_id), status=recording.status, may_delete=allowed)


def delete_recording(actor: Profile, recording_id: str) -> Recording:
    """«Удалить запись»: the organizer (or the organization's admin) deletes a recording for everyone. Deleting twice
    changes nothing. Locks the recording row."""
    with transaction.atomic():
        recording = _lock(recording_id)
        allowed = recording is not None and may_delete(actor, recording)
        if recording is None or not (
            allowed or Membership.objects.filter(chat_id=recording.call.chat_id, profile=actor).exists()
        ):
            raise recording_not_found()  # outsiders learn nothing about it
        if not allowed:
            raise recording_delete_not_allowed()
        if recording.status == RecordingStatus.RECORDING:
            raise recording_active()
        if recording.status == RecordingStatus.PROCESSING:
            raise recording_processing()
        if recording.status != RecordingStatus.DELETED:
            _erase(recording)
    return recording


def delete_expired(now: datetime.datetime | None = None) -> int:
    """The daily cleanup: every recording older than its organization's `recording_retention_days` (counted from its
    stop) is deleted as by «Удалить запись». Organizations without a retention keep theirs. Returns how many."""
    now = now or timezone.now()
    deleted = 0
    for organization in Organization.objects.filter(recording_retention_days__isnull=False).only(
        "pk", "recording_retention_days"
    ):
        days = organization.recording_retention_days or 0
        cutoff = now - datetime.timedelta(days=days)
        expired = (
            Recording.objects.filter(call__chat__organization=organization, status__in=REMOVABLE)
            .filter(stopped_at__lt=cutoff)
            .values_list("pk", flat=True)
        )
        for pk in list(expired):
            with transaction.atomic():
                recording = Recording.objects.select_for_update().select_related("call__chat").filter(pk=pk).first()
                if recording is None or recording.status not in REMOVABLE:
                    continue
                _erase(recording)
                deleted += 1
    if deleted:
        log.info("recordings: deleted %d past their organizations' retention", deleted)
    return deleted


# --- the work ---------------------------------------------------------------------------------------------------------


def _lock(recording_id: str) -> Recording | None:
    try:
        public_id = uuid.UUID(str(recording_id))
    except ValueError:  # not a UUID: like one that does not exist
        return None
    return Recording.objects.select_for_update().select_related("call__chat").filter(public_id=public_id).first()


def _erase(recording: Recording) -> None:
    """Inside the caller's transaction: attachments and the message now, the files after the commit."""
    names: set[str] = set()
    message = recording.message
    video_names: set[str] = set()
    if message is not None:
        for attachment in message.attachments.all():
            if attachment.kind == "video":
                video_names.add(attachment.file.name)
    shared = Attachment.objects.filter(file__in=video_names) if video_names else Attachment.objects.none()
    touched: set[int] = set()
    for attachment in shared.select_related("message"):
        names.update(name for name in (attachment.file.name, attachment.thumbnail.name) if name)
        touched.add(attachment.message_id)
    shared.delete()
    if message is not None:
        for attachment in message.attachments.all():  # whatever else the recording's message carried
            names.update(name for name in (attachment.file.name, attachment.thumbnail.name) if name)
        message.attachments.all().delete()
        touched.add(message.pk)
        with translation.override(settings.LANGUAGE_CODE):
            text = gettext(DELETED_TEXT)
        if message.deleted_at is None and message.text != text:
            message.text = text  # not the organizer's edit (no «изменено»), like the worker's progress text
            message.save(update_fields=["text"])
    for message_id in touched:
        changed = Message.objects.filter(pk=message_id).values_list("chat_id", "deleted_at").first()
        if changed is not None and changed[1] is None:
            publish_message("message.edited", get_message(chat_id=changed[0], message_id=message_id))
    recording.status = RecordingStatus.DELETED
    recording.save(update_fields=["status"])
    folder = recording.folder
    transaction.on_commit(lambda: _delete_files(sorted(names), folder))


def _delete_files(names: list[str], folder: str) -> None:
    shared = set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
    shared |= set(Attachment.objects.filter(thumbnail__in=names).values_list("thumbnail", flat=True))
    for name in (name for name in names if name not in shared):  # e.g. a board's PDF another message still has
        try:
            default_storage.delete(name)
        except OSError:
            log.warning("recordings: could not delete %s from the storage", name, exc_info=True)
    # The .mjr files Janus wrote (kept by a failed processing): only ever inside CALLS_RECORDINGS_DIR.
    root = Path(getattr(settings, "CALLS_RECORDINGS_DIR", "") or "/nonexistent").resolve()
    path = Path(folder).resolve() if folder else None
    if path is not None and path.is_dir() and path != root and root in path.parents:
        shutil.rmtree(path, ignore_errors=True)
