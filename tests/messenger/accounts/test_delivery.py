"""Delivering codes: a real local SMTP server (aiosmtpd), an HTTP SMS provider (a local HTTP server), and the
development inbox at /dev/inbox/ that exists only while debugging."""

# covers: A1 (codes reach the phone or mailbox), A6 (delivery failures are explained, nothing typed is lost)

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import timezone

from parta.messenger.accounts.gateways import HttpSmsGateway
from parta.messenger.accounts.models import DevMessage, Profile
from tests.messenger.accounts.conftest import PHONE, inbox_code

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Mailbox:
    """aiosmtpd handler: keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[_Mailbox]:
    mailbox = _Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "Парта <no-reply@parta.test>"
    try:
        yield mailbox
    finally:
        controller.stop()


def test_an_email_code_arrives_through_a_real_smtp_server(smtp_server: _Mailbox) -> None:
    client = Client()
    born = timezone.localdate() - dt.timedelta(days=365 * 9)

    response = client.post("/sign-in/", {"contact": "Kid@Example.ru", "birth_date": born.isoformat()})
    assert response["Location"] == "/sign-in/code/"

    assert len(smtp_server.messages) == 1
    letter = smtp_server.messages[0]
    assert letter["X-Envelope-To"] == "kid@example.ru"
    assert str(letter["Subject"]).strip() == "Ваш код для входа в Парту"  # (a folded encoded header)
    body = letter.get_content()
    assert "Он действует 5 минут." in body
    code = re.search(r"\b(\d{6})\b", body).group(1)  # type: ignore[union-attr]
    assert not DevMessage.objects.exists()

    client.post("/sign-in/code/", {"code": code})
    response = client.post("/sign-in/profile/", {"last_name": "Смирнов", "first_name": "Петя"})
    assert response["Location"] == "/chats/"
    assert Profile.objects.get().identifier == "kid@example.ru"


def test_an_unreachable_smtp_server_is_explained(settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    born = timezone.localdate() - dt.timedelta(days=365 * 9)

    response = Client().post("/sign-in/", {"contact": "kid@example.ru", "birth_date": born.isoformat()})

    assert response.status_code == 503
    body = response.content.decode()
    assert "Не удалось отправить письмо, попробуйте позже." in body
    assert 'value="kid@example.ru"' in body
    assert "e-mail to ki***@example.ru failed" in caplog.text


class _SmsProvider(BaseHTTPRequestHandler):
    """A tiny SMS provider: records each request; answers with the server's `status` after `delay` seconds."""

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        server: Any = self.server
        server.received.append(
            {
                "path": self.path,
                "headers": dict(self.headers),
                "json": json.loads(self.rfile.read(length)),
            }
        )
        time.sleep(server.delay)
        self.send_response(server.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "42"}')

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def sms_provider(settings: Any) -> Iterator[Any]:
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _SmsProvider)
    server.received, server.status, server.delay = [], 200, 0.0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_GATEWAY = "parta.messenger.accounts.gateways.HttpSmsGateway"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    settings.SMS_HTTP_TOKEN = "provider-token"
    settings.SMS_HTTP_SENDER = "Parta"
    settings.SMS_HTTP_TIMEOUT = 1.0
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_the_http_sms_adapter_posts_json_to_the_provider(sms_provider: Any) -> None:
    client = Client()
    response = client.post("/sign-in/", {"contact": "8 916 123-45-67"})
    assert response["Location"] == "/sign-in/code/"

    [request] = sms_provider.received
    assert request["path"] == "/v1/sms"
    assert request["headers"]["Authorization"] == "Bearer provider-token"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["json"]["to"] == PHONE
    assert request["json"]["sender"] == "Parta"
    assert request["json"]["text"].startswith("Код для входа в Парту: ")
    code = re.search(r"\b(\d{6})\b", request["json"]["text"]).group(1)  # type: ignore[union-attr]
    assert not DevMessage.objects.exists()

    client.post("/sign-in/code/", {"code": code})
    assert client.post("/sign-in/profile/", {"last_name": "Иванова", "first_name": "Мария"})["Location"] == "/chats/"


@pytest.mark.parametrize("failure", ["status", "timeout", "down"])
def test_a_failing_sms_provider_is_explained(
    failure: str, sms_provider: Any, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    if failure == "status":
        sms_provider.status = 500
    elif failure == "timeout":
        sms_provider.delay, settings.SMS_HTTP_TIMEOUT = 1.5, 0.3
    else:
        settings.SMS_HTTP_URL = f"http://127.0.0.1:{_free_port()}/v1/sms"
    caplog.set_level(logging.ERROR, logger="parta.messenger.accounts.gateways")

    response = Client().post("/sign-in/", {"contact": "8 916 123-45-67"})

    assert response.status_code == 503
    body = response.content.decode()
    assert "Не удалось отправить SMS, попробуйте позже." in body
    assert 'value="8 916 123-45-67"' in body  # what was typed is kept
    assert "SMS to +7916***4567" in caplog.text
    assert PHONE not in caplog.text  # the log holds no full phone number


def test_the_adapter_can_be_used_on_its_own(sms_provider: Any) -> None:
    HttpSmsGateway.from_settings().send("+79161234567", "Проверка")
    assert sms_provider.received[0]["json"] == {"to": "+79161234567", "text": "Проверка", "sender": "Parta"}


def test_the_dev_inbox_lists_codes_newest_first_when_debugging(settings: Any) -> None:
    settings.DEBUG = True
    Client().post("/sign-in/", {"contact": "+79161111111"})
    Client().post("/sign-in/", {"contact": "+79162222222"})
    DevMessage.objects.filter(recipient="+79161111111").update(created_at=timezone.now() - dt.timedelta(minutes=1))

    response = Client().get("/dev/inbox/")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("+79162222222") < body.index("+79161111111")
    assert f"<code>{inbox_code('+79162222222')}</code>" in body
    assert "Входящие разработчика" in body


def test_the_code_page_points_to_the_dev_inbox_only_when_debugging(settings: Any) -> None:
    client = Client()
    client.post("/sign-in/", {"contact": PHONE})
    assert "/dev/inbox/" not in client.get("/sign-in/code/").content.decode()
    settings.DEBUG = True
    assert 'href="/dev/inbox/"' in client.get("/sign-in/code/").content.decode()


def test_the_dev_inbox_does_not_exist_without_debugging(settings: Any) -> None:
    settings.DEBUG = False
    Client().post("/sign-in/", {"contact": PHONE})
    assert Client().get("/dev/inbox/").status_code == 404


def test_the_dev_email_backend_keeps_letters_in_the_inbox(settings: Any) -> None:
    born = timezone.localdate() - dt.timedelta(days=365 * 9)
    Client().post("/sign-in/", {"contact": "kid@example.ru", "birth_date": born.isoformat()})
    message = DevMessage.objects.get()
    assert (message.recipient, message.channel) == ("kid@example.ru", "email")
    assert message.text.startswith("Ваш код для входа в Парту\n\n")
