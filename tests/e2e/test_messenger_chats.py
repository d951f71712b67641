"""Acceptance of issue 3 in a real browser: two new profiles, a closed chat «Стенгазета», an invite link with its QR
code, text, a photo and a file going both ways live, unread badges, and no invite controls for a plain member.

Two browser contexts at once: Анна on a desktop, Борис on a phone (375 px). Both use a messenger with the development
inbox (see messenger_helpers.py), where sign-up codes arrive.
"""

# covers: A1, A2 (sign-up by phone with a code), C4 (pencil → «Создать чат» → «Стенгазета» → «Закрытый чат» →
# «Сохранить»), C5 (invite link and QR by the admin; none for a plain member), C6 (text, photo, file, unread, typing),
# L4 (usable at 375 px)

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewContext
from tests.e2e.helpers import PHONE, page_overflow, screenshot
from tests.e2e.messenger_helpers import (
    LIVE_TIMEOUT_MS,
    DevMessenger,
    attach_and_send,
    chat_row,
    composer,
    dev_messenger,
    messages,
    png_bytes,
    send_text,
    sign_up,
    wait_live,
)
from tests.e2e.servers import Sites


@pytest.fixture(scope="module")
def messenger(sites: Sites) -> Iterator[DevMessenger]:
    with dev_messenger(sites) as started:
        yield started


@pytest.fixture(autouse=True)
def _no_server_errors(messenger: DevMessenger) -> Iterator[None]:
    messenger.mark()
    yield
    problems = messenger.errors_since_mark()
    assert not problems, "the messenger logged server errors:\n\n" + "\n\n".join(problems)


def open_info(page: Page) -> None:
    page.get_by_role("button", name="О чате", exact=True).click()
    expect(page.get_by_role("heading", name="О чате", exact=True)).to_be_visible()


def create_closed_chat(page: Page, title: str) -> int:
    page.get_by_role("link", name="Создать чат", exact=True).click()
    expect(page.get_by_role("heading", name="Создать чат", exact=True)).to_be_visible()
    page.get_by_label("Название чата", exact=True).fill(title)
    closed = page.get_by_role("checkbox", name=re.compile(r"^Закрытый чат"))
    expect(closed).to_be_checked()  # recommended, and on by default
    expect(page.get_by_text("рекомендуется", exact=True)).to_be_visible()
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page).to_have_url(re.compile(r"/chats/\d+/$"))
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    return int(re.search(r"/chats/(\d+)/$", page.url).group(1))  # type: ignore[union-attr]


def test_two_new_profiles_chat_live(new_context: NewContext, messenger: DevMessenger, tmp_path: Path) -> None:
    anna = new_context(base_url=messenger.url).new_page()
    boris = new_context(base_url=messenger.url, **PHONE).new_page()
    sign_up(anna, messenger.url, phone="+7 916 555-01-01", last_name="Петрова", first_name="Анна")
    sign_up(boris, messenger.url, phone="8 (916) 555-01-02", last_name="Иванов", first_name="Борис")
    expect(anna.get_by_text("Чатов пока нет", exact=True)).to_be_visible()
    expect(boris.get_by_role("link", name="Подключить дневник", exact=True)).to_be_visible()
    assert page_overflow(boris) == 0

    # Анна creates the closed chat and shows its invite link and QR code.
    chat_id = create_closed_chat(anna, "Стенгазета")
    open_info(anna)
    anna.get_by_role("button", name="Создать ссылку", exact=True).click()
    link_field = anna.get_by_role("textbox", name="Ссылка-приглашение", exact=True)
    expect(link_field).to_have_value(re.compile(rf"^{re.escape(messenger.url)}/join/[\w-]+/$"))
    invite_url = link_field.input_value()
    anna.get_by_role("button", name="QR-код", exact=True).click()
    qr = anna.get_by_role("img", name="QR-код ссылки-приглашения", exact=True)
    expect(qr).to_be_visible()
    anna.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle(), timeout=10_000)
    anna.get_by_role("button", name="Закрыть", exact=True).click()

    # Борис joins by the link and lands in the chat.
    boris.goto(invite_url)
    expect(boris.get_by_role("heading", name="Стенгазета", exact=True)).to_be_visible()
    boris.get_by_role("button", name="Вступить", exact=True).click()
    expect(boris).to_have_url(re.compile(rf"/chats/{chat_id}/$"))
    expect(boris.locator(".chat-title")).to_have_text("Стенгазета")
    expect(anna.locator(".chat-subtitle")).to_have_text("2 участника", timeout=LIVE_TIMEOUT_MS)

    # Text both ways, live; the typing indicator on the way.
    wait_live(boris)
    composer(boris).fill("Привет")
    expect(anna.locator(".chat-subtitle")).to_have_text(re.compile("печатает"), timeout=LIVE_TIMEOUT_MS)
    send_text(boris, "Привет, Анна! Я в деле.")
    expect(messages(anna).get_by_text("Привет, Анна! Я в деле.")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    send_text(anna, "Отлично, Борис! Жду заметку к пятнице.")
    expect(messages(boris).get_by_text("Отлично, Борис! Жду заметку к пятнице.")).to_be_visible(timeout=LIVE_TIMEOUT_MS)

    # A photo from Анна: a thumbnail for Борис that opens full size.
    photo = tmp_path / "обложка.png"
    photo.write_bytes(png_bytes(64, 40))
    attach_and_send(anna, [str(photo)], "Обложка номера")
    expect(messages(anna).locator("article.msg-own[data-seq]").filter(has_text="Обложка номера")).to_have_count(1)
    thumbnail = messages(boris).get_by_role("img", name="обложка.png")
    expect(thumbnail).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    boris.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle(), timeout=10_000)
    thumbnail.click()
    viewer = boris.get_by_role("dialog", name="обложка.png")
    expect(viewer.get_by_role("img", name="обложка.png")).to_be_visible()
    boris.keyboard.press("Escape")
    expect(viewer).to_have_count(0)

    # A file from Борис: a download link with its size for Анна.
    notes = tmp_path / "заметка.txt"
    notes.write_text("Заметка для стенгазеты: школьная олимпиада.\n" * 20, encoding="utf-8")
    attach_and_send(boris, [str(notes)])
    download = messages(anna).get_by_role("link", name=re.compile(r"^заметка\.txt"))
    expect(download).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(download).to_contain_text("КБ")
    with anna.expect_download() as got:
        download.click()
    assert got.value.suggested_filename == "заметка.txt"
    assert page_overflow(boris) == 0
    screenshot(anna, "messenger-chats-desktop-chat")
    screenshot(boris, "messenger-chats-phone-chat")

    # Unread badges: Борис back at the list while Анна sends three messages.
    boris.get_by_role("link", name="Назад к чатам", exact=True).click()
    row = chat_row(boris, "Стенгазета")
    expect(row).to_be_visible()
    expect(row.locator(".chat-unread")).to_have_count(0)
    for text in ("Первое", "Второе", "Третье"):
        send_text(anna, text)
    expect(row.get_by_text("3 непрочитанных сообщения", exact=True)).to_be_attached(timeout=LIVE_TIMEOUT_MS)
    expect(row.locator(".chat-unread [aria-hidden=true]")).to_have_text("3")
    expect(row).to_contain_text("Анна: Третье")
    screenshot(boris, "messenger-chats-phone-list")
    row.click()
    expect(messages(boris).get_by_text("Третье", exact=True)).to_be_visible()
    expect(row.locator(".chat-unread")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)

    # A plain member of a closed chat has no invite or member controls; the admin has them.
    open_info(boris)
    info = boris.locator("#chat-info")
    expect(info.get_by_role("heading", name="Участники", exact=True)).to_be_visible()
    expect(info.get_by_text("администратор", exact=True)).to_have_count(1)
    expect(info.get_by_role("heading", name="Ссылка-приглашение")).to_have_count(0)
    expect(info.get_by_role("button", name="Создать ссылку")).to_have_count(0)
    expect(info.get_by_role("button", name="QR-код")).to_have_count(0)
    expect(info.get_by_text("Добавить участников")).to_have_count(0)
    expect(info.get_by_role("button", name="Удалить из чата")).to_have_count(0)
    assert page_overflow(boris) == 0
    screenshot(boris, "messenger-chats-phone-info-member")
    open_info(anna)
    expect(anna.locator("#chat-info").get_by_role("button", name="Создать ссылку", exact=True)).to_be_visible()
    screenshot(anna, "messenger-chats-desktop-info-admin")
