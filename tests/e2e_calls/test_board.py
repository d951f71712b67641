# covers: V5 (the teacher's call controls: «Интерактивная доска» — the board in the lesson call, who may draw,
# the board's PDF in the call's chat after the lesson)
"""Acceptance of issue 10 in real browsers against real Janus and both sites, inside a network namespace (conftest).

The teacher starts a lesson from the class journal, opens the board, draws with the mouse and writes text; two
students see it; the teacher lets one of them draw («Выбранные»), whose stroke the others see, while the other's
change is refused by the server; a third student joins late on a phone and sees the whole board; the messenger
restarts and nothing is lost; a PDF goes on the board; ending the lesson puts the board's PDF into the call's chat.
The time from a stroke's release to the others' canvases drawing it is printed (and kept in calls-timing.txt).
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pycrdt import Array, Doc, Map
from pypdf import PdfReader
from reportlab.pdfgen import canvas as pdf_canvas

from tests.e2e.helpers import PHONE, open_class_journal
from tests.e2e.servers import Sites
from tests.e2e_calls import board_page as board
from tests.e2e_calls import call_page as call
from tests.e2e_calls.conftest import MEASUREMENTS, RESULTS, TIMINGS, CallWorld, prepare_context
from tests.e2e_calls.environment import context_options
from tests.e2e_calls.people import School, seed_lesson
from tests.e2e_calls.waiting import wait_until

LIVE_MS = 15_000
SCREENSHOTS = RESULTS / "e2e-calls-board"


@pytest.fixture(scope="module")
def board_lesson(sites: Sites, school: School) -> int:
    return seed_lesson(sites, "Дистанционный урок: доска")


def measure(line: str) -> None:
    print(line)
    MEASUREMENTS.append(line)
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    with Path(TIMINGS).open("a", encoding="utf-8") as out:
        out.write(line + "\n")


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), timeout=10_000)


def seen_by(others: dict[str, Page], count: int, drawer: Page, what: str) -> None:
    """Each of `others` draws `count` items; prints how long after the drawer's own canvas drew the new item
    (a stroke is in the document from its first points on, and grows while the pointer moves) theirs did."""
    board.wait_items(drawer, count, who="the drawer")
    drawn = board.seen_at(drawer, count)
    assert drawn is not None, "the drawer's canvas never drew the stroke"
    for who, page in others.items():
        board.wait_items(page, count, who=who)
        at = board.seen_at(page, count)
        assert at is not None, f"{who}'s canvas did not note drawing {count} items"
        measure(f"BOARD {what} → rendered [{who}]: {at - drawn:.0f} ms after the drawer's screen")


# --- entering the lesson -------------------------------------------------------------------------------------------


def start_lesson(context: BrowserContext, lesson: int) -> Page:
    """The class journal's «Создать» → «Открыть» → the call page → «Присоединиться»."""
    journal = context.new_page()
    journal.goto("/")
    open_class_journal(journal, "7Б", "Математика")
    journal.locator(f'td.distance-slot[data-lesson="{lesson}"] button.distance-create').click()
    open_link = journal.locator(f'td.distance-slot[data-lesson="{lesson}"] a.distance-open')
    expect(open_link).to_have_text("Открыть")
    page = call.open_page_from(context, journal, open_link.click)
    call.join(page)
    return page


def enter_from_diary(context: BrowserContext, lesson: int) -> Page:
    diary = context.new_page()
    diary.goto("/diary/")
    icon = diary.locator(f'a.distance-icon[href$="/diary/lessons/{lesson}/distance/"]')
    expect(icon).to_be_visible()
    page = call.open_page_from(context, diary, icon.click)
    call.join(page)
    return page


def phone_context(browser: Browser, world: CallWorld, signed_in: BrowserContext) -> BrowserContext:
    """A phone (375 px, touch) with the same person's sessions on both sites."""
    options = {**context_options(world.journal_url), **PHONE, "storage_state": signed_in.storage_state()}
    return prepare_context(browser.new_context(**options))


def profile_of(page: Page, participant_id: int) -> int:
    person = next(p for p in call.state(page)["participants"] if p["id"] == participant_id)
    return int(person["profile_id"])


# --- the steps -----------------------------------------------------------------------------------------------------


def teacher_draws_and_writes(teacher: Page, students: dict[str, Page]) -> None:
    for page in [teacher, *students.values()]:
        board.watch_rendered(page)
    board.stroke(teacher)
    seen_by(students, 1, teacher, "teacher's stroke")
    board.write_text(teacher, "x = 5")
    board.wait_items(teacher, 2, who="teacher")
    for who, page in students.items():
        found = board.wait_items(page, 2, who=who)
        assert {item["kind"] for item in found} == {"pen", "text"}, found
        assert any(item.get("text") == "x = 5" for item in found), found


def teacher_chooses_drawer(teacher: Page, student_profile: int) -> None:
    """«Доска: доступы» → «Выбранные» → the student's box."""
    teacher.locator("#call-board-settings").click()
    panel = teacher.locator("#call-board-panel")
    expect(panel).to_be_visible()
    panel.get_by_label("Выбранные", exact=True).check()
    box = panel.locator(f'li[data-profile="{student_profile}"] input[type=checkbox]')
    expect(box).to_be_visible(timeout=LIVE_MS)
    box.check()
    expect(box).to_be_checked()
    panel.locator("[data-close-panel]").click()


def other_student_is_refused(other: Page, teacher: Page, socket: str, count: int) -> None:
    """The second student may not draw: the page says so and draws nothing; a change sent anyway (straight over the
    board's socket, with the student's session) is refused by the server and never reaches the teacher."""
    expect(board.host(other)).to_have_attribute("data-can-draw", "false", timeout=LIVE_MS)
    expect(board.host(other)).to_contain_text("Рисовать могут только")
    board.drag(other, [(0.6, 0.2), (0.7, 0.3), (0.8, 0.2)])
    doc: Doc = Doc()
    pages = doc.get("pages", type=Array)
    pages.append(Map({"id": "intruder", "title": "Чужая", "items": Array()}))
    refusal = board.send_raw_update(other, socket, board.yjs_update_frame(doc.get_update()))
    assert refusal.get("code") == "board_draw_not_allowed", refusal
    assert re.search("[а-яА-Я]", str(refusal.get("message"))), refusal
    teacher.wait_for_timeout(2000)
    assert len(board.items(teacher)) == count
    assert "intruder" not in {p["id"] for p in board.debug(teacher)["pages"]}


def lock_and_unlock(teacher: Page, chosen: Page) -> None:
    """«Закрыть доску»: nobody draws, the chosen student included, until «Открыть доску»."""
    teacher.locator("#call-board-settings").click()
    lock = teacher.locator("#call-board-lock")
    expect(lock).to_have_text("Закрыть доску")
    lock.click()
    expect(lock).to_have_text("Открыть доску")
    expect(board.host(chosen)).to_have_attribute("data-can-draw", "false", timeout=LIVE_MS)
    expect(board.host(chosen)).to_contain_text("Доска закрыта")
    lock.click()
    expect(lock).to_have_text("Закрыть доску")
    expect(board.host(chosen)).to_have_attribute("data-can-draw", "true", timeout=LIVE_MS)
    teacher.locator("#call-board-panel [data-close-panel]").click()


def phone_sees_board(phone: Page, count: int) -> None:
    """A late joiner on a phone: the whole board, full width, the videos behind «Видео»; zoom works."""
    board.wait_synced(phone)
    board.wait_items(phone, count, who="student3 (phone, late)")
    expect(phone.locator("#call-stage")).to_be_hidden()
    box = phone.locator("#call-board").bounding_box()
    assert box and box["width"] >= 340, box
    before = board.canvas(phone).evaluate("c => c.toDataURL()")
    phone.locator('#call-board-host [data-action="zoom-in"]').click()
    wait_until(
        lambda: board.canvas(phone).evaluate("c => c.toDataURL()") != before,
        timeout=5,
        what="the phone's board to zoom in",
        page=phone,
    )
    shot(phone, "phone-board")
    phone.locator("#call-view-videos").click()
    expect(phone.locator("#call-stage")).to_be_visible()
    expect(phone.locator("#call-board")).to_be_hidden()
    shot(phone, "phone-videos")
    phone.locator("#call-view-board").click()
    expect(phone.locator("#call-board")).to_be_visible()


def survive_restart(sites: Sites, pages: dict[str, Page], count: int) -> None:
    """The messenger stops and starts again: every page's board reconnects with all it had."""
    before = {who: sorted(item["id"] for item in board.items(page)) for who, page in pages.items()}
    for page in pages.values():
        page.evaluate(
            """() => { const host = document.getElementById("call-board-host"); window.__boardStatuses = [];
            new MutationObserver(() => window.__boardStatuses.push(host.dataset.boardStatus))
              .observe(host, {attributes: true, attributeFilter: ["data-board-status"]}); }"""
        )
    away = board.restart_messenger(sites)
    measure(f"BOARD messenger restart: away {away:.1f} s")
    for who, page in pages.items():
        wait_until(
            lambda page=page: page.evaluate(
                "() => window.__boardStatuses.some(s => s !== 'synced')"
                " && document.getElementById('call-board-host').dataset.boardStatus === 'synced'"
            ),
            timeout=40,
            what=f"{who}'s board to reconnect after the restart",
            page=page,
        )
        assert sorted(item["id"] for item in board.items(page)) == before[who], who
        assert len(board.items(page)) == count


def background_upload(teacher: Page, tmp: Path) -> None:
    """«Загрузить PDF или картинку»: a file that is not a PDF is refused in Russian (the file stays chosen); a
    two-page PDF adds two pages."""
    teacher.locator("#call-board-settings").click()
    panel = teacher.locator("#call-board-panel")
    fake = tmp / "worksheet.pdf"
    fake.write_bytes(b"this is not a PDF at all")
    panel.locator("#call-board-file").set_input_files(str(fake))
    status = panel.locator("#call-board-upload-status")
    expect(status).to_have_attribute("data-state", "refused", timeout=LIVE_MS)
    expect(status).to_have_text(re.compile("[а-яА-Я]"))
    assert panel.locator("#call-board-file").evaluate("input => input.files.length") == 1
    real = tmp / "задание.pdf"
    real.write_bytes(two_page_pdf())
    panel.locator("#call-board-file").set_input_files(str(real))
    expect(status).to_have_attribute("data-state", "done", timeout=30_000)
    expect(board.host(teacher)).to_have_attribute("data-pages", "3", timeout=LIVE_MS)
    shot(teacher, "teacher-board-panel")
    panel.locator("[data-close-panel]").click()


def two_page_pdf() -> bytes:
    out = io.BytesIO()
    document = pdf_canvas.Canvas(out)
    for number in (1, 2):
        document.drawString(72, 720, f"Worksheet, page {number}")
        document.showPage()
    document.save()
    return out.getvalue()


def pdf_in_chat(teacher_context: BrowserContext, world: CallWorld, chat_id: int, pages: int) -> None:
    """The call's chat has the file message «Доска: …» with the board's PDF: every page."""
    chat = teacher_context.new_page()
    chat.goto(f"{world.messenger_url}/chats/{chat_id}/")
    message = chat.locator(".msg").filter(has_text="Доска:").filter(has=chat.locator("a.msg-file"))

    def arrived() -> bool:
        if message.count():
            return True
        chat.reload()
        return False

    wait_until(arrived, timeout=60, interval=2, what="the board's PDF in the call's chat", page=chat)
    shot(chat, "chat-with-board-pdf")
    href = message.last.locator("a.msg-file").get_attribute("href")
    assert href
    answer = teacher_context.request.get(f"{world.messenger_url}{href}" if href.startswith("/") else href)
    assert answer.ok, answer.status
    body = answer.body()
    assert body.startswith(b"%PDF"), body[:20]
    assert len(PdfReader(io.BytesIO(body)).pages) == pages


# --- the lesson with the board -------------------------------------------------------------------------------------


def test_board_in_a_lesson_call(
    people: dict[str, BrowserContext],
    browser: Browser,
    world: CallWorld,
    board_lesson: int,
    tmp_path: Path,
) -> None:
    teacher = start_lesson(people["teacher"], board_lesson)
    phone = phone_context(browser, world, people["student3"])
    try:
        run_lesson(people, phone, world, board_lesson, teacher, tmp_path)
    except BaseException:
        for index, page in enumerate(phone.pages):
            shot(page, f"failed-phone-{index}")
        raise
    finally:
        if call.state(teacher)["status"] == "live":  # a failure must not leave the teacher's lesson live (V10)
            call.post(teacher, "end")
        phone.close()


def run_lesson(
    people: dict[str, BrowserContext],
    phone_of_student3: BrowserContext,
    world: CallWorld,
    lesson: int,
    teacher: Page,
    tmp: Path,
) -> None:
    students = {key: enter_from_diary(people[key], lesson) for key in ("student", "student2")}
    student_ids = {key: call.my_participant_id(page) for key, page in students.items()}
    opened = time.monotonic()
    board.open_board(teacher)
    for who, page in students.items():
        board.wait_synced(page)  # shown to everyone in the call (a participant's page asks with its 10 s poll)
        measure(f"BOARD opened by the teacher → shown to {who}: {time.monotonic() - opened:.1f} s")
    teacher_draws_and_writes(teacher, students)
    shot(teacher, "teacher-board")

    chosen, other = students["student"], students["student2"]
    teacher_chooses_drawer(teacher, profile_of(teacher, student_ids["student"]))
    expect(board.host(chosen)).to_have_attribute("data-can-draw", "true", timeout=LIVE_MS)
    watchers = {"teacher": teacher, "student2": other}
    for page in [chosen, *watchers.values()]:
        board.watch_rendered(page)
    board.stroke(chosen, y=0.55)
    seen_by(watchers, 3, chosen, "chosen student's stroke")
    authors = {item["author"] for item in board.items(teacher)}
    assert profile_of(teacher, student_ids["student"]) in authors, authors
    socket = str(page_board(chosen)["socket"])
    other_student_is_refused(other, teacher, socket, 3)
    shot(other, "student2-may-not-draw")
    lock_and_unlock(teacher, chosen)

    phone = enter_from_diary(phone_of_student3, lesson)  # late, on a phone
    phone_sees_board(phone, 3)

    everyone = {"teacher": teacher, **students, "student3": phone}
    survive_restart(world.sites, everyone, 3)
    for page in everyone.values():
        board.watch_rendered(page)
    board.stroke(teacher, y=0.25)
    seen_by({k: v for k, v in everyone.items() if k != "teacher"}, 4, teacher, "teacher's stroke after the restart")

    background_upload(teacher, tmp)
    for who in ("student", "student2", "student3"):
        expect(board.host(everyone[who])).to_have_attribute("data-pages", "3", timeout=LIVE_MS)
    pages = len(board.debug(teacher)["pages"])
    chat_id = int(call.state(teacher)["chat_id"])
    end_call(teacher)
    for page in [*students.values(), phone]:
        expect(page.locator("#call-ended")).to_be_visible(timeout=LIVE_MS)
    pdf_in_chat(people["teacher"], world, chat_id, pages)


def page_board(page: Page) -> dict[str, Any]:
    """The board as the page's session opens it (POST /api/v1/boards/): its socket's path."""
    answer = page.evaluate(
        """async (callId) => {
            const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
            const response = await fetch("/api/v1/boards/", {method: "POST", credentials: "same-origin",
                headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                body: JSON.stringify({call_id: callId}), signal: AbortSignal.timeout(10000)});
            return await response.json();
        }""",
        call.call_id(page),
    )
    return dict(answer)


def end_call(page: Page) -> None:
    """«Завершить для всех» and the page's confirmation."""
    page.locator("#call-end").click()
    page.locator("#call-confirm-ok").click()


# --- the next lesson continues the board ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def next_lesson(sites: Sites, school: School) -> int:
    return seed_lesson(sites, "Дистанционный урок: доска, продолжение")


def test_the_next_lesson_continues_the_board(
    people: dict[str, BrowserContext], next_lesson: int, board_lesson: int
) -> None:
    """After the lesson above (this module's tests run in order): the teacher's next lesson with 7Б opens its new
    board with a copy of that lesson's board — «Продолжить доску прошлого урока»."""
    teacher = start_lesson(people["teacher"], next_lesson)
    try:
        board.open_board(teacher)
        expect(board.host(teacher)).to_have_attribute("data-pages", "1")
        teacher.locator("#call-board-settings").click()
        earlier = teacher.locator("#call-board-earlier")
        expect(earlier).to_be_visible()  # the board is new: nothing on it yet
        earlier.locator("#call-board-earlier-load").click()
        choice = earlier.locator("button.call-board-earlier-open").first
        expect(choice).to_contain_text("страниц: 3")
        choice.click()
        expect(board.host(teacher)).to_have_attribute("data-pages", "3", timeout=LIVE_MS)
        board.wait_synced(teacher)
        wait_until(lambda: len(board.items(teacher)) == 4, timeout=15, what="the copied strokes and text", page=teacher)
        teacher.locator("#call-board-settings").click()
        teacher.locator("#call-board-settings").click()  # the panel again: now the board is not new
        expect(earlier).to_be_hidden()
        shot(teacher, "teacher-continued-board")
        teacher.locator("#call-board-clear").click()  # «Очистить страницу», confirmed
        expect(teacher.locator("#call-confirm-text")).to_contain_text("Очистить эту страницу")
        teacher.locator("#call-confirm-ok").click()
        wait_until(lambda: not board.items(teacher), timeout=10, what="the page to be cleared", page=teacher)
        assert board.rendered(teacher) == 0
    finally:
        if call.state(teacher)["status"] == "live":
            call.post(teacher, "end")
