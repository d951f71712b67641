"""Keeps each signed-in device's row: "last seen" at most once a minute, and a row for every signed-in session."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from parta.messenger.accounts import services
from parta.messenger.accounts.models import Profile

SEEN_KEY = "accounts.device_seen"


class DeviceSessionMiddleware:
    """Writes "last seen" at most once per ACCOUNTS_DEVICE_TOUCH_SECONDS (the last write's time is kept in the session).

    Ending a device deletes its Django session, which signs it out at once; this middleware does not decide that.
    A signed-in session without a row (one made before rows existed, or by a tool that writes sessions directly)
    gets its row here, so "sign out on other devices" reaches every session the profile has.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session_key = request.session.session_key
        if session_key and isinstance(request.user, Profile):
            now = time.time()
            if now - request.session.get(SEEN_KEY, 0) >= settings.ACCOUNTS_DEVICE_TOUCH_SECONDS:
                if not services.touch_device_session(session_key=session_key):
                    services.start_device_session(
                        profile=request.user,
                        session_key=session_key,
                        user_agent=request.headers.get("User-Agent", ""),
                        ip=request.META.get("REMOTE_ADDR") or None,
                    )
                request.session[SEEN_KEY] = now
        return self.get_response(request)
