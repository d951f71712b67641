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
from playwright.sync_api import expect

from tests.e2e.conftest import NewContext
from tests.e2e.helpers import PHONE, page_overflow, screenshot
from tests.e2e.messenger_helpers import (
    LIVE_TIMEOUT_MS,
    DevMessenger,
    attach_and_send,
    chat_row,
    composer,
    create_chat,
    create_invite,
    dev_messenger,
    join,
    message_menu,
    messages,
    open_info,
    png_bytes,
    send_text,
    sign_up,
    wait_live,
    wav_bytes,
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


def test_two_new_profiles_chat_live(new_context: NewContext, messenger: DevMessenger, tmp_path: Path) -> None:
    anna = new_context(base_url=messenger.url).new_page()
    boris = new_context(base_url=messenger.url, **PHONE).new_page()
    sign_up(anna, messenger.url, phone="+7 916 555-01-01", last_name="Петрова", first_name="Анна")
    sign_up(boris, messenger.url, phone="8 (916) 555-01-02", last_name="Иванов", first_name="Борис")
    expect(anna.get_by_text("Чатов пока нет", exact=True)).to_be_visible()
    expect(boris.get_by_role("link", name="Подключить дневник", exact=True)).to_be_visible()
    assert page_overflow(boris) == 0

    # Анна creates the closed chat and shows its invite link and QR code.
    chat_id = create_chat(anna, "Стенгазета", closed=True)
    open_info(anna)
    invite_url = create_invite(anna)
    assert invite_url.startswith(f"{messenger.url}/join/")
    anna.get_by_role("button", name="QR-код", exact=True).click()
    qr = anna.get_by_role("img", name="QR-код ссылки-приглашения", exact=True)
    expect(qr).to_be_visible()
    anna.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle(), timeout=10_000)
    anna.get_by_role("button", name="Закрыть", exact=True).click()

    # Борис joins by the link and lands in the chat.
    join(boris, invite_url, "Стенгазета", chat_id)
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
    boris.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle(), timeout=10_000
    )
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
    # Анна has the chat open: what arrives is read at once, no badge.
    expect(chat_row(anna, "Стенгазета").locator(".chat-unread")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
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
    info = open_info(boris)
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


def test_reply_edit_delete_report_and_nothing_lost(
    new_context: NewContext, messenger: DevMessenger, tmp_path: Path
) -> None:
    # covers: C6 (replies, edit and delete own, «Сообщение удалено», «Пожаловаться», audio inline, drafts, retry)
    anna = new_context(base_url=messenger.url).new_page()
    boris = new_context(base_url=messenger.url).new_page()
    sign_up(anna, messenger.url, phone="+7 916 555-02-01", last_name="Смирнова", first_name="Анна")
    sign_up(boris, messenger.url, phone="+7 916 555-02-02", last_name="Кузнецов", first_name="Борис")
    chat_id = create_chat(anna, "Кружок", closed=False)
    open_info(anna)
    join(boris, create_invite(anna), "Кружок", chat_id)
    # In an open chat a plain member may invite too.
    expect(open_info(boris).get_by_role("button", name="Создать ссылку", exact=True)).to_be_visible()
    boris.get_by_role("button", name="Закрыть", exact=True).click()
    anna.get_by_role("button", name="Закрыть", exact=True).click()

    # A reply quotes the message; the quote leads back to it.
    send_text(anna, "Кто ведёт кружок в четверг?")
    expect(messages(boris).get_by_text("Кто ведёт кружок в четверг?")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    message_menu(boris, "Кто ведёт кружок в четверг?").get_by_role("menuitem", name="Ответить").click()
    expect(boris.get_by_text("Ответ: Анна Смирнова", exact=True)).to_be_visible()
    send_text(boris, "Я веду")
    reply = messages(anna).locator("article.msg").filter(has_text="Я веду")
    expect(reply.get_by_role("button", name=re.compile("Кто ведёт кружок"))).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    reply.get_by_role("button", name=re.compile("Кто ведёт кружок")).click()
    expect(messages(anna).locator("article.msg-highlight")).to_contain_text("Кто ведёт кружок в четверг?")

    # Edit and delete one's own message; the other side sees both live.
    message_menu(boris, "Я веду").get_by_role("menuitem", name="Изменить").click()
    expect(boris.get_by_text("Изменение сообщения", exact=True)).to_be_visible()
    composer(boris).fill("Я веду, с 15:00")
    composer(boris).press("Enter")
    edited = messages(anna).locator("article.msg").filter(has_text="Я веду, с 15:00")
    expect(edited).to_contain_text("изменено", timeout=LIVE_TIMEOUT_MS)
    message_menu(boris, "Я веду, с 15:00").get_by_role("menuitem", name="Удалить").click()
    confirm = boris.get_by_role("dialog", name="Удалить сообщение?")
    confirm.get_by_role("button", name="Удалить", exact=True).click()
    expect(messages(anna).get_by_text("Сообщение удалено", exact=True)).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(messages(anna).get_by_text("Я веду, с 15:00")).to_have_count(0)

    # «Пожаловаться» on someone else's message, after a confirmation.
    menu = message_menu(boris, "Кто ведёт кружок в четверг?")
    expect(menu.get_by_role("menuitem", name="Изменить")).to_have_count(0)  # not his own
    menu.get_by_role("menuitem", name="Пожаловаться").click()
    boris.get_by_role("dialog", name="Пожаловаться на сообщение?").get_by_role("button", name="Пожаловаться").click()
    expect(boris.get_by_text("Жалоба отправлена администраторам.", exact=True)).to_be_visible()

    # Sound plays inline.
    sound = tmp_path / "гимн.wav"
    sound.write_bytes(wav_bytes())
    attach_and_send(anna, [str(sound)])
    player = messages(boris).locator("audio[controls]")
    expect(player).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(player).to_have_attribute("aria-label", "гимн.wav")

    # A refused file: the error says why, and «Вернуть в поле ввода» gives back the text and the file.
    program = tmp_path / "игра.exe"
    program.write_bytes(b"MZ" + bytes(200))
    attach_and_send(boris, [str(program)], "Смотри, какая игра")
    failed = messages(boris).locator("article.msg-failed")
    expect(failed.get_by_role("alert")).to_be_visible()
    expect(failed.get_by_role("button", name="Повторить")).to_have_count(0)  # sending it again would not help
    failed.get_by_role("button", name="Вернуть в поле ввода", exact=True).click()
    expect(composer(boris)).to_have_value("Смотри, какая игра")
    expect(boris.get_by_role("list", name="Прикреплённые файлы")).to_contain_text("игра.exe")
    boris.get_by_role("button", name="Убрать игра.exe", exact=True).click()
    expect(messages(anna).get_by_text("Смотри, какая игра")).to_have_count(0)

    # Nothing typed is lost: a draft survives a reload; a message sent without a network goes once it is back.
    composer(boris).fill("Черновик, который нельзя потерять")
    boris.reload()
    expect(composer(boris)).to_have_value("Черновик, который нельзя потерять")
    composer(boris).fill("")
    wait_live(boris)
    boris.context.set_offline(True)
    composer(boris).fill("Отправлено без сети")
    composer(boris).press("Enter")
    expect(boris.get_by_text("Нет связи с сервером. Проверьте интернет и попробуйте ещё раз.").first).to_be_visible()
    boris.context.set_offline(False)
    delivered = messages(anna).get_by_text("Отправлено без сети", exact=True)
    expect(delivered).to_have_count(1, timeout=20_000)
    expect(messages(boris).locator("article.msg-own[data-seq]").filter(has_text="Отправлено без сети")).to_have_count(1)
    expect(messages(boris).get_by_text("Отправлено без сети", exact=True)).to_have_count(1)
    boris.reload()
    expect(messages(boris).get_by_text("Отправлено без сети", exact=True)).to_have_count(1)  # stored once
    expect(composer(boris)).to_have_value("")

    # New chats appear live: a direct chat from a member's name, and a chat made with a member found by search.
    info = open_info(boris)
    info.locator("summary").filter(has_text="Смирнова Анна").click()
    info.get_by_role("button", name="Написать", exact=True).click()
    expect(boris.locator(".chat-title")).to_have_text("Смирнова Анна")
    send_text(boris, "Лично: спасибо!")
    direct_row = chat_row(anna, "Кузнецов Борис")
    expect(direct_row).to_contain_text("Лично: спасибо!", timeout=LIVE_TIMEOUT_MS)
    expect(direct_row.locator(".chat-unread [aria-hidden=true]")).to_have_text("1")
    expect(anna.locator(".chat-list .chat-row").first).to_contain_text("Кузнецов Борис")  # newest activity first

    anna.get_by_role("link", name="Создать чат", exact=True).click()
    anna.get_by_label("Название чата", exact=True).fill("Совет класса")
    search = anna.get_by_label("Найти людей по имени", exact=True)
    search.fill("К")
    expect(anna.get_by_text("Введите не меньше двух букв", exact=False)).to_be_visible()
    search.fill("Кузн")
    anna.get_by_role("button", name="Добавить в чат: Кузнецов Борис", exact=True).click()
    expect(anna.get_by_role("list", name="Выбраны").get_by_text("Кузнецов Борис")).to_be_visible()
    anna.get_by_role("button", name="Сохранить", exact=True).click()
    expect(anna.locator(".chat-title")).to_have_text("Совет класса")
    expect(chat_row(boris, "Совет класса")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(boris.locator(".chat-list .chat-row").first).to_contain_text("Совет класса")
    send_text(anna, "Собираемся в пятницу")
    expect(chat_row(boris, "Совет класса")).to_contain_text("Анна: Собираемся в пятницу", timeout=LIVE_TIMEOUT_MS)
    expect(chat_row(boris, "Совет класса").locator(".chat-unread [aria-hidden=true]")).to_have_text("1")


def test_history_pages_as_one_scrolls_up(new_context: NewContext, messenger: DevMessenger) -> None:
    # covers: C6 (history paged as you scroll, grouped by day)
    page = new_context(base_url=messenger.url, **PHONE).new_page()
    sign_up(page, messenger.url, phone="+7 916 555-03-01", last_name="Орлова", first_name="Вера")
    chat_id = create_chat(page, "Архив", closed=True)
    sent = page.evaluate(
        """async (chatId) => {
            const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
            for (let n = 1; n <= 120; n += 1) {
              const response = await fetch(`/api/v1/chats/${chatId}/messages/`, {
                method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                body: JSON.stringify({client_id: crypto.randomUUID(), text: `Запись ${n}`}),
              });
              if (!response.ok) return n;
            }
            return 120;
        }""",
        chat_id,
    )
    assert sent == 120
    page.reload()
    log = messages(page)
    expect(log.get_by_text("Запись 120", exact=True)).to_be_visible()
    assert log.locator("article.msg").count() == 50  # the newest page only
    for _ in range(10):
        if page.get_by_text("Это начало чата.", exact=True).is_visible():
            break
        page.locator(".chat-scroll").evaluate("element => { element.scrollTop = 0; }")
        page.wait_for_timeout(300)
    expect(page.get_by_text("Это начало чата.", exact=True)).to_be_visible()
    expect(log.locator("article.msg")).to_have_count(120)
    expect(log.get_by_text("Запись 1", exact=True)).to_be_visible()
    expect(log.locator(".chat-day")).to_have_count(1)
    seqs = [int(s) for s in log.locator("article.msg").evaluate_all("els => els.map(e => e.dataset.seq)")]
    assert seqs == list(range(1, 121))
    assert page_overflow(page) == 0


def test_system_chat_settings_are_read_only(new_context: NewContext, messenger: DevMessenger) -> None:
    # covers: C1 (system chats' settings and members are not changed by hand)
    page = new_context(base_url=messenger.url, **PHONE).new_page()
    sign_up(page, messenger.url, phone="+7 916 555-04-01", last_name="Белова", first_name="Ольга")
    messenger.run_python(
        "from parta.messenger.accounts.models import Profile\n"
        "from parta.messenger.chats.services import ensure_system_chat\n"
        "me = Profile.objects.get(identifier='+79165550401')\n"
        "ensure_system_chat(system_key='e2e:7Б:students', kind='class_students', title='7Б — ученики',"
        " organization=None, admin_ids=[], member_ids=[me.pk])\n"
    )
    page.reload()
    chat_row(page, "7Б — ученики").click()
    info = open_info(page)
    expect(info.get_by_text("Этим чатом управляет список школы", exact=False)).to_be_visible()
    expect(info.get_by_role("textbox", name="Название чата")).to_have_count(0)
    expect(info.get_by_role("checkbox")).to_have_count(0)
    expect(info.get_by_role("button", name="Сохранить")).to_have_count(0)
    expect(info.get_by_role("button", name="Покинуть чат")).to_have_count(0)
    expect(info.get_by_role("button", name="Создать ссылку")).to_have_count(0)
    assert page_overflow(page) == 0
