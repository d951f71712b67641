"""The chats API (/api/v1/chats/…, B3): thin endpoints over the services and selectors.

Every chat, message and invite is looked up from the signed-in profile's memberships: a chat one is not in answers
404 like one that does not exist. Refusals answer {"code", "message"} (ErrorOut) with a 4xx status.
"""

import io

import segno
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from parta.messenger.accounts.current import current_profile
from parta.messenger.accounts.models import Profile
from parta.messenger.chats import selectors, services
from parta.messenger.chats.schemas import (
    ChatCreateIn,
    ChatDetailOut,
    ChatOut,
    ChatUpdateIn,
    DirectIn,
    InviteIn,
    InviteOut,
    InvitePreviewOut,
    MemberOut,
    MemberRoleIn,
    MembersAddIn,
    MessageEditIn,
    MessageIn,
    MessageOut,
    MessagePageOut,
    ReadIn,
    ReadOut,
    ReportIn,
    ReportOut,
    SearchHitOut,
    chat_out,
    chat_title,
    invite_out,
    invite_status,
    message_out,
    report_out,
)
from parta.messenger.orgs.schemas import person_out
from parta.messenger.webapi import answer_refusals, error_responses

router = Router(tags=["chats"])
OPTIONAL_FILES = File(None)  # a multipart send may carry text only


def _detail(profile: Profile, chat_id: int) -> ChatDetailOut:
    view = selectors.get_chat(profile, chat_id)
    members = [
        MemberOut(**person_out(m.profile).model_dump(), role=m.role, joined_at=m.joined_at)  # type: ignore[arg-type]
        for m in selectors.chat_members(chat_id)
    ]
    return ChatDetailOut(**chat_out(view).model_dump(), members=members)


# --- chats ------------------------------------------------------------------------------------------------------------


@router.get("/", response=list[ChatOut], summary="My chats, newest activity first")
def list_chats(request: HttpRequest) -> list[ChatOut]:
    return [chat_out(view) for view in selectors.list_chats(current_profile(request))]


@router.post("/", response={201: ChatDetailOut, **error_responses(400, 403)}, summary="Create a chat («Создать чат»)")
@answer_refusals
def create_chat(request: HttpRequest, payload: ChatCreateIn) -> Status:
    chat = services.create_chat(
        creator=current_profile(request),
        title=payload.title,
        member_ids=payload.member_ids,
        is_closed=payload.is_closed,
    )
    return Status(201, _detail(current_profile(request), chat.pk))


@router.post(
    "/direct/",
    response={200: ChatDetailOut, 201: ChatDetailOut, **error_responses(400, 403)},
    summary="Open the direct chat with a person (made on first use)",
)
@answer_refusals
def open_direct_chat(request: HttpRequest, payload: DirectIn) -> Status:
    chat, created = services.open_direct_chat(actor=current_profile(request), profile_id=payload.profile_id)
    return Status(201 if created else 200, _detail(current_profile(request), chat.pk))


@router.get("/{int:chat_id}/", response={200: ChatDetailOut, **error_responses(404)}, summary="A chat with its members")
@answer_refusals
def get_chat(request: HttpRequest, chat_id: int) -> ChatDetailOut:
    return _detail(current_profile(request), chat_id)


@router.patch(
    "/{int:chat_id}/", response={200: ChatDetailOut, **error_responses(400, 403, 404)}, summary="Change settings"
)
@answer_refusals
def update_chat(request: HttpRequest, chat_id: int, payload: ChatUpdateIn) -> ChatDetailOut:
    services.update_chat_settings(
        actor=current_profile(request),
        chat_id=chat_id,
        title=payload.title,
        is_closed=payload.is_closed,
        allow_call_recording=payload.allow_call_recording,
    )
    return _detail(current_profile(request), chat_id)


@router.post(
    "/{int:chat_id}/members/", response={200: ChatDetailOut, **error_responses(400, 403, 404)}, summary="Add people"
)
@answer_refusals
def add_members(request: HttpRequest, chat_id: int, payload: MembersAddIn) -> ChatDetailOut:
    services.add_members(actor=current_profile(request), chat_id=chat_id, profile_ids=payload.profile_ids)
    return _detail(current_profile(request), chat_id)


@router.delete(
    "/{int:chat_id}/members/{int:profile_id}/", response={204: None, **error_responses(403, 404)}, summary="Remove"
)
@answer_refusals
def remove_member(request: HttpRequest, chat_id: int, profile_id: int) -> Status:
    services.remove_member(actor=current_profile(request), chat_id=chat_id, profile_id=profile_id)
    return Status(204, None)


@router.put(
    "/{int:chat_id}/members/{int:profile_id}/role/",
    response={200: ChatDetailOut, **error_responses(403, 404, 409)},
    summary="Make a member an admin, or a plain member again",
)
@answer_refusals
def set_member_role(request: HttpRequest, chat_id: int, profile_id: int, payload: MemberRoleIn) -> ChatDetailOut:
    services.set_member_role(actor=current_profile(request), chat_id=chat_id, profile_id=profile_id, role=payload.role)
    return _detail(current_profile(request), chat_id)


@router.post("/{int:chat_id}/leave/", response={204: None, **error_responses(403, 404)}, summary="Leave the chat")
@answer_refusals
def leave_chat(request: HttpRequest, chat_id: int) -> Status:
    services.leave_chat(profile=current_profile(request), chat_id=chat_id)
    return Status(204, None)


# --- invites ----------------------------------------------------------------------------------------------------------


@router.get("/{int:chat_id}/invites/", response={200: list[InviteOut], **error_responses(404)}, summary="Invite links")
@answer_refusals
def list_invites(request: HttpRequest, chat_id: int) -> list[InviteOut]:
    membership = selectors.get_membership(profile=current_profile(request), chat_id=chat_id)
    now = timezone.now()
    return [invite_out(invite, now) for invite in selectors.list_invites(membership)]


@router.post(
    "/{int:chat_id}/invites/", response={201: InviteOut, **error_responses(400, 403, 404)}, summary="New invite link"
)
@answer_refusals
def create_invite(request: HttpRequest, chat_id: int, payload: InviteIn) -> Status:
    invite = services.create_invite(
        actor=current_profile(request), chat_id=chat_id, expires_at=payload.expires_at, max_uses=payload.max_uses
    )
    invite.created_by = current_profile(request)
    return Status(201, invite_out(invite, timezone.now()))


@router.delete(
    "/{int:chat_id}/invites/{int:invite_id}/", response={200: InviteOut, **error_responses(403, 404)}, summary="Revoke"
)
@answer_refusals
def revoke_invite(request: HttpRequest, chat_id: int, invite_id: int) -> InviteOut:
    invite = services.revoke_invite(actor=current_profile(request), chat_id=chat_id, invite_id=invite_id)
    return invite_out(invite, timezone.now())


@router.get(
    "/{int:chat_id}/invites/{int:invite_id}/qr.svg",
    url_name="chat_invite_qr",
    response={200: None, **error_responses(404)},
    summary="The invite link as a QR code (SVG)",
    openapi_extra={"responses": {"200": {"description": "QR code", "content": {"image/svg+xml": {}}}}},
)
@answer_refusals
def invite_qr(request: HttpRequest, chat_id: int, invite_id: int) -> HttpResponse:
    membership = selectors.get_membership(profile=current_profile(request), chat_id=chat_id)
    invite = selectors.get_invite(chat_id=chat_id, invite_id=invite_id)
    if not selectors.may_see_invite(membership, invite):
        raise selectors.invite_not_found()
    svg = io.BytesIO()  # a standalone SVG document (with its namespace), so that <img src> draws it
    segno.make(invite_out(invite, timezone.now()).url, error="m").save(
        svg, kind="svg", xmldecl=False, scale=8, border=2
    )
    response = HttpResponse(svg.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/invites/{token}/",
    response={200: InvitePreviewOut, **error_responses(404)},
    summary="What an invite link leads to (name and member count)",
)
@answer_refusals
def invite_preview(request: HttpRequest, token: str) -> InvitePreviewOut:
    invite = selectors.invite_by_token(token)
    if invite is None:
        raise selectors.invite_not_found()
    return InvitePreviewOut(
        title=chat_title(invite.chat, None),
        member_count=selectors.member_count(invite.chat_id),
        status=invite_status(invite, timezone.now()),
        is_member=selectors.is_member(profile_id=current_profile(request).pk, chat_id=invite.chat_id),
    )


@router.post(
    "/invites/{token}/join/",
    response={200: ChatDetailOut, 201: ChatDetailOut, **error_responses(403, 404, 410)},
    summary="Join a chat by its invite link («Вступить»)",
)
@answer_refusals
def join_by_invite(request: HttpRequest, token: str) -> Status:
    chat, joined = services.join_by_invite(profile=current_profile(request), token=token)
    return Status(201 if joined else 200, _detail(current_profile(request), chat.pk))


# --- messages ---------------------------------------------------------------------------------------------------------


@router.get(
    "/{int:chat_id}/messages/", response={200: MessagePageOut, **error_responses(404)}, summary="History, paged by seq"
)
@answer_refusals
def list_messages(
    request: HttpRequest, chat_id: int, before: int | None = None, after: int | None = None, limit: int = 50
) -> MessagePageOut:
    selectors.get_membership(profile=current_profile(request), chat_id=chat_id)
    page, has_more = selectors.list_messages(chat_id=chat_id, before=before, after=after, limit=limit)
    return MessagePageOut(messages=[message_out(m) for m in page], has_more=has_more)


@router.post(
    "/{int:chat_id}/messages/",
    response={200: MessageOut, 201: MessageOut, **error_responses(400, 404, 409)},
    summary="Send a text message (201; 200 for a retry with the same client_id)",
)
@answer_refusals
def send_message(request: HttpRequest, chat_id: int, payload: MessageIn) -> Status:
    message, created = services.send_message(
        sender=current_profile(request),
        chat_id=chat_id,
        client_id=payload.client_id,
        text=payload.text,
        reply_to_id=payload.reply_to_id,
    )
    return Status(201 if created else 200, message_out(message))


@router.post(
    "/{int:chat_id}/messages/upload/",
    response={200: MessageOut, 201: MessageOut, **error_responses(400, 404, 409, 413, 415)},
    summary="Send a message with files (multipart/form-data; 201; 200 for a retry)",
)
@answer_refusals
def send_message_with_files(
    request: HttpRequest, chat_id: int, payload: Form[MessageIn], files: list[UploadedFile] = OPTIONAL_FILES
) -> Status:
    message, created = services.send_message(
        sender=current_profile(request),
        chat_id=chat_id,
        client_id=payload.client_id,
        text=payload.text,
        reply_to_id=payload.reply_to_id,
        files=files or [],
    )
    return Status(201 if created else 200, message_out(message))


@router.get(
    "/{int:chat_id}/messages/{int:message_id}/",
    response={200: MessageOut, **error_responses(404)},
    summary="One message",
)
@answer_refusals
def get_message(request: HttpRequest, chat_id: int, message_id: int) -> MessageOut:
    selectors.get_membership(profile=current_profile(request), chat_id=chat_id)
    return message_out(selectors.get_message(chat_id=chat_id, message_id=message_id))


@router.patch(
    "/{int:chat_id}/messages/{int:message_id}/",
    response={200: MessageOut, **error_responses(400, 403, 404, 409)},
    summary="Edit",
)
@answer_refusals
def edit_message(request: HttpRequest, chat_id: int, message_id: int, payload: MessageEditIn) -> MessageOut:
    message = services.edit_message(
        editor=current_profile(request), chat_id=chat_id, message_id=message_id, text=payload.text
    )
    return message_out(message)


@router.delete(
    "/{int:chat_id}/messages/{int:message_id}/",
    response={200: MessageOut, **error_responses(403, 404)},
    summary="Delete for everyone (own messages; a chat's admins any)",
)
@answer_refusals
def delete_message(request: HttpRequest, chat_id: int, message_id: int) -> MessageOut:
    return message_out(services.delete_message(actor=current_profile(request), chat_id=chat_id, message_id=message_id))


@router.post("/{int:chat_id}/read/", response={200: ReadOut, **error_responses(404)}, summary="Mark read up to a seq")
@answer_refusals
def mark_read(request: HttpRequest, chat_id: int, payload: ReadIn) -> ReadOut:
    seq = services.mark_read(profile=current_profile(request), chat_id=chat_id, seq=payload.seq)
    return ReadOut(chat_id=chat_id, last_read_seq=seq)


@router.get("/search/", response={200: list[SearchHitOut], **error_responses(400)}, summary="Search my chats' messages")
@answer_refusals
def search(request: HttpRequest, q: str, chat_id: int | None = None, limit: int = 30) -> list[SearchHitOut]:
    found = selectors.search_messages(current_profile(request), q, chat_id=chat_id, limit=limit)
    # A direct chat is titled by the other person: one more query, only when a hit is in a direct chat.
    direct = {m.chat_id for m in found if m.chat.kind == "direct"}
    peers = selectors.direct_peers(direct, current_profile(request).pk) if direct else {}
    return [
        SearchHitOut(chat_id=m.chat_id, chat_title=chat_title(m.chat, peers.get(m.chat_id)), message=message_out(m))
        for m in found
    ]


# --- reports («Пожаловаться») -----------------------------------------------------------------------------------------


@router.post(
    "/{int:chat_id}/messages/{int:message_id}/report/",
    response={201: ReportOut, **error_responses(400, 404, 409)},
    summary="Report a message to the organization's admins («Пожаловаться»)",
)
@answer_refusals
def report_message(request: HttpRequest, chat_id: int, message_id: int, payload: ReportIn) -> Status:
    report = services.report_message(
        reporter=current_profile(request), chat_id=chat_id, message_id=message_id, reason=payload.reason
    )
    return Status(201, report_out(selectors.get_report(report.pk)))


@router.get(
    "/reports/", response={200: list[ReportOut], **error_responses(403)}, summary="Reports for organization admins"
)
@answer_refusals
def list_reports(request: HttpRequest, include_resolved: bool = False) -> list[ReportOut]:
    return [
        report_out(r) for r in selectors.reports_for_admin(current_profile(request), include_resolved=include_resolved)
    ]


@router.post(
    "/reports/{int:report_id}/resolve/", response={200: ReportOut, **error_responses(404)}, summary="Mark resolved"
)
@answer_refusals
def resolve_report(request: HttpRequest, report_id: int) -> ReportOut:
    report = services.resolve_report(admin=current_profile(request), report_id=report_id)
    return report_out(selectors.get_report(report.pk))
