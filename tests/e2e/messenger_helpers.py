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

from tests.e2e.servers import (
    Server,
    Sites,
    _launch,
    _stop,
    _wait_until_answering,
    free_port,
    run_site_python,
    server_errors,
)

CODE_RE = re.compile(r"\b(\d{6})\b")
LIVE_TIMEOUT_MS = 10_000  # a message sent by one browser must show in the other within this


@dataclass
class DevMessenger:
    server: Server
    env: dict[str, str]
    offset: int = 0

    @property
    def url(self) -> str:
        return self.server.url

    def errors_since_mark(self) -> list[str]:
        return server_errors(self.server.log_since(self.offset))

    def mark(self) -> None:
        self.offset = self.server.log_size()

    def run_python(self, code: str) -> str:
        """Runs code in the messenger's Django (`manage shell -c`) on its database: what no page can do, like the
        school roster's system chats. Its events are stored; their live push stays in that process (no Redis here),
        so a page sees them after a reload."""
        return run_site_python(self.env, "messenger", code)


@contextmanager
def dev_messenger(sites: Sites) -> Iterator[DevMessenger]:
    """A second messenger process with debugging on (the development inbox), sharing the harness's database."""
    server = Server("messenger", free_port(), sites.folder / "messenger-dev.log")
    env = {**sites.env, "PARTA_DEBUG": "1", "PARTA_MESSENGER_URL": server.url}
    try:
        _launch(server, env)  # uvicorn exactly as for the harness's sites
        _wait_until_answering(server, "/")
        yield DevMessenger(server, env)
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


def create_chat(page: Page, title: str, *, closed: bool) -> int:
    """The pencil («Создать чат») → name → «Закрытый чат» (checked and recommended by default) → «Сохранить»."""
    page.get_by_role("link", name="Создать чат", exact=True).click()
    expect(page.get_by_role("heading", name="Создать чат", exact=True)).to_be_visible()
    page.get_by_label("Название чата", exact=True).fill(title)
    closed_box = page.get_by_role("checkbox", name=re.compile(r"^Закрытый чат"))
    expect(closed_box).to_be_checked()
    expect(page.get_by_text("рекомендуется", exact=True)).to_be_visible()
    closed_box.set_checked(closed)
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page).to_have_url(re.compile(r"/chats/\d+/$"))
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    match = re.search(r"/chats/(\d+)/$", page.url)
    assert match
    return int(match.group(1))


def open_info(page: Page) -> Locator:
    page.get_by_role("button", name="О чате", exact=True).click()
    expect(page.get_by_role("heading", name="О чате", exact=True)).to_be_visible()
    return page.locator("#chat-info")


def create_invite(page: Page) -> str:
    """In the open info panel: «Создать ссылку» → the link's address."""
    page.get_by_role("button", name="Создать ссылку", exact=True).click()
    field = page.get_by_role("textbox", name="Ссылка-приглашение", exact=True)
    expect(field).to_have_value(re.compile(r"/join/[\w-]+/$"))
    return field.input_value()


def join(page: Page, invite_url: str, title: str, chat_id: int) -> None:
    """The invite page shows the chat's name → «Вступить» → the chat opens."""
    page.goto(invite_url)
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    page.get_by_role("button", name="Вступить", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/chats/{chat_id}/$"))
    expect(page.locator(".chat-title")).to_have_text(title)


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
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def wav_bytes(seconds: float = 0.25, rate: int = 8000) -> bytes:
    """A real WAV sound (8-bit mono silence): sniffed as audio, so the chat shows an inline player."""
    frames = b"\x80" * int(seconds * rate)
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate, 1, 8)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(frames)) + frames
    return b"RIFF" + struct.pack("<I", len(body)) + body


def message_menu(page: Page, text: str) -> Locator:
    """Opens «Действия с сообщением» of the (only) message with this text; returns the menu."""
    message = messages(page).locator("article.msg").filter(has_text=text)
    expect(message).to_have_count(1)
    message.hover()
    message.get_by_role("button", name="Действия с сообщением", exact=True).click()
    menu = page.get_by_role("menu", name="Действия с сообщением", exact=True)
    expect(menu).to_be_visible()
    return menu
