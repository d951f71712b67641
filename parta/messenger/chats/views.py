"""Pages and files of chats outside the JSON API: attachments (members only, safe headers) and the invite page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, cast

from django.contrib.auth.views import redirect_to_login
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_safe

from parta.messenger.accounts.current import current_profile
from parta.messenger.chats import selectors, services
from parta.messenger.chats.errors import ChatRefusal
from parta.messenger.chats.models import Attachment
from parta.messenger.chats.schemas import INLINE_KINDS
from parta.messenger.chats.services.invites import check_invite

# An uploaded file must never run as a page of the messenger: no scripts, no plugins, a sandbox of its own.
FILE_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _member_attachment(request: HttpRequest, pk: int) -> Attachment:
    """The attachment if the signed-in profile is in its chat and the message is not deleted; 404 otherwise."""
    if not request.user.is_authenticated:
        raise Http404
    attachment = Attachment.objects.filter(
        pk=pk, message__deleted_at__isnull=True, message__chat__memberships__profile_id=request.user.pk
    ).first()
    if attachment is None:
        raise Http404
    return attachment


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) of a single "Range: bytes=…" the file can serve, so video and audio can seek; else None."""
    match = RANGE_RE.match(header.strip())
    if not match or size == 0 or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    return (start, end) if start <= end < size else None


def _chunks(handle: IO[bytes], length: int) -> Iterator[bytes]:
    try:
        while length > 0:
            data = handle.read(min(CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        handle.close()


def _file_response(request: HttpRequest, field: FieldFile, *, content_type: str) -> HttpResponseBase:
    size = field.size
    handle = cast(IO[bytes], field.open("rb"))
    span = _byte_range(request.headers.get("Range", ""), size)
    if span is None:
        response: HttpResponseBase = StreamingHttpResponse(_chunks(handle, size), content_type=content_type)
        response["Content-Length"] = str(size)
        return response
    start, end = span
    handle.seek(start)
    response = StreamingHttpResponse(_chunks(handle, end - start + 1), status=206, content_type=content_type)
    response["Content-Length"] = str(end - start + 1)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response


def _safe_headers(response: HttpResponseBase, *, inline: bool, filename: str) -> HttpResponseBase:
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=86400"
    response["Accept-Ranges"] = "bytes"
    return response


@require_safe
def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file itself: photos, audio and video inline (with byte ranges), anything else — and `?download=1` — as a
    download. The stored type is the sniffed one, never what the uploader's browser declared."""
    item = _member_attachment(request, pk)
    inline = item.kind in INLINE_KINDS and not request.GET.get("download")
    content_type = item.content_type if inline else (item.content_type or "application/octet-stream")
    response = _file_response(request, item.file, content_type=content_type)
    return _safe_headers(response, inline=inline, filename=item.original_name)


@require_safe
def attachment_thumbnail(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = _member_attachment(request, pk)
    if not item.thumbnail:
        raise Http404
    response = _file_response(request, item.thumbnail, content_type="image/webp")
    return _safe_headers(response, inline=True, filename="thumbnail.webp")


def chat_page_url(chat_id: int) -> str:
    """Where the web UI shows a chat (the chat UI's page when it is installed)."""
    try:
        return reverse("chatui:chat", kwargs={"chat_id": chat_id})
    except NoReverseMatch:
        return "/"


@require_http_methods(["GET", "HEAD", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invite link opens: the chat's name, its member count and «Вступить».

    Signed out, «Вступить» leads to sign-in and back here. Unknown links answer 404, expired, revoked and used-up
    ones 410, each with a page that says what to do.
    """
    try:
        invite = check_invite(selectors.invite_by_token(token))
    except ChatRefusal as refusal:
        return render(request, "messenger_chats/join.html", {"refusal": refusal}, status=refusal.status)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url="/")
        try:
            chat, _joined = services.join_by_invite(profile=current_profile(request), token=token)
        except ChatRefusal as refusal:
            return render(request, "messenger_chats/join.html", {"refusal": refusal}, status=refusal.status)
        return redirect(chat_page_url(chat.pk))
    is_member = request.user.is_authenticated and selectors.is_member(
        profile_id=request.user.pk, chat_id=invite.chat_id
    )
    context = {
        "chat": invite.chat,
        "member_count": selectors.member_count(invite.chat_id),
        "is_member": is_member,
        "chat_url": chat_page_url(invite.chat_id),
        "sign_in_url": redirect_to_login(request.get_full_path(), login_url="/").url,
    }
    return render(request, "messenger_chats/join.html", context)
