"""The recordings API (/api/v1/recordings/…, issue 11): which recording a chat message is, and «Удалить запись».

A recording of a chat one is not in answers 404 like one that does not exist. Refusals answer {"code", "message"}.
"""

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema

from parta.messenger.accounts.current import current_profile
from parta.messenger.chats.schemas import MessageOut, message_out
from parta.messenger.chats.selectors import get_message
from parta.messenger.recordings import retention
from parta.messenger.webapi import answer_refusals, error_responses

router = Router(tags=["recordings"])

Status = Literal["recording", "processing", "ready", "failed", "deleted"]


class RecordingRefOut(Schema):
    id: str  # the recording's public id (in DELETE /api/v1/recordings/<id>)
    status: Status
    may_delete: bool  # the call's organizer, whoever started it, the organization's admin


class RecordingDeletedOut(Schema):
    id: str
    status: Status  # "deleted"
    message: MessageOut | None  # the call's chat's message, now «Запись удалена»


@router.get("/", response={200: RecordingRefOut, **error_responses(404)}, summary="The recording of a chat message")
@answer_refusals
def recording_of_message(request: HttpRequest, message_id: int) -> RecordingRefOut:
    ref = retention.recording_of_message(actor=current_profile(request), message_id=message_id)
    return RecordingRefOut(id=ref.public_id, status=ref.status, may_delete=ref.may_delete)  # type: ignore[arg-type]


@router.delete(
    "/{recording_id}",
    response={200: RecordingDeletedOut, **error_responses(403, 404, 409)},
    summary="Delete a recording (the organizer)",
)
@answer_refusals
def delete_recording(request: HttpRequest, recording_id: str) -> RecordingDeletedOut:
    actor = current_profile(request)
    recording = retention.delete_recording(actor, recording_id)
    message = None
    if recording.message_id is not None:
        stored = get_message(chat_id=recording.call.chat_id, message_id=recording.message_id)
        message = message_out(stored)
    return RecordingDeletedOut(id=str(recording.public_id), status=recording.status, message=message)  # type: ignore[arg-type]
