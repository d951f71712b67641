"""The development e-mail backend: letters land in the development inbox (/dev/inbox/) and the log, not in a mailbox."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from parta.messenger.accounts.models import DevMessage

log = logging.getLogger(__name__)


class DevInboxEmailBackend(BaseEmailBackend):
    """Stores each recipient's copy as a DevMessage, so codes sent by e-mail show up beside SMS codes."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            text = f"{message.subject}\n\n{message.body}"
            DevMessage.objects.bulk_create(
                [DevMessage(recipient=recipient, channel="email", text=text) for recipient in message.recipients()]
            )
            if settings.DEBUG:
                log.info("e-mail to %s (development inbox): %s", ", ".join(message.recipients()), message.subject)
            else:
                log.warning("no SMTP server configured (PARTA_EMAIL_HOST); e-mail kept in the development inbox")
            sent += 1
        return sent
