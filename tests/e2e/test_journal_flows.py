"""Issue #2's acceptance, clicked through in Chromium against both running sites with the demo school.

The demo accounts (password `demo`): `teacher` teaches Математика in 7Б and 5А and leads 7Б;
`student` is in 7Б; `parent` has that student and a child in 5А. Everything else (names, lesson ids)
the tests read from the UI.
Only one test writes marks (to two students of 7Б on the lesson «Выставить оценки» opens); no other test
reads or writes those cells, so the tests do not depend on each other or on their order.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.helpers import (
    MARKS_URL,
    PHONE,
    GridColumn,
    assert_within_screen,
    grid,
    grid_cell,
    is_absent,
    lesson_column,
    lesson_id_from,
    login,
    marks_in,
    open_class_journal,
    page_overflow,
    screenshot,
    student_names,
)

NewContext = Callable[..., BrowserContext]
MESSENGER_LABEL = "Мессенджер «Парта»"


def _signed_in(new_context: NewContext, username: str, **options: object) -> Page:
    page = new_context(**options).new_page()
    login(page, username)
    return page


def _nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Главное меню")


def _diary_owner(page: Page) -> str:
    """The full name the diary is shown for, from its heading «Фамилия Имя Отчество, 7Б»."""
    owner = page.locator(".week-nav strong")
    expect(owner).to_be_visible()
    return owner.inner_text().rsplit(",", 1)[0].strip()


def _diary_lesson(page: Page, lesson_id: int, weeks_back: int = 2) -> Locator:
    """The lesson's card in the diary, paging back with «Предыдущая неделя» when it was in an earlier week."""
    lesson = page.locator(f'article[data-lesson="{lesson_id}"]')
    for _ in range(weeks_back):
        if lesson.count():
            break
        page.get_by_role("link", name=re.compile("Предыдущая неделя")).click()
        page.wait_for_load_state()
    expect(lesson).to_be_visible()
    return lesson


# --- sign-in and navigation --------------------------------------------------------------------------------


def test_login_page_is_russian_and_refuses_a_wrong_password(page: Page) -> None:
    # covers: J4
    page.goto("/accounts/login/")

    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_label("Логин", exact=True)).to_be_visible()
    expect(page.get_by_label("Пароль", exact=True)).to_be_visible()

    page.get_by_label("Логин", exact=True).fill("teacher")
    page.get_by_label("Пароль", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Войти", exact=True).click()

    error = page.get_by_role("alert")
    expect(error).to_be_visible()
    expect(error).to_contain_text(re.compile(r"[А-Яа-яЁё]{3,}"))  # a sentence in Russian, not a code
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_label("Логин", exact=True)).to_have_value("teacher")  # nothing typed is lost
    expect(_nav(page)).to_have_count(0)


def test_teacher_lands_on_the_journal_and_logs_out(page: Page) -> None:
    # covers: J4
    login(page, "teacher")

    expect(page).to_have_url(re.compile(r"/journal/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Журнал")
    nav = _nav(page)
    expect(nav.get_by_role("link", name="Журнал", exact=True)).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name=MESSENGER_LABEL, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Классный журнал", exact=True)).to_be_visible()

    page.get_by_role("button", name="Выйти", exact=True).click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto("/journal/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/journal/"))


def test_sign_in_returns_to_the_page_that_was_asked_for(page: Page) -> None:
    # covers: J4
    page.goto("/journal/class/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    page.get_by_label("Логин", exact=True).fill("teacher")
    page.get_by_label("Пароль", exact=True).fill("demo")
    page.get_by_role("button", name="Войти", exact=True).click()

    expect(page).to_have_url(re.compile(r"/journal/class/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Классный журнал")


def test_student_lands_on_the_diary_and_has_no_journal(page: Page) -> None:
    # covers: J3, J4
    login(page, "student")

    expect(page).to_have_url(re.compile(r"/diary/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Дневник")
    nav = _nav(page)
    expect(nav.get_by_role("link", name="Дневник", exact=True)).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Журнал", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Выйти", exact=True)).to_be_visible()

    nav.get_by_role("link", name=MESSENGER_LABEL, exact=True).click()
    expect(page).to_have_url(re.compile(r"/messenger/$"))

    page.goto("/journal/class/")
    expect(page.get_by_role("heading", name="Доступ запрещён")).to_be_visible()


# --- the class journal and the marks (the acceptance walk-through) -----------------------------------------


def test_class_journal_grid_lists_students_and_lessons(page: Page) -> None:
    # covers: J1, J2
    login(page, "teacher")
    page.get_by_role("link", name="Классный журнал", exact=True).click()
    expect(page.get_by_label("Период", exact=True)).not_to_have_value("")  # the current period, preselected
    open_class_journal(page, "7Б", "Математика")

    expect(page.get_by_label("Период", exact=True)).not_to_have_value("")  # and still shown with its grid
    table = grid(page)
    names = student_names(page)
    assert len(names) >= 2
    # Alphabetical as a Russian reader expects: by surname, then name, then patronymic; «ё» as «е».
    assert names == sorted(names, key=lambda name: name.replace("ё", "е").replace("Ё", "Е").split()), names
    assert "Соколов Максим Дмитриевич" in names  # the `student` account, in 7Б
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert headers[0] == "Ученик"
    dates = [h for h in headers[1:] if re.fullmatch(r"\d\d\.\d\d", h)]
    assert len(dates) >= 5, headers  # Математика has five lessons a week in grade 7
    expect(table.get_by_role("rowheader", name="Дистанционный урок", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Выставить оценки", exact=True)).to_be_visible()


def test_teacher_gives_marks_and_the_family_sees_them(new_context: NewContext) -> None:
    # covers: J2, J3, J4
    token = secrets.token_hex(3)
    topic = f"Сложение дробей с разными знаменателями ({token})"
    homework = f"№ 245, 247; повторить правило ({token})"

    student = _signed_in(new_context, "student")
    student_name = _diary_owner(student)

    teacher = _signed_in(new_context, "teacher")
    open_class_journal(teacher, "7Б", "Математика")
    give_marks = teacher.get_by_role("link", name="Выставить оценки", exact=True)
    lesson_id = lesson_id_from(give_marks.get_attribute("href") or "")
    column = lesson_column(teacher, lesson_id)
    _check_entry_lesson_is_todays_or_latest(teacher, column)
    absent_name = _someone_present(teacher, column, exclude=student_name)
    fives_before = marks_in(grid_cell(teacher, student_name, column)).count("5")

    give_marks.click()
    expect(teacher).to_have_url(MARKS_URL)
    assert lesson_id_from(teacher.url) == lesson_id
    teacher.get_by_label("Тема урока", exact=True).fill(topic)
    teacher.get_by_label("Домашнее задание", exact=True).fill(homework)
    # The new mark's select comes after the selects of marks already given on this lesson.
    teacher.get_by_label(f"Оценка — {student_name}", exact=True).select_option("5")
    teacher.get_by_label(f"Вид работы — {student_name}", exact=True).select_option(label="ответ на уроке")
    teacher.get_by_label(f"Н — {absent_name}", exact=True).check()
    teacher.get_by_role("button", name="Сохранить", exact=True).click()

    expect(teacher.get_by_text("Изменения сохранены", exact=True)).to_be_visible()
    expect(teacher).to_have_url(re.compile(rf"/journal/lessons/{lesson_id}/marks/$"))
    screenshot(teacher, "desktop-lesson-marks-saved")
    teacher.reload()
    _check_marks_page(teacher, topic, homework, student_name, absent_name)

    open_class_journal(teacher, "7Б", "Математика")
    column = lesson_column(teacher, lesson_id)
    assert marks_in(grid_cell(teacher, student_name, column)).count("5") == fives_before + 1
    assert is_absent(grid_cell(teacher, absent_name, column))
    assert topic in column.title
    screenshot(teacher, "desktop-class-journal")

    student.reload()
    _check_diary_lesson(student, lesson_id, topic, homework, fives_before + 1)
    screenshot(student, "desktop-diary-student")

    parent = _signed_in(new_context, "parent")
    parent.get_by_role("navigation", name="Дети").get_by_role("link", name=re.compile(r", 7Б$")).click()
    assert _diary_owner(parent) == student_name
    _check_diary_lesson(parent, lesson_id, topic, homework, fives_before + 1)


def _check_entry_lesson_is_todays_or_latest(page: Page, column: GridColumn) -> None:
    """«Выставить оценки» opens today's lesson, or the latest past one when there is none today."""
    match = re.match(r"(\d\d)\.(\d\d)\.(\d{4})", column.title)
    assert match, column.title
    day = dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    today = _today_in_browser(page)
    assert day <= today, f"«Выставить оценки» opens a future lesson ({day})"
    todays = grid(page).locator("thead th").filter(has_text=today.strftime("%d.%m")).locator("a")
    if todays.count():
        assert day == today, "there is a lesson today, but «Выставить оценки» opens another"


def _today_in_browser(page: Page) -> dt.date:
    # The browser runs in the school's time zone (Europe/Moscow), as the server does.
    iso = page.evaluate("() => new Date().toLocaleDateString('sv-SE')")
    return dt.date.fromisoformat(iso)


def _someone_present(page: Page, column: GridColumn, *, exclude: str) -> str:
    """A student of the grid, other than `exclude`, who has no «Н» on the column yet: the test gives one."""
    for name in reversed(student_names(page)):
        if name != exclude and not is_absent(grid_cell(page, name, column)):
            return name
    raise AssertionError("every student is already absent on this lesson")


def _check_marks_page(page: Page, topic: str, homework: str, student_name: str, absent_name: str) -> None:
    expect(page.get_by_label("Тема урока", exact=True)).to_have_value(topic)
    expect(page.get_by_label("Домашнее задание", exact=True)).to_have_value(homework)
    expect(page.get_by_label(f"Н — {absent_name}", exact=True)).to_be_checked()
    expect(page.get_by_label(f"Н — {student_name}", exact=True)).not_to_be_checked()
    given = page.get_by_label(f"Выставленная оценка — {student_name}", exact=True)
    values = [given.nth(i).input_value() for i in range(given.count())]
    assert "5" in values, values  # kept as a given mark
    # the new-mark select is empty again
    expect(page.get_by_label(f"Оценка — {student_name}", exact=True)).to_have_value("")


def _check_diary_lesson(page: Page, lesson_id: int, topic: str, homework: str, fives: int) -> None:
    lesson = _diary_lesson(page, lesson_id)
    expect(lesson).to_contain_text("Математика")
    expect(lesson).to_contain_text("Кузнецова И. В.")
    expect(lesson).to_contain_text(f"Д/з: {homework}")
    expect(lesson).to_contain_text(topic)
    assert marks_in(lesson).count("5") == fives, marks_in(lesson)


# --- the diary ---------------------------------------------------------------------------------------------


def test_diary_shows_a_week_of_day_cards_and_pages_weeks(page: Page) -> None:
    # covers: J3
    login(page, "student")

    days = page.locator("section.day")
    headings = [h.strip() for h in days.locator("h2").all_inner_texts()]
    assert 6 <= len(headings) <= 7, headings
    assert headings[0].lower().startswith("понедельник"), headings
    assert headings[5].lower().startswith("суббота"), headings
    if len(headings) == 7:  # Sunday is shown only when it has lessons
        assert headings[6].lower().startswith("воскресенье"), headings
        expect(days.nth(6).locator("article.lesson").first).to_be_visible()
    first_lesson = page.locator("article.lesson").first
    expect(first_lesson).to_contain_text(re.compile(r"\d\d:\d\d"))
    expect(first_lesson.locator(".subject")).not_to_be_empty()
    expect(first_lesson).to_contain_text(re.compile(r"[А-ЯЁ][а-яё]+ [А-ЯЁ]\. [А-ЯЁ]\."))  # the teacher
    dates = page.locator(".week-nav span.muted").first
    this_week = dates.inner_text()

    page.get_by_role("link", name=re.compile("Предыдущая неделя")).click()
    expect(page).to_have_url(re.compile(r"[?&]week=\d{4}-\d\d-\d\d"))
    expect(dates).not_to_have_text(this_week)
    expect(page.locator("section.day h2").first).not_to_have_text(headings[0])
    page.get_by_role("link", name=re.compile("Следующая неделя")).click()
    expect(dates).to_have_text(this_week)
    expect(page.locator("section.day h2")).to_have_text(headings)


def test_parent_switches_between_children(page: Page) -> None:
    # covers: J3, J4
    login(page, "parent")
    expect(page).to_have_url(re.compile(r"/diary/$"))

    children = page.get_by_role("navigation", name="Дети").get_by_role("link")
    expect(children).to_have_count(2)
    expect(page.locator('nav[aria-label="Дети"] a[aria-current="page"]')).to_have_count(1)
    younger = children.filter(has_text=re.compile(r", 5А$"))
    expect(younger).to_have_count(1)
    younger_name = younger.inner_text().rsplit(",", 1)[0]

    younger.click()

    expect(page).to_have_url(re.compile(r"/diary/\d+/"))
    expect(younger).to_have_attribute("aria-current", "page")
    expect(children.filter(has_text=re.compile(r", 7Б$"))).not_to_have_attribute("aria-current", "page")
    expect(page.locator(".week-nav strong")).to_contain_text(", 5А")
    first, last = younger_name.split(" ", 1)
    assert _diary_owner(page).startswith(f"{last} {first}")
    expect(page.locator("article.lesson").first).to_be_visible()


# --- refusals ----------------------------------------------------------------------------------------------


def test_student_cannot_open_another_students_diary(new_context: NewContext) -> None:
    # covers: J3, J4
    parent = _signed_in(new_context, "parent")
    sister = parent.get_by_role("navigation", name="Дети").get_by_role("link", name=re.compile(r", 5А$"))
    sister_url = (sister.get_attribute("href") or "").split("?")[0]
    sister_name = sister.inner_text().rsplit(",", 1)[0]
    assert re.fullmatch(r"/diary/\d+/", sister_url), sister_url

    student = _signed_in(new_context, "student")
    response = student.goto(sister_url)

    assert response is not None and response.status == 404
    expect(student.get_by_role("heading", name="Страница не найдена")).to_be_visible()
    expect(student.locator("body")).not_to_contain_text(sister_name)
    expect(student.locator("article.lesson")).to_have_count(0)


def test_teacher_cannot_edit_a_lesson_of_another_teacher(new_context: NewContext) -> None:
    # covers: J2
    student = _signed_in(new_context, "student")
    # A lesson of 7Б that `teacher` (Кузнецова И. В.) does not give, not even as a substitute.
    others = student.locator("article.lesson").filter(has_text="Русский язык").filter(has_not_text="Кузнецова")
    expect(others.first).to_be_visible()
    lesson = others.first
    lesson_id = int(lesson.get_attribute("data-lesson") or 0)
    before = lesson.inner_text()
    marks_url = f"/journal/lessons/{lesson_id}/marks/"

    teacher = _signed_in(new_context, "teacher")
    response = teacher.goto(marks_url)
    assert response is not None and response.status == 403
    expect(teacher.get_by_role("heading", name="Доступ запрещён")).to_be_visible()
    expect(teacher.get_by_label("Тема урока")).to_have_count(0)

    token = teacher.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value") or ""
    posted = teacher.request.post(
        marks_url,
        form={"csrfmiddlewaretoken": token, "topic": "Чужая тема", "homework": "Чужое задание"},
        max_redirects=0,
    )
    assert posted.status == 403
    assert "Доступ запрещён" in posted.text()  # the journal's refusal, not a CSRF failure

    student.reload()
    after = student.locator(f'article[data-lesson="{lesson_id}"]')
    expect(after).not_to_contain_text("Чужая тема")
    assert after.inner_text() == before


# --- on a phone --------------------------------------------------------------------------------------------


def test_class_journal_and_diary_fit_a_phone(phone_page: Page, new_context: NewContext) -> None:
    # covers: J2, J3
    teacher = phone_page
    login(teacher, "teacher")
    open_class_journal(teacher, "7Б", "Математика")
    assert page_overflow(teacher) == 0, "the page scrolls sideways on a phone"
    wrap = teacher.locator(".grid-wrap")
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth"), "the grid should scroll inside its own box"
    assert_within_screen(teacher, teacher.get_by_role("button", name="Загрузить", exact=True))
    assert_within_screen(teacher, teacher.get_by_role("link", name="Выставить оценки", exact=True))
    screenshot(teacher, "phone-class-journal")

    teacher.get_by_role("link", name="Выставить оценки", exact=True).click()
    expect(teacher).to_have_url(MARKS_URL)
    assert page_overflow(teacher) == 0, "the marks page scrolls sideways on a phone"
    assert_within_screen(teacher, teacher.get_by_role("button", name="Сохранить", exact=True))
    screenshot(teacher, "phone-lesson-marks")

    student = _signed_in(new_context, "student", **PHONE)
    assert page_overflow(student) == 0, "the diary scrolls sideways on a phone"
    assert_within_screen(student, student.get_by_role("link", name=re.compile("Предыдущая неделя")))
    assert_within_screen(student, student.get_by_role("link", name=re.compile("Следующая неделя")))
    expect(student.locator("article.lesson").first).to_be_visible()
    screenshot(student, "phone-diary")


# --- the other site ----------------------------------------------------------------------------------------


def test_messenger_icon_leads_to_the_running_messenger_site(page: Page, messenger_url: str) -> None:
    # covers: L1 (the journal's messenger icon is the way to the messenger)
    login(page, "parent")

    _nav(page).get_by_role("link", name=MESSENGER_LABEL, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MESSENGER_LABEL)
    page.get_by_role("link", name="Открыть «Парту»", exact=True).click()

    expect(page).to_have_url(messenger_url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Парта")
