"""What the messenger's browser tests need: a messenger with the development inbox, sign-up by phone, the chat page.

The shared harness (servers.py) runs both sites with PARTA_DEBUG=0, as a school would, and there the development
inbox (/dev/inbox/, where the embedded SMS gateway leaves the codes) does not exist: the accounts app shows it only
while debugging (settings.DEBUG). `DevMessenger` therefore starts one more messenger process, on the same freshly
migrated database as the harness's messenger, with PARTA_DEBUG=1 and its own address — so sign-up reads real codes
from the real inbox page, and everything else is the same code on the same data.
"""

from __future__ import annotations

import re
import struct
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.servers import Server, Sites, _launch, _stop, _wait_until_answering, free_port, server_errors

CODE_RE = re.compile(r"\b(\d{6})\b")
LIVE_TIMEOUT_MS = 10_000  # a message sent by one browser must show in the other within this


@dataclass
class DevMessenger:
    server: Server
    offset: int = 0

    @property
    def url(self) -> str:
        return self.server.url

    def errors_since_mark(self) -> list[str]:
        return server_errors(self.server.log_since(self.offset))

    def mark(self) -> None:
        self.offset = self.server.log_size()


@contextmanager
def dev_messenger(sites: Sites) -> Iterator[DevMessenger]:
    """A second messenger process with debugging on (the development inbox), sharing the harness's database."""
    server = Server("messenger", free_port(), sites.folder / "messenger-dev.log")
    env = {**sites.env, "PARTA_DEBUG": "1", "PARTA_MESSENGER_URL": server.url}
    try:
        _launch(server, env)  # uvicorn exactly as for the harness's sites
        _wait_until_answering(server, "/")
        yield DevMessenger(server)
    finally:
        _stop(server)


# --- sign-up ---------------------------------------------------------------------------------------------------------


def e164(phone: str) -> str:
    """A Russian number as the inbox lists it: «8 (916) 555-01-02» → «+79165550102»."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    return "+" + digits


def read_code(context: BrowserContext, base_url: str, phone: str) -> str:
    """The newest code the development inbox shows for this phone (opened in a page of its own, then closed)."""
    inbox = context.new_page()
    try:
        deadline = time.monotonic() + 10
        while True:
            inbox.goto(f"{base_url}/dev/inbox/")
            items = inbox.locator("li").filter(has_text=e164(phone))
            if items.count():
                match = CODE_RE.search(items.first.inner_text())
                if match:
                    return match.group(1)
            if time.monotonic() > deadline:
                raise AssertionError(f"no code for {phone} in the development inbox")
            inbox.wait_for_timeout(250)
    finally:
        inbox.close()


def sign_up(page: Page, base_url: str, *, phone: str, last_name: str, first_name: str) -> None:
    """«Телефон или почта» → «Продолжить» → the code from the inbox → names → «Создать учебный профиль» → «Чаты»."""
    page.goto(f"{base_url}/")
    page.get_by_label("Телефон или почта", exact=True).fill(phone)
    page.get_by_role("button", name="Продолжить", exact=True).click()
    code_field = page.get_by_label("Код из SMS", exact=True)
    expect(code_field).to_be_visible()
    code_field.fill(read_code(page.context, base_url, phone))
    page.get_by_role("button", name="Продолжить", exact=True).click()
    page.get_by_label("Фамилия", exact=False).first.fill(last_name)
    page.get_by_label("Имя", exact=False).first.fill(first_name)
    page.get_by_role("button", name="Создать учебный профиль", exact=True).click()
    expect(page).to_have_url(re.compile(r"/chats/$"))
    expect(page.get_by_role("heading", name="Чаты", exact=True)).to_be_visible()


# --- the chat page ---------------------------------------------------------------------------------------------------


def wait_live(page: Page) -> None:
    """Until the page's WebSocket has resumed: typing frames sent before that are dropped by design."""
    expect(page.locator("#chat-app")).to_have_attribute("data-live", "live", timeout=LIVE_TIMEOUT_MS)


def chat_row(page: Page, title: str) -> Locator:
    return page.locator(".chat-list").get_by_role("link").filter(has_text=title)


def composer(page: Page) -> Locator:
    return page.get_by_role("textbox", name="Сообщение", exact=True)


def messages(page: Page) -> Locator:
    return page.get_by_role("log")


def send_text(page: Page, text: str) -> None:
    """Types into the composer and presses Enter; waits until the server has confirmed the message."""
    field = composer(page)
    field.fill(text)
    field.press("Enter")
    sent = messages(page).locator("article.msg-own[data-seq]").filter(has_text=text)
    expect(sent).to_have_count(1)


def attach_and_send(page: Page, files: list[str], text: str = "") -> None:
    """The paperclip («Прикрепить файлы») → files → Enter."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Прикрепить файлы", exact=True).click()
    chooser.value.set_files(files)
    field = composer(page)
    if text:
        field.fill(text)
    field.press("Enter")


def png_bytes(width: int = 48, height: int = 32, rgb: tuple[int, int, int] = (15, 123, 108)) -> bytes:
    """A real PNG image (one colour) made without any imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height)) + chunk(
        b"IEND", b""
    )
