"""Delivering one-time codes: SMS through a pluggable gateway, e-mail through Django's e-mail backends.

The embedded default stores every message as a DevMessage (shown at /dev/inbox/ when debugging) and logs it.
A real SMS provider is a settings change: `SMS_GATEWAY` = `HttpSmsGateway` with `SMS_HTTP_URL` and a token.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Protocol

import httpx
from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from parta.messenger.accounts.errors import Refusal
from parta.messenger.accounts.models import DevMessage

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The message did not leave: the provider refused or could not be reached."""


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Sends `text` to `phone` (E.164) or raises DeliveryError."""


def masked(contact: str) -> str:
    """Enough of a phone or address to find it in logs, not enough to read it there: +7916***4567, iv***@mail.ru."""
    if "@" in contact:
        name, _at, domain = contact.partition("@")
        return f"{name[:2]}***@{domain}"
    return f"{contact[:5]}***{contact[-4:]}"


class DevInboxSmsGateway:
    """The embedded default: the "SMS" is stored for the development inbox and written to the log."""

    def send(self, phone: str, text: str) -> None:
        DevMessage.objects.create(recipient=phone, channel="sms", text=text)
        if settings.DEBUG:
            log.info("SMS to %s (development inbox): %s", phone, text)
        else:  # a production site without a provider: say so loudly, the person will get nothing
            log.warning("no SMS provider configured (PARTA_SMS_HTTP_URL); SMS to %s kept in the inbox", masked(phone))


class HttpSmsGateway:
    """An HTTP SMS provider: POST {"to", "text", "sender"} as JSON with a bearer token; any 2xx is success."""

    def __init__(self, *, url: str, token: str, sender: str, timeout: float) -> None:
        self.url = url
        self.token = token
        self.sender = sender
        self.timeout = timeout

    @classmethod
    def from_settings(cls) -> HttpSmsGateway:
        return cls(
            url=settings.SMS_HTTP_URL,
            token=settings.SMS_HTTP_TOKEN,
            sender=settings.SMS_HTTP_SENDER,
            timeout=settings.SMS_HTTP_TIMEOUT,
        )

    def send(self, phone: str, text: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = httpx.post(
                self.url,
                json={"to": phone, "text": text, "sender": self.sender},
                headers=headers,
                timeout=self.timeout,
            )
            response.raise_for_status()
        except httpx.HTTPStatusError as error:
            log.error("SMS provider refused SMS to %s: HTTP %s", masked(phone), error.response.status_code)
            raise DeliveryError(str(error)) from error
        except httpx.HTTPError as error:
            log.error("SMS provider unreachable for SMS to %s: %s", masked(phone), error)
            raise DeliveryError(str(error)) from error


def get_sms_gateway() -> SmsGateway:
    """The gateway named by `SMS_GATEWAY`; read on every send, so a settings change needs no restart in tests."""
    gateway_class = import_string(settings.SMS_GATEWAY)
    if hasattr(gateway_class, "from_settings"):
        return gateway_class.from_settings()
    return gateway_class()


def deliver_sms(*, phone: str, text: str) -> None:
    try:
        get_sms_gateway().send(phone, text)
    except DeliveryError:
        raise Refusal("delivery_failed", _("Could not send the SMS, please try again later."), status=503) from None


def deliver_email(*, address: str, subject: str, text: str) -> None:
    try:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        log.error("e-mail to %s failed: %s", masked(address), error)
        raise Refusal("delivery_failed", _("Could not send the e-mail, please try again later."), status=503) from None
