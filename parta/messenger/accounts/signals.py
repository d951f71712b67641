"""Every sign-in on any path (the code flow, the admin's password form, tests' force_login) records its device."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from parta.messenger.accounts import services
from parta.messenger.accounts.models import Profile


def record_device(sender: type, request: HttpRequest | None, user: Profile, **kwargs: Any) -> None:
    if request is None or not request.session.session_key:
        return
    services.start_device_session(
        profile=user,
        session_key=request.session.session_key,
        user_agent=request.headers.get("User-Agent", ""),
        ip=request.META.get("REMOTE_ADDR") or None,
    )


def forget_device(sender: type, request: HttpRequest | None, user: Profile | None, **kwargs: Any) -> None:
    if request is None or not request.session.session_key:
        return
    services.forget_device_session(session_key=request.session.session_key)
