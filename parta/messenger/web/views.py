from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe  # GET and HEAD: link checkers and uptime probes send HEAD
def home(request: HttpRequest) -> HttpResponse:
    """The signed-out home page: what Parta is, and where to go until sign-in arrives."""
    return render(request, "messenger_web/home.html")
