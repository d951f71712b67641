# covers: L1, L2, L3, L5, A3, C1, C2, C3 (issue 4's acceptance: linking from both sides, automatic and subject chats)
"""Linking in a real browser against both real sites, with the journal's outbox worker running as run.sh runs it.

The sites run with PARTA_DEBUG=0 (servers.py), as a school would; codes are read from the development inbox of a
second messenger process on the same database (messenger_helpers.dev_messenger), and typed on the real messenger.
The tests of this module run in order: the teacher links first, so the student finds the teacher in the chat.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import (
    _FAILED,
    ACTION_TIMEOUT_MS,
    NAVIGATION_TIMEOUT_MS,
    ServerWatch,
)
from tests.e2e.helpers import DESKTOP, login, screenshot_pages
from tests.e2e.messenger_helpers import DevMessenger, dev_messenger, read_code
from tests.e2e.servers import Sites
from tests.e2e.servers import journal_worker as running_journal_worker

TEACHER_PHONE = "8 (916) 555-41-01"  # the demo's `teacher`: Кузнецова Ирина Викторовна, class teacher of 7Б
STUDENT_PHONE = "8 (916) 555-41-02"  # the demo's `student`: Соколов Максим Дмитриевич, 7Б
SEEN_WITHIN_MS = 20_000  # the worker delivers within seconds; a page may need a reload to show it


@pytest.fixture(scope="module")
def inbox(sites: Sites) -> Iterator[DevMessenger]:
    with dev_messenger(sites) as dev:
        yield dev


@pytest.fixture(scope="module")
def journal_worker(sites: Sites) -> Iterator[None]:
    with running_journal_worker(sites):
        yield


@pytest.fixture(scope="module")
def people(browser: Browser, sites: Sites) -> Iterator[dict[str, BrowserContext]]:
    """One browser per person for the whole module: the teacher's sessions outlive the first test."""
    made: dict[str, BrowserContext] = {}
    for person in ("teacher", "student"):
        context = browser.new_context(
            base_url=sites.journal.url, viewport=DESKTOP, locale="ru-RU", timezone_id="Europe/Moscow"
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        made[person] = context
    yield made
    for context in made.values():
        context.close()


@pytest.fixture
def contexts(
    people: dict[str, BrowserContext], server_watch: ServerWatch, request: pytest.FixtureRequest
) -> Iterator[dict[str, BrowserContext]]:
    """The people's browsers; this test's 5xx answers are watched, and its pages kept as screenshots if it fails."""
    for context in people.values():
        context.on("response", server_watch.record_response)
    yield people
    for context in people.values():
        context.remove_listener("response", server_watch.record_response)
    if request.node.stash.get(_FAILED, False):
        screenshot_pages(list(people.values()), request.node.name)


def sign_in_to_messenger(page: Page, inbox: DevMessenger, *, phone: str, last_name: str, first_name: str) -> None:
    """On the messenger's sign-in page: «Телефон или почта» → the code → the new profile → «Создать учебный профиль»."""
    page.get_by_label("Телефон или почта", exact=True).fill(phone)
    page.get_by_role("button", name="Продолжить", exact=True).click()
    code_field = page.get_by_label("Код из SMS", exact=True)
    expect(code_field).to_be_visible()
    code_field.fill(read_code(page.context, inbox.url, phone))
    page.get_by_role("button", name="Продолжить", exact=True).click()
    page.get_by_label("Фамилия", exact=False).first.fill(last_name)
    page.get_by_label("Имя", exact=False).first.fill(first_name)
    page.get_by_role("button", name="Создать учебный профиль", exact=True).click()


def check_consent(page: Page) -> None:
    """The consent screen names the journal and lists exactly what it passes (A3), then «Продолжить»."""
    expect(page.get_by_role("heading", name=re.compile(r"«Электронный журнал».*учебный профиль"))).to_be_visible()
    data = page.get_by_role("region", name="Передаваемые данные", exact=True)
    expect(data).to_contain_text(re.compile(r"фамилия.*имя.*отчество", re.I))
    expect(data).to_contain_text(re.compile(r"класс", re.I))
    expect(data).to_contain_text(re.compile(r"дети", re.I))
    page.get_by_role("button", name="Продолжить", exact=True).click()


def expect_chat(page: Page, name: str) -> None:
    """The chat shows in «Чаты» (reloading while the worker is still delivering)."""
    row = page.locator(".chat-list").get_by_role("link").filter(has_text=name)
    deadline = SEEN_WITHIN_MS
    while deadline > 0 and not row.count():
        page.wait_for_timeout(1000)
        deadline -= 1000
        if not row.count():
            page.reload()
    expect(row.first).to_be_visible()


def test_teacher_links_from_the_journal_and_finds_the_chats_of_7b(
    contexts: dict[str, BrowserContext], sites: Sites, inbox: DevMessenger, journal_worker: None
) -> None:
    page = contexts["teacher"].new_page()
    login(page, "teacher")
    page.get_by_role("link", name="Мессенджер «Парта»").click()
    expect(page.get_by_role("heading", name="Учебный профиль не привязан", exact=True)).to_be_visible()
    expect(page.get_by_text("Передаваемые данные", exact=True)).to_be_visible()
    page.get_by_role("button", name="Привязать учебный профиль", exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(sites.messenger.url)))
    sign_in_to_messenger(page, inbox, phone=TEACHER_PHONE, last_name="Кузнецова", first_name="Ирина")
    check_consent(page)

    expect(page).to_have_url(f"{sites.journal.url}/messenger/done/")
    expect(page.get_by_role("heading", name="Готово!", exact=True)).to_be_visible()
    page.get_by_role("link", name="Перейти в чат", exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(sites.messenger.url) + r"/chats/"))
    for name in ("7Б — ученики", "7Б — родители", "Учителя"):
        expect_chat(page, name)


def test_student_links_from_the_messenger_banner_and_meets_the_teacher(
    contexts: dict[str, BrowserContext], sites: Sites, inbox: DevMessenger, journal_worker: None
) -> None:
    page = contexts["student"].new_page()
    page.goto(f"{sites.messenger.url}/")
    sign_in_to_messenger(page, inbox, phone=STUDENT_PHONE, last_name="Соколов", first_name="Максим")
    expect(page).to_have_url(re.compile(r"/chats/$"))

    page.get_by_role("link", name="Подключить дневник", exact=True).click()
    page.get_by_role("link", name="Демонстрационный регион", exact=True).click()
    page.get_by_role("main").get_by_role("link", name="Электронный журнал", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(sites.journal.url) + r"/accounts/login/"))
    page.get_by_label("Логин", exact=True).fill("student")
    page.get_by_label("Пароль", exact=True).fill("demo")
    page.get_by_role("button", name="Войти", exact=True).click()
    check_consent(page)  # already signed in to the messenger: straight to the consent

    # Begun in the messenger, linking ends there (L2): its chat list, not the journal's «Готово!».
    expect(page).to_have_url(re.compile(re.escape(sites.messenger.url) + r"/chats/"))
    expect(page.get_by_role("heading", name="Готово!", exact=True)).to_have_count(0)
    expect_chat(page, "7Б — ученики")
    page.locator(".chat-list").get_by_role("link").filter(has_text="7Б — ученики").first.click()
    expect(page.locator(".chat-title")).to_have_text("7Б — ученики")
    page.get_by_role("button", name="О чате", exact=True).click()
    expect(page.locator("#chat-info")).to_contain_text("Кузнецова")


def test_teacher_adds_a_subject_chat_and_the_student_sees_it_uninvited(
    contexts: dict[str, BrowserContext], sites: Sites, journal_worker: None
) -> None:
    teacher = contexts["teacher"].new_page()
    teacher.goto("/")
    teacher.get_by_role("navigation").get_by_role("link", name="Журнал", exact=True).click()
    teacher.get_by_role("link", name="Управление чатами", exact=True).click()
    row = teacher.locator("tr").filter(has_text="7Б").filter(has_text="Математика")
    expect(row).to_contain_text("чата пока нет")
    row.get_by_role("link", name="Добавить", exact=True).click()
    expect(teacher.locator("#chat-name")).to_have_text("7Б — Математика")
    teacher.get_by_role("button", name="Добавить", exact=True).click()

    row = teacher.locator("tr").filter(has_text="7Б — Математика")
    expect(row.get_by_role("link", name="Перейти в чат", exact=True)).to_be_visible(timeout=SEEN_WITHIN_MS)

    student = contexts["student"].new_page()
    student.goto(f"{sites.messenger.url}/chats/")
    expect_chat(student, "7Б — Математика")
