"""«Управление чатами» (C2, C3): the teacher's load with its subject chats, and «Добавить».

The list asks the messenger which chats it has, so it is an async view: a slow messenger delays only this page.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from parta.common.integration.schemas import SubjectChatRef
from parta.journal.messenger_link.client import Refused, Unavailable
from parta.journal.messenger_link.subject_chats import selectors, services
from parta.journal.messenger_link.subject_chats.forms import SubjectChatForm
from parta.journal.school.models import TeachingLoad
from parta.journal.school.selectors import ajournal_roles, journal_roles

logger = logging.getLogger(__name__)
# Rendering reads the database (the header's roles, the session's messages): off the event loop.
arender = sync_to_async(render)


async def _remote_chats(school_ids: list[int]) -> dict[selectors.RemoteKey, SubjectChatRef] | None:
    """The messenger's subject chats of these schools; None when it is away (the page says so) or not set up."""
    try:
        return await services.aremote_subject_chats(school_ids=school_ids)
    except (Unavailable, Refused) as error:
        logger.warning("Could not read the messenger's subject chats: %s", error)
        return None


@require_GET
@login_required
async def chats(request: HttpRequest) -> HttpResponse:
    """The teacher's load with its subject chats; «Добавить» where there is none, «Перейти в чат» where there is."""
    roles = await ajournal_roles(request)
    rows = await sync_to_async(selectors.list_chat_rows)(roles=roles)
    remote = await _remote_chats(selectors.school_ids_of(rows)) if rows else {}
    for row in rows:
        row.remote = (remote or {}).get(row.key)
    context = {"nav": "journal", "rows": rows, "remote_unavailable": rows and remote is None}
    return await arender(request, "messenger_link/chats.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def add_chat(request: HttpRequest) -> HttpResponse:
    """«Добавить»: class, subject (group) and «Добавить родителей»; the name is made from them."""
    roles = journal_roles(request)
    loads = list(selectors.manageable_load(roles=roles))
    if request.method == "POST":
        form = SubjectChatForm(request.POST, loads=loads)
        if form.is_valid() and form.load is not None:
            chat = services.request_subject_chat(
                load=form.load,
                include_parents=form.cleaned_data["include_parents"],
                requested_by=request.user,  # type: ignore[arg-type]
            )
            messages.success(request, _("The chat «%(name)s» is being created in the messenger.") % {"name": chat.name})
            return redirect("messenger_link:chats")
        status = 400
    else:
        form = SubjectChatForm(initial=_initial(request, loads), loads=loads)
        status = 200
    names = {f"{x.school_class_id}:{x.subject_id}:{x.group_id or ''}": services.subject_chat_name(x) for x in loads}
    chosen = form.load if form.is_bound else _chosen_load(request, loads)
    name = services.subject_chat_name(chosen) if chosen is not None else "—"
    context = {"nav": "journal", "form": form, "names": names, "name": name, "has_load": bool(loads)}
    return render(request, "messenger_link/add_chat.html", context, status=status)


def _chosen_load(request: HttpRequest, loads: list[TeachingLoad]) -> TeachingLoad | None:
    wanted = request.GET.get("load", "")
    return next((load for load in loads if str(load.pk) == wanted), None)


def _initial(request: HttpRequest, loads: list[TeachingLoad]) -> dict[str, Any]:
    """«Добавить» on a row of the list fills in its class, subject and group."""
    load = _chosen_load(request, loads)
    if load is None:
        return {}
    return {"school_class": load.school_class_id, "subject": load.subject_id, "group": load.group_id or ""}
