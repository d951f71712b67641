from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from parta.journal.messenger_link.client import Config
from parta.journal.messenger_link.linking import selectors as link_selectors
from parta.journal.school.selectors import roles_for_request


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Sends each person to where their school day starts: teachers to the journal, families to the diary."""
    roles = roles_for_request(request)
    if roles.uses_journal:
        return redirect("gradebook:index")
    if roles.has_diary:
        return redirect("diary:week")
    return render(request, "web/no_role.html")


@require_GET
@login_required
def messenger(request: HttpRequest) -> HttpResponse:
    """The messenger's page in the journal: the link status, «Привязать учебный профиль» or «Перейти в чат» (L1, L5)."""
    user = request.user
    context = {
        "nav": "messenger",
        "messenger_url": settings.MESSENGER_URL,
        "link": link_selectors.get_link(user=user),  # type: ignore[arg-type]
        "roles_shown": link_selectors.roles_shown(user=user),  # type: ignore[arg-type]
        "linking_configured": Config.from_settings().configured,
    }
    return render(request, "web/messenger.html", context)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; send them to the icon instead of logging a 404."""
    return redirect(static("journal/icon.svg"), permanent=True)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"code": 403}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"code": 404}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "web/error.html", {"code": 500}, status=500)
