"""Linking with the messenger (L1, L2, L6): the flow's start, the callback, the confirmation, «Готово!», unlinking.

The pages that call the messenger are async views: a slow or stopped messenger delays only the person who waits
for it, never the journal's other requests, and every call has a timeout and a Russian message when it fails.
The link status page itself is web:messenger (parta/journal/web/views.py).
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parta.journal.accounts.models import User
from parta.journal.messenger_link.client import Config, Refused, Unavailable
from parta.journal.messenger_link.linking import oauth, selectors, services

logger = logging.getLogger(__name__)
FLOW_KEY = "messenger_link.flow"
PENDING_KEY = "messenger_link.pending"  # a confirmed identity waiting for «Связать» (another profile) or a retry
FLOW_MAX_AGE = 15 * 60  # seconds between «Привязать» and the callback
LINKED_ELSEWHERE = "linked_to_another_profile"
FROM_MESSENGER = "messenger"  # the flow began at the messenger's «Подключить дневник» (L2)
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
    return await _start(request, origin=FROM_MESSENGER, replace=False)


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
    pending = {
        "access_token": identity.access_token,
        "subject": identity.subject,
        "name": identity.name,
        "origin": str(started.get("origin") or ""),
    }
    return await _link(request, pending, replace=bool(started.get("replace")))


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


async def _link(request: HttpRequest, pending: dict[str, str], *, replace: bool) -> HttpResponse:
    """POST /link with the person's token; the answer decides what the person sees next."""
    try:
        link = await services.alink_account(
            user=await _user(request),
            access_token=pending["access_token"],
            subject=pending["subject"],
            profile_name=pending["name"],
            replace=replace,
        )
    except Unavailable as error:
        logger.warning("Messenger link failed: %s", error)
        await request.session.aset(PENDING_KEY, pending)
        return await _outcome(
            request, title=_("The messenger is unavailable"), text=_unavailable_text(), status=UNAVAILABLE, resume=True
        )
    except Refused as error:
        return await _refused(request, error, pending, replace=replace)
    if link is None:
        text = _("Your journal account has no role in a school yet, so there is nothing to link. Ask the school.")
        return await _outcome(request, title=_("The profile is not linked"), text=text, status=400)
    await request.session.apop(PENDING_KEY, None)
    if pending.get("origin") == FROM_MESSENGER:
        return redirect(services.chats_url(link))  # begun in the messenger, it ends there: its chat list (L2)
    return redirect("messenger_link:done")


async def _refused(request: HttpRequest, error: Refused, pending: dict[str, str], *, replace: bool) -> HttpResponse:
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


@require_POST
@login_required
async def resume(request: HttpRequest) -> HttpResponse:
    """«Связать» after the confirmation, or «Повторить» after the messenger was away: the same identity again."""
    pending = await request.session.aget(PENDING_KEY)
    if not isinstance(pending, dict) or "access_token" not in pending:
        messages.info(request, _("Start linking once more: the previous attempt is no longer kept."))
        return redirect("web:messenger")
    replace = request.POST.get("replace") == "1"
    return await _link(request, pending, replace=replace)


@require_GET
@login_required
def done(request: HttpRequest) -> HttpResponse:
    """«Готово!» with «Перейти в чат» (L5)."""
    link = selectors.get_link(user=request.user)  # type: ignore[arg-type]
    if link is None:
        return redirect("web:messenger")
    context = {"nav": "messenger", "link": link, "chats_url": services.chats_url(link)}
    return render(request, "messenger_link/done.html", context)


# --- unlinking (L6) --------------------------------------------------------------------------------------------------


@require_POST
@login_required
async def unlink(request: HttpRequest) -> HttpResponse:
    """«Отвязать учебный профиль»: the messenger first; the journal forgets the link once the messenger agreed."""
    try:
        await services.aunlink_account(user=await _user(request))
    except Unavailable as error:
        logger.warning("Messenger unlink failed: %s", error)
        messages.error(request, _unavailable_unlink_text())
        return redirect("web:messenger")
    except Refused as error:
        messages.error(request, error.error.message)
        return redirect("web:messenger")
    messages.success(request, _("The educational profile is unlinked. You can link it again at any time."))
    return redirect("web:messenger")


def _unavailable_unlink_text() -> str:
    return _("The messenger is not answering right now, so the profile is still linked. Try again in a few minutes.")
