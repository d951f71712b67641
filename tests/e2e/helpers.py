"""What the browser tests do again and again: sign in, open the class journal, read the grid, check layout."""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.servers import REPO

DEMO_PASSWORD = "demo"
SCREENSHOTS = REPO / "test-results"
MARKS_URL = re.compile(r"/journal/lessons/(\d+)/marks/$")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {
    "viewport": {"width": 375, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


def login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Signs in through the journal's login form and waits until the login page is left."""
    page.goto("/accounts/login/")
    page.get_by_label("Логин", exact=True).fill(username)
    page.get_by_label("Пароль", exact=True).fill(password)
    page.get_by_role("button", name="Войти", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def open_class_journal(page: Page, school_class: str, subject: str) -> None:
    """«Журнал» → «Классный журнал» → class and subject → «Загрузить»: the grid of the current period."""
    page.get_by_role("navigation").get_by_role("link", name="Журнал", exact=True).click()
    page.get_by_role("link", name="Классный журнал", exact=True).click()
    expect(page).to_have_url(re.compile(r"/journal/class/"))
    page.get_by_label("Класс", exact=True).select_option(label=school_class)
    page.get_by_label("Предмет", exact=True).select_option(label=subject)
    page.get_by_role("button", name="Загрузить", exact=True).click()
    expect(grid(page)).to_be_visible()


def grid(page: Page) -> Locator:
    return page.get_by_role("table").filter(has=page.get_by_role("columnheader"))


@dataclass(frozen=True)
class GridColumn:
    """One lesson column of the class journal: where it is and which lesson it is."""

    index: int  # among all cells of a row, the student's name being 0
    header: str  # «29.11»
    title: str  # «29.11.2026 09:00 — topic»


def lesson_column(page: Page, lesson_id: int) -> GridColumn:
    """The grid column whose header links to the lesson's marks page."""
    headers = grid(page).locator("thead tr").first.locator("th")
    link = headers.locator(f'a[href$="/journal/lessons/{lesson_id}/marks/"]')
    expect(link).to_have_count(1)
    for index in range(headers.count()):
        header = headers.nth(index)
        if header.locator(f'a[href$="/journal/lessons/{lesson_id}/marks/"]').count():
            return GridColumn(
                index=index, header=header.inner_text().strip(), title=header.get_attribute("title") or ""
            )
    raise AssertionError(f"no grid column for lesson {lesson_id}")


def student_names(page: Page) -> list[str]:
    """The students of the grid, top to bottom, by full name.

    The grid shows «Фамилия Имя» to stay narrow; the full name is the row header's tooltip.
    """
    headers = grid(page).locator("tbody tr th[scope=row][title]")
    return [" ".join((headers.nth(i).get_attribute("title") or "").split()) for i in range(headers.count())]


def grid_row(page: Page, student_name: str) -> Locator:
    """The grid row of a student (by full name): its first column reads «Фамилия Имя»."""
    surname_and_name = " ".join(student_name.split()[:2])
    header = page.get_by_role("rowheader", name=surname_and_name, exact=True)
    row = grid(page).locator("tbody tr").filter(has=header)
    expect(row).to_have_count(1)
    expect(row.locator("th[scope=row]")).to_have_attribute("title", student_name)
    return row


def grid_cell(page: Page, student_name: str, column: GridColumn) -> Locator:
    return grid_row(page, student_name).locator("th, td").nth(column.index)


def marks_in(locator: Locator) -> list[str]:
    """The marks shown in a grid cell or a diary lesson, one by one (they are drawn side by side)."""
    return [text.strip() for text in locator.locator(".mark").all_inner_texts()]


def is_absent(cell: Locator) -> bool:
    """Whether a grid cell shows «Н» (besides any marks)."""
    return "Н" in re.findall(r"[^\W\d_]+", cell.inner_text())


def lesson_id_from(url: str) -> int:
    match = MARKS_URL.search(url.split("?")[0])
    assert match, f"not a marks page: {url}"
    return int(match.group(1))


def page_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the screen (0 when nothing scrolls sideways).

    Measured against the viewport the context was given, not `window.innerWidth`: a phone's browser zooms out
    to fit a too-wide page, and then innerWidth grows with the content and hides the overflow.
    """
    width = page.viewport_size["width"] if page.viewport_size else 0
    content = int(page.evaluate("() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"))
    return max(0, content - width)


def assert_within_screen(page: Page, locator: Locator) -> None:
    """The element is shown and fits the screen's width: one can see and tap it without scrolling sideways."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, f"off screen: {box} in {width}px"


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def screenshot_pages(contexts: list[BrowserContext], test_name: str, folder_name: str = "e2e-failures") -> None:
    """Every open page of these contexts as a PNG under test-results/<folder_name>/ (a failed test's last look)."""
    folder = REPO / "test-results" / folder_name
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "_", test_name)
    for c_index, context in enumerate(contexts):
        for p_index, page in enumerate(context.pages):
            try:
                page.screenshot(path=str(folder / f"{safe}-{c_index}-{p_index}.png"), full_page=True, timeout=5000)
            except Exception as error:
                print(f"could not screenshot {page.url}: {error}")
