"""Reads of the accounts app: a profile's devices, the sign-in step's state, the development inbox."""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.messenger.accounts.models import DeviceSession, DevMessage, LoginCode, Profile


@dataclass(frozen=True)
class Device:
    id: int
    label: str  # "Chrome, Android"
    ip: str | None
    created_at: dt.datetime
    last_seen_at: dt.datetime
    is_current: bool


def list_devices(*, profile: Profile, current_session_key: str | None) -> list[Device]:
    """The profile's signed-in devices, this one first, then by last activity.

    A session unused for SESSION_COOKIE_AGE has expired even if its row is still there (the session store forgets
    it on its own schedule), so such rows are not shown.
    """
    fresh_after = timezone.now() - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows = DeviceSession.objects.filter(profile_id=profile.pk, last_seen_at__gt=fresh_after).order_by("-last_seen_at")
    devices = [
        Device(
            id=row.pk,
            label=describe_user_agent(row.user_agent),
            ip=row.ip,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            is_current=row.session_key == current_session_key,
        )
        for row in rows
    ]
    return sorted(devices, key=lambda device: not device.is_current)  # stable: the rest keep their order


_BROWSERS = [("YaBrowser", "Yandex Browser"), ("Edg", "Edge"), ("OPR", "Opera"), ("Firefox", "Firefox"),
             ("Chrome", "Chrome"), ("Chromium", "Chromium"), ("Safari", "Safari")]  # fmt: skip
_SYSTEMS = [("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]  # fmt: skip


def describe_user_agent(user_agent: str) -> str:
    """A person-readable name for a device from its User-Agent: "Chrome, Android"; order matters (Edge says Chrome)."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "")
    system = next((name for token, name in _SYSTEMS if token in user_agent), "")
    if not user_agent.startswith("Mozilla/") and not browser:
        # Not a browser: an app or a script talking to the API; its own first word says the most.
        browser = user_agent.split("/", 1)[0][:40]
    label = ", ".join(part for part in (browser, system) if part)
    return label or _("Unknown device")


def code_is_open(code_id: uuid.UUID) -> bool:
    """Whether the request can still take a code: not used, not expired, tries left."""
    return LoginCode.objects.filter(
        id=code_id,
        used_at=None,
        expires_at__gt=timezone.now(),
        attempts__lt=settings.ACCOUNTS_CODE_MAX_ATTEMPTS,
    ).exists()


def seconds_until_resend(*, identifier: str) -> int:
    """Seconds until another code may go to this contact (0: now). The same for every contact's state."""
    last = LoginCode.objects.filter(identifier=identifier).order_by("-created_at").values_list("created_at").first()
    if last is None:
        return 0
    wait = settings.ACCOUNTS_CODE_RESEND_SECONDS - (timezone.now() - last[0]).total_seconds()
    return max(0, math.ceil(wait))


@dataclass(frozen=True)
class InboxMessage:
    recipient: str
    channel: str
    text: str
    code: str
    created_at: dt.datetime


def recent_dev_messages(limit: int = 50) -> list[InboxMessage]:
    """The development inbox, newest first, with the code picked out of each text for a quick look."""
    rows: QuerySet[DevMessage] = DevMessage.objects.order_by("-created_at", "-id")[:limit]
    return [
        InboxMessage(
            recipient=row.recipient,
            channel=row.channel,
            text=row.text,
            code=match.group(0) if (match := re.search(r"\b\d{6}\b", row.text)) else "",
            created_at=row.created_at,
        )
        for row in rows
    ]
