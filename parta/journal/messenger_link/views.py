"""Linking with the messenger (L1, L2, L6), its webhook, and «Управление чатами» (C2, C3).

The pages that call the messenger are async views: a slow or stopped messenger delays only the person who waits
for it, never the journal's other requests, and every call has a timeout and a Russian message when it fails.
The link status page itself is web:messenger (parta/journal/web/views.py).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError

from parta.common.integration.schemas import SIGNATURE_HEADER, LinkResult, SubjectChatRef, WebhookEvent
from parta.journal.accounts.models import User
from parta.journal.messenger_link import oauth, selectors, services
from parta.journal.messenger_link.client import Config, Refused, Unavailable, aperson_request, aserver_request
from parta.journal.messenger_link.forms import SubjectChatForm
from parta.journal.messenger_link.refs import person_ref, ref
from parta.journal.school.models import TeachingLoad
from parta.journal.school.selectors import Roles, get_roles, roles_for_request

logger = logging.getLogger(__name__)
FLOW_KEY = "messenger_link.flow"
PENDING_KEY = "messenger_link.pending"  # a confirmed identity waiting for «Связать» (another profile) or a retry
FLOW_MAX_AGE = 15 * 60  # seconds between «Привязать» and the callback
LINKED_ELSEWHERE = "linked_to_another_profile"
# A page that says the messenger is away is an ordinary answer of the journal (200), not a 5xx: Django would not save
# the session with a 5xx (the identity kept for «Повторить»), and the journal itself is fine.
UNAVAILABLE = 200


def _unavailable_text() -> str:
    return _(
        "The messenger is not answering right now. Nothing is lost: the journal works as usual, and you can try "
        "linking again in a few minutes."
    )


# Rendering reads the database (the header's roles, the session's messages): off the event loop.
arender = sync_to_async(render)


async def _outcome(request: HttpRequest, *, title: str, text: str, status: int = 200, **extra: Any) -> HttpResponse:
    context = {"nav": "messenger", "title": title, "text": text, **extra}
    return await arender(request, "messenger_link/outcome.html", context, status=status)


async def _user(request: HttpRequest) -> User:
    return await request.auser()  # type: ignore[return-value]


# --- starting the flow (L1 from the journal, L2 from the messenger) --------------------------------------------------


async def _start(request: HttpRequest, *, origin: str, replace: bool) -> HttpResponse:
    config = Config.from_settings()
    if not config.configured:
        return await _outcome(request, title=_("Linking is not set up"), text=_not_configured_text(), status=503)
    redirect_uri = f"{settings.JOURNAL_URL}{reverse('messenger_link:callback')}"
    try:
        url, flow = await oauth.begin(config, redirect_uri=redirect_uri, prompt="login" if replace else "")
    except (Unavailable, Refused) as error:
        logger.warning("Messenger discovery failed: %s", error)
        return await _outcome(
            request, title=_("The messenger is unavailable"), text=_unavailable_text(), status=UNAVAILABLE, retry=True
        )
    await request.session.aset(FLOW_KEY, {"flow": flow.to_session(), "origin": origin, "replace": replace})
    await request.session.apop(PENDING_KEY, None)
    return redirect(url)


def _not_configured_text() -> str:
    return _(
        "The journal is not registered in the messenger yet, so linking is switched off. Tell the school's "
        "administrator: the journal's client id and secret must be set."
    )


@require_POST
@login_required
async def start(request: HttpRequest) -> HttpResponse:
    """«Привязать учебный профиль» on the status page."""
    return await _start(request, origin="journal", replace=False)


@require_GET
@login_required
async def link_from_messenger(request: HttpRequest) -> HttpResponse:
    """Where the messenger's «Подключить дневник» leads (L2): after the journal's own sign-in, the same flow."""
    return await _start(request, origin="messenger", replace=False)


@require_http_methods(["GET", "POST"])
@login_required
async def relink(request: HttpRequest) -> HttpResponse:
    """«Привязать другой профиль»: asks first, then signs in to the messenger afresh (prompt=login)."""
    if request.method == "POST":
        return await _start(request, origin="journal", replace=True)
    link = await sync_to_async(selectors.get_link)(user=await _user(request))
    return await arender(request, "messenger_link/relink.html", {"nav": "messenger", "link": link})


# --- the callback ----------------------------------------------------------------------------------------------------


@require_GET
@login_required
async def callback(request: HttpRequest) -> HttpResponse:
    """The messenger sends the person back here with a code: exchange it, check the ID token, pass the data."""
    config = Config.from_settings()
    started = await request.session.apop(FLOW_KEY, None)
    started = started if isinstance(started, dict) else {}
    if request.GET.get("error"):
        return await _declined(request, str(request.GET["error"]))
    try:
        flow = oauth.check_state(
            oauth.Flow.from_session(started.get("flow")),
            state=request.GET.get("state", ""),
            issuer=request.GET.get("iss", ""),
            config=config,
            max_age=FLOW_MAX_AGE,
        )
        identity = await oauth.finish(config, flow=flow, code=request.GET.get("code", ""))
    except oauth.InvalidResponse as error:
        logger.warning("Messenger callback refused: %s", error)
        return await _outcome(request, title=_("Let us start again"), text=_start_again_text(), status=400, retry=True)
    except Unavailable as error:
        logger.warning("Messenger token exchange failed: %s", error)
        return await _outcome(
            request, title=_("The messenger is unavailable"), text=_unavailable_text(), status=UNAVAILABLE, retry=True
        )
    except Refused as error:
        logger.warning("Messenger refused the code: %s", error)
        return await _outcome(request, title=_("Let us start again"), text=_start_again_text(), status=400, retry=True)
    pending = {"access_token": identity.access_token, "subject": identity.subject, "name": identity.name}
    return await _link(request, config, pending, replace=bool(started.get("replace")))


def _start_again_text() -> str:
    return _(
        "The link from the messenger has expired or was opened in another browser. Nothing was changed: start "
        "linking once more from this page."
    )


async def _declined(request: HttpRequest, error: str) -> HttpResponse:
    if error == "access_denied":
        text = _("You did not give your consent in the messenger, so nothing was linked. You can link at any time.")
    else:
        text = _start_again_text()
    return await _outcome(request, title=_("The profile is not linked"), text=text, retry=True)


async def _link(request: HttpRequest, config: Config, pending: dict[str, str], *, replace: bool) -> HttpResponse:
    """POST /link with the person's token; the answer decides what the person sees next."""
    user = await _user(request)
    link_request = await sync_to_async(selectors.link_request)(user=user)
    if link_request is None:
        text = _("Your journal account has no role in a school yet, so there is nothing to link. Ask the school.")
        return await _outcome(request, title=_("The profile is not linked"), text=text, status=400)
    link_request.replace_existing = replace
    try:
        body = await aperson_request(
            config, "POST", "/link", access_token=pending["access_token"], json=link_request.model_dump(mode="json")
        )
        result = LinkResult.model_validate(body)
    except Unavailable as error:
        logger.warning("Messenger link failed: %s", error)
        await request.session.aset(PENDING_KEY, pending)
        return await _outcome(
            request, title=_("The messenger is unavailable"), text=_unavailable_text(), status=UNAVAILABLE, resume=True
        )
    except ValidationError:
        logger.exception("The messenger's answer to /link is not a LinkResult")
        return await _outcome(
            request, title=_("The messenger is unavailable"), text=_unavailable_text(), status=UNAVAILABLE, retry=True
        )
    except Refused as error:
        if error.error.code == LINKED_ELSEWHERE and not replace:
            await request.session.aset(PENDING_KEY, pending)
            return await arender(
                request, "messenger_link/confirm.html", {"nav": "messenger", "error": error.error, "pending": pending}
            )
        await request.session.apop(PENDING_KEY, None)  # the answer is final: the token is not kept
        return await _outcome(
            request,
            title=_("The messenger refused to link"),
            text=error.error.message,
            status=error.status,
            help_url=error.error.help_url,
            code=error.error.code,
            retry=True,
        )
    await request.session.apop(PENDING_KEY, None)
    await sync_to_async(services.record_link)(
        user=user, subject=pending["subject"], profile_name=pending["name"], result=result
    )
    return redirect("messenger_link:done")


@require_POST
@login_required
async def resume(request: HttpRequest) -> HttpResponse:
    """«Связать» after the confirmation, or «Повторить» after the messenger was away: the same identity again."""
    pending = await request.session.aget(PENDING_KEY)
    if not isinstance(pending, dict) or "access_token" not in pending:
        messages.info(request, _("Start linking once more: the previous attempt is no longer kept."))
        return redirect("web:messenger")
    replace = request.POST.get("replace") == "1"
    return await _link(request, Config.from_settings(), pending, replace=replace)


@require_GET
@login_required
def done(request: HttpRequest) -> HttpResponse:
    """«Готово!» with «Перейти в чат» (L5)."""
    link = selectors.get_link(user=request.user)  # type: ignore[arg-type]
    if link is None:
        return redirect("web:messenger")
    chats_url = link.chats_url or Config.from_settings().chats_url
    return render(request, "messenger_link/done.html", {"nav": "messenger", "link": link, "chats_url": chats_url})


# --- unlinking (L6) --------------------------------------------------------------------------------------------------


@require_POST
@login_required
async def unlink(request: HttpRequest) -> HttpResponse:
    """«Отвязать учебный профиль»: the messenger first; the journal forgets the link once the messenger agreed."""
    user = await _user(request)
    config = Config.from_settings()
    try:
        await aserver_request(config, "DELETE", "/link", params={"person_id": person_ref(user.pk)})
    except Unavailable as error:
        logger.warning("Messenger unlink failed: %s", error)
        messages.error(request, _unavailable_unlink_text())
        return redirect("web:messenger")
    except Refused as error:
        if error.error.code != "not_linked":
            messages.error(request, error.error.message)
            return redirect("web:messenger")
    await sync_to_async(services.forget_link)(user_id=user.pk)
    messages.success(request, _("The educational profile is unlinked. You can link it again at any time."))
    return redirect("web:messenger")


def _unavailable_unlink_text() -> str:
    return _("The messenger is not answering right now, so the profile is still linked. Try again in a few minutes.")


# --- the webhook -----------------------------------------------------------------------------------------------------


def signature_ok(*, secret: str, body: bytes, header: str) -> bool:
    """`sha256=<hex HMAC-SHA256 of the raw body>`, compared in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return bool(secret) and hmac.compare_digest(expected.encode(), header.strip().encode())


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponseBase:
    """Events from the messenger (link.removed: the person unlinked there). Signed; a repeated event id is ignored."""
    secret = settings.MESSENGER_WEBHOOK_SECRET
    if not secret:
        return JsonResponse({"code": "not_configured", "message": "webhook secret not set"}, status=503)
    if not signature_ok(secret=secret, body=request.body, header=request.headers.get(SIGNATURE_HEADER, "")):
        return JsonResponse({"code": "bad_signature", "message": "signature does not match"}, status=401)
    try:
        event = WebhookEvent.model_validate_json(request.body)
    except ValidationError:
        return JsonResponse({"code": "bad_event", "message": "not a webhook event"}, status=400)
    handled = services.handle_webhook(event=event)
    return JsonResponse({"status": "ok" if handled else "duplicate"})


# --- «Управление чатами» (C2, C3) ------------------------------------------------------------------------------------


async def _journal_roles(request: HttpRequest) -> Roles:
    roles: Roles = await sync_to_async(get_roles)(await _user(request))
    if not roles.uses_journal:
        raise PermissionDenied
    return roles


async def _remote_chats(school_ids: list[int]) -> dict[selectors.RemoteKey, SubjectChatRef] | None:
    """The messenger's subject chats of these schools, by class, subject and group; None when it is away."""
    config = Config.from_settings()
    if not config.configured:
        return None
    found: dict[selectors.RemoteKey, SubjectChatRef] = {}
    try:
        for school_id in school_ids:
            body = await aserver_request(config, "GET", "/subject-chats", params={"school_id": ref(school_id)})
            items = body.get("items", []) if isinstance(body, dict) else body
            for item in items or []:
                chat = SubjectChatRef.model_validate(item)
                found[(chat.class_id, chat.subject_id, chat.group_id)] = chat
    except (Unavailable, Refused, ValidationError) as error:
        logger.warning("Could not read the messenger's subject chats: %s", error)
        return None
    return found


@require_GET
@login_required
async def chats(request: HttpRequest) -> HttpResponse:
    """The teacher's load with its subject chats; «Добавить» where there is none, «Перейти в чат» where there is."""
    roles = await _journal_roles(request)
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
    roles = roles_for_request(request)
    if not roles.uses_journal:
        raise PermissionDenied
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
