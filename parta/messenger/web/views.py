from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from parta.messenger.accounts.views import home_for


@require_safe  # GET and HEAD: link checkers and uptime probes send HEAD
def home(request: HttpRequest) -> HttpResponse:
    """The home page: the sign-in screen for a visitor; a signed-in profile goes on to its chats (or `next`)."""
    return home_for(request)
