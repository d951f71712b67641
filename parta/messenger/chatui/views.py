"""Pages of the chat web UI (C4–C7, issue 3 item 9): thin shells with the first data; the ES modules do the rest.

Each page embeds what it shows first (the chat list, the open chat's newest messages) as JSON together with the
profile's event seq read BEFORE that data, so the page's WebSocket resumes from a point its state already includes:
an event applied twice is harmless (the client ignores what it has), an event missed would not be.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from parta.messenger.accounts.current import current_profile
from parta.messenger.accounts.models import Profile
from parta.messenger.chats import selectors as chat_selectors
from parta.messenger.chats.schemas import chat_out, message_out
from parta.messenger.chatui.strings import chat_strings
from parta.messenger.orgs.selectors import has_confirmed_role
from parta.messenger.realtime.selectors import get_last_seq


def _me(profile: Profile) -> dict[str, Any]:
    return {"id": profile.pk, "name": profile.full_name or profile.short_name, "short_name": profile.short_name}


def _render_app(request: HttpRequest, *, chat_id: int | None) -> HttpResponse:
    me = current_profile(request)
    after = get_last_seq(profile_id=me.pk)  # first: everything read below is at least as new as this seq
    chats = [chat_out(view) for view in chat_selectors.list_chats(me)]
    opened: dict[str, Any] | None = None
    current = next((chat for chat in chats if chat.id == chat_id), None) if chat_id is not None else None
    if chat_id is not None:
        if current is None:  # not a member, or no such chat: the same answer (no IDOR)
            raise Http404
        messages, has_more = chat_selectors.list_messages(chat_id=chat_id)
        opened = {
            "id": chat_id,
            "messages": [message_out(m).model_dump(mode="json") for m in messages],
            "has_more": has_more,
        }
    boot = {
        "me": _me(me),
        "after": after,
        "chats": [chat.model_dump(mode="json") for chat in chats],
        "open": opened,
        "has_confirmed_role": has_confirmed_role(me.pk),
    }
    context = {
        "boot": boot,
        "strings": chat_strings(),
        "chats": chats,
        "open_chat": current,
        "has_confirmed_role": boot["has_confirmed_role"],
    }
    return render(request, "chatui/app.html", context)


@login_required
@require_safe
def chat_list(request: HttpRequest) -> HttpResponse:
    """«Чаты»: the list; on a wide screen the right side invites to pick a chat."""
    return _render_app(request, chat_id=None)


@xframe_options_sameorigin  # the call page shows the call's chat in a side panel (calls/templates/calls/call.html)
@login_required
@require_safe
def chat(request: HttpRequest, chat_id: int) -> HttpResponse:
    """One chat open next to the list (on a phone: the chat alone). 404 for a chat one is not in."""
    return _render_app(request, chat_id=chat_id)


@login_required
@require_safe
def new_chat(request: HttpRequest) -> HttpResponse:
    """«Создать чат»: name, members from people search, «Закрытый чат» (recommended) → «Сохранить»."""
    me = current_profile(request)
    return render(request, "chatui/new_chat.html", {"boot": {"me": _me(me)}, "strings": chat_strings()})
