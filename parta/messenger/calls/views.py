"""The call page (V2, V4, V5, V8, V9): a thin shell with the first data; the ES modules (web/messenger/calls/) do the
rest.

Who may open it: a member of the call's chat, or anyone with the link when the call lets guests in. Everything the
page does goes through /api/v1/calls/ (docs/calls.md), which checks every permission again; this view only decides
whether to show the page at all, and answers a call one may not see the same way as a call that does not exist.

janus.js and adapter.js come from the Debian packages libjs-janus-gateway and libjs-webrtc-adapter (the same release
as the Janus server); without them the page says calls are unavailable instead of failing in the browser.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from parta.messenger.accounts.models import Profile
from parta.messenger.calls.models import Call, Recording, RecordingStatus
from parta.messenger.calls.strings import call_strings
from parta.messenger.chats.models import Membership
from parta.messenger.realtime.selectors import get_last_seq

# The browser libraries the page needs, by the name it asks for (settings.CALLS_JS_LIBRARIES may point elsewhere).
JS_LIBRARIES = {
    "janus.js": "/usr/share/javascript/janus-gateway/janus.js",
    "adapter.js": "/usr/share/javascript/webrtc-adapter/adapter.js",
}
POLL_SECONDS = 10  # the heartbeat is also the page's poll of the call's state (docs/calls.md)


def _libraries() -> dict[str, Path]:
    return {name: Path(path) for name, path in getattr(settings, "CALLS_JS_LIBRARIES", JS_LIBRARIES).items()}


def _library_versions() -> dict[str, int] | None:
    """The libraries' modification times (for cache-busting URLs), or None when one of them is missing."""
    versions = {}
    for name, path in _libraries().items():
        try:
            versions[name] = int(path.stat().st_mtime)
        except OSError:
            return None
    return versions


@require_safe
def call_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    call = Call.objects.select_related("chat").filter(public_id=public_id).first()
    user = request.user
    profile = user if isinstance(user, Profile) else None
    signed_in = profile is not None
    is_member = (
        call is not None
        and profile is not None
        and Membership.objects.filter(chat_id=call.chat_id, profile_id=profile.pk).exists()
    )
    if call is None or not (is_member or call.allow_anonymous):
        if not signed_in:  # the same for a call that exists and one that does not: sign in first
            return redirect_to_login(request.get_full_path())
        raise Http404
    versions = _library_versions()
    boot: dict[str, Any] = {
        "call": {"id": str(call.public_id), "pk": call.pk, "title": call.title, "kind": call.kind},
        "chat_id": call.chat_id if is_member else None,
        "chat_url": f"/chats/{call.chat_id}/" if is_member else None,
        "me": {"id": profile.pk, "name": profile.full_name or profile.short_name} if profile else None,
        "guest": profile is None,
        "after": get_last_seq(profile_id=profile.pk) if profile else 0,
        "ended": not call.is_live,
        # «Урок записывается» before joining (issue 11); the call's state (`recording`) says it too.
        "recording_active": Recording.objects.filter(call=call, status=RecordingStatus.RECORDING).exists(),
        "libraries": versions is not None,
        "poll_seconds": min(POLL_SECONDS, settings.CALLS_HEARTBEAT_SECONDS),
    }
    context = {
        "call": call,
        "boot": boot,
        "strings": call_strings(),
        # adapter.js first: janus.js expects its global `adapter`.
        "library_urls": [
            f"{reverse('calls:library', kwargs={'name': name})}?v={versions[name]}"
            for name in ("adapter.js", "janus.js")
        ]
        if versions
        else [],
        "is_member": is_member,
        "guest": not signed_in,
        "starts_soon": call.starts_at is not None and call.starts_at > timezone.now(),
    }
    response = render(request, "calls/call.html", context)
    # Camera, microphone and screen for this page only; the chat panel is a same-origin frame.
    response["Permissions-Policy"] = "camera=(self), microphone=(self), display-capture=(self)"
    return response


@require_safe
def library(request: HttpRequest, name: str) -> HttpResponse:
    """janus.js or adapter.js from the system's packages, cached by the browser (the URL carries the version). Read
    whole (~150 KB): under ASGI a file response would be streamed from a synchronous iterator."""
    path = _libraries().get(name)
    if path is None or not path.is_file():
        raise Http404
    response = HttpResponse(path.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=604800, immutable" if request.GET.get("v") else "no-cache"
    return response
