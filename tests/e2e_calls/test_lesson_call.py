# covers: V1 (a lesson's call from the class journal: «Создать» → «Открыть»), V2 (pre-join with camera and
# microphone), V3 (students enter from the diary's icon), V4 (video both ways, screen sharing), V5 (raised hands),
# V8 (the organizer withdraws screen sharing; the server refuses it), V9 (a call in the parents' chat: «Позвонить»,
# «Войти»), V10 (one live lesson per teacher: «Пока не завершено занятие…»), B2 (attendance after the end)
"""Acceptance of issue 5 in real browsers against real Janus and both sites, inside a network namespace (conftest).

The module's people are linked with the messenger once, through the real flow (people.py); the tests of this module
run in order and share their browsers. Media is proven by WebRTC statistics: frames decoded rising over two seconds
(window.partaCall.inboundStats()). The time from «Присоединиться» to the first remote frame is printed (target 1.5 s).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.helpers import open_class_journal
from tests.e2e.servers import PYTHON, REPO, Sites
from tests.e2e_calls import call_page as call
from tests.e2e_calls.conftest import MEASUREMENTS, TIMINGS, CallWorld
from tests.e2e_calls.people import School
from tests.e2e_calls.waiting import wait_until

FIRST_FRAME_TARGET_MS = 1500
LIVE_MS = 15_000  # what one person does shows for another within this (real time, or the page's 10 s poll)


# The school, its linked people and their browsers (`school`, `linked`, `people`) are conftest.py's: shared by the
# call tests' modules, linked once per run.


def record_timing(who: str, page: Page) -> None:
    ms = call.join_to_first_frame_ms(page)
    line = (
        f"CALLS join→first remote frame [{who}]: {ms:.0f} ms (target < {FIRST_FRAME_TARGET_MS} ms); "
        f"after the click: {call.join_breakdown(page)}"
    )
    print(line)
    MEASUREMENTS.append(line)
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    with Path(TIMINGS).open("a", encoding="utf-8") as out:
        out.write(line + "\n")


def deliver_webhooks(sites: Sites) -> None:
    """The messenger's webhook delivery, once (run.sh keeps it running with --loop)."""
    result = subprocess.run(
        [PYTHON, "-m", "parta.messenger", "deliver_webhooks"],
        cwd=REPO,
        env=sites.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def janus_feeds(world: CallWorld) -> set[tuple[int, str]]:
    """(participant, kind) of every publisher in the one room Janus holds (from the feeds' `display`)."""
    rooms = world.janus.rooms()
    assert len(rooms) == 1, rooms
    answer = world.janus.videoroom({"request": "listparticipants", "room": rooms[0]["room"]})
    found = set()
    for publisher in answer.get("participants", []):
        if not publisher.get("publisher"):
            continue  # in the room, but not sending anything
        display = json.loads(publisher.get("display") or "{}")
        found.add((int(display.get("p", 0)), str(display.get("k", ""))))
    return found


def end_call(page: Page) -> None:
    """«Завершить для всех» and its confirmation (a dialog of the page, or the browser's confirm())."""
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#call-end").click()
    confirm = page.get_by_role("dialog").get_by_role("button", name=re.compile("^Завершить"))
    try:
        confirm.first.wait_for(state="visible", timeout=2000)
    except Exception:
        return  # the browser's own confirm() was accepted
    confirm.first.click()


# --- the lesson ----------------------------------------------------------------------------------------------------


def test_lesson_from_the_journal_with_two_students(
    people: dict[str, BrowserContext],
    school: School,
    world: CallWorld,
) -> None:
    teacher_journal = people["teacher"].new_page()
    teacher_journal.goto("/")
    open_class_journal(teacher_journal, "7Б", "Математика")
    cell = teacher_journal.locator(f'td.distance-slot[data-lesson="{school.lesson_7b}"]')
    create = cell.locator("button.distance-create")
    expect(create).to_have_text("Создать")
    create.click()
    open_link = teacher_journal.locator(f'td.distance-slot[data-lesson="{school.lesson_7b}"] a.distance-open')
    expect(open_link).to_have_text("Открыть")

    # «Открыть» → the call page (a new tab) → pre-join → «Присоединиться».
    teacher = call.open_page_from(people["teacher"], teacher_journal, open_link.click)
    call.join(teacher)
    teacher_id = call.my_participant_id(teacher)
    lesson_call = call.call_id(teacher)

    # Both students come in from the diary's distance-lesson icon.
    students: dict[str, Page] = {}
    student_ids: dict[str, int] = {}
    for key in ("student", "student2"):
        diary = people[key].new_page()
        diary.goto("/diary/")
        icon = diary.locator(f'a.distance-icon[href$="/diary/lessons/{school.lesson_7b}/distance/"]')
        expect(icon).to_be_visible()
        page = call.open_page_from(people[key], diary, icon.click)
        assert call.call_id(page) == lesson_call
        call.join(page)
        students[key], student_ids[key] = page, call.my_participant_id(page)

    # Video both ways: each student decodes the teacher's camera, the teacher both students'.
    for key, page in students.items():
        call.assert_receives(page, teacher_id, "camera", who=key)
        record_timing(key, page)
    for key, participant in student_ids.items():
        call.assert_receives(teacher, participant, "camera", who=f"teacher ← {key}")

    # The teacher shares the screen: the students get a screen video with frames rising.
    teacher.locator("#call-toggle-screen").click()
    for key, page in students.items():
        call.assert_receives(page, teacher_id, "screen", who=f"{key} (screen)")

    # A student raises a hand: the teacher sees it in the queue and in the participants.
    students["student"].locator("#call-toggle-hand").click()
    hand_name = school.people["student"].last_name
    expect(teacher.locator("#call-hands")).to_contain_text(hand_name, timeout=LIVE_MS)
    expect(call.participant_row(teacher, student_ids["student"])).to_have_attribute("data-hand", "1", timeout=LIVE_MS)

    # The teacher withdraws the second student's screen sharing: the server refuses it, the page says so.
    other = students["student2"]
    call.participant_row(teacher, student_ids["student2"]).locator(".call-toggle-screen-permission").click()
    wait_until(
        lambda: call.state(other)["me"]["may"]["screen"] is False,
        timeout=LIVE_MS / 1000,
        what="the second student's screen permission to be withdrawn",
        page=other,
    )
    status, refusal = call.post(other, "screen")
    assert status == 403 and refusal.get("code") == "screen_not_allowed", (status, refusal)
    # The button itself: the page asks the server, which refuses; the student reads the server's words.
    other.locator("#call-toggle-screen").click()
    expect(other.locator("#call-toast")).to_contain_text(refusal["message"], timeout=LIVE_MS)
    call.no_video_for(teacher, student_ids["student2"], "screen")
    call.no_video_for(students["student"], student_ids["student2"], "screen", seconds=0.5)
    # Nor does Janus have such a feed: the room's publishers are the three cameras and the teacher's screen.
    feeds = janus_feeds(world)
    assert (student_ids["student2"], "screen") not in feeds, feeds
    assert {(teacher_id, "camera"), (teacher_id, "screen"), (student_ids["student2"], "camera")} <= feeds, feeds

    # V10: while this lesson is live, no other lesson's call can be started.
    open_class_journal(teacher_journal, "5А", "Математика")
    teacher_journal.locator(f'td.distance-slot[data-lesson="{school.lesson_5a}"] button.distance-create').click()
    expect(teacher_journal.get_by_text(re.compile("Пока не завершено занятие"))).to_be_visible()
    expect(
        teacher_journal.locator(f'td.distance-slot[data-lesson="{school.lesson_5a}"] a.distance-open')
    ).to_have_count(0)

    # The teacher ends the lesson for everyone: the students see the end, Janus forgets the room.
    end_call(teacher)
    for page in students.values():
        expect(page.locator("#call-ended")).to_be_visible(timeout=LIVE_MS)
    wait_until(
        lambda: not world.janus.rooms(), timeout=10, what="the call's room to be destroyed in Janus", page=teacher
    )

    # The journal learns it from the webhook: «Завершён», and the attendance lists both students as present.
    deliver_webhooks(world.sites)
    open_class_journal(teacher_journal, "7Б", "Математика")
    ended = teacher_journal.locator(f'td.distance-slot[data-lesson="{school.lesson_7b}"]')

    def shows_ended() -> bool:
        if "Завершён" in ended.inner_text():
            return True
        teacher_journal.reload()
        return False

    wait_until(shows_ended, timeout=20, interval=1, what="«Завершён» in the class journal", page=teacher_journal)
    ended.get_by_role("link", name="Посещаемость").click()
    for key in ("student", "student2"):
        row = teacher_journal.locator("table.distance-attendance tbody tr").filter(
            has=teacher_journal.get_by_role("rowheader", name=school.people[key].full_name, exact=True)
        )
        expect(row).to_have_attribute("data-present", "yes")
    # B2: one click puts «Н» for everyone of the class who never joined, and none for the two who did.
    absent_before = teacher_journal.locator('table.distance-attendance tbody tr[data-present="no"]').count()
    assert absent_before > 0
    teacher_journal.get_by_role("button", name="Отметить отсутствующих").click()
    expect(teacher_journal.get_by_text(re.compile(r"отмечен"))).to_be_visible()
    absent_rows = teacher_journal.locator('table.distance-attendance tbody tr[data-present="no"]')
    expect(absent_rows.locator("span.mark.absent")).to_have_count(absent_before)
    present_rows = teacher_journal.locator('table.distance-attendance tbody tr[data-present="yes"]')
    expect(present_rows.locator("span.mark.absent")).to_have_count(0)


# --- a call in the parents' chat -------------------------------------------------------------------------------------


def open_chat(page: Page, messenger_url: str, title: str) -> None:
    page.goto(f"{messenger_url}/chats/")
    row = page.locator(".chat-list").get_by_role("link").filter(has_text=title).first
    expect(row).to_be_visible()
    row.click()
    expect(page.locator(".chat-title")).to_have_text(title)


def test_parent_enters_a_call_of_the_parents_chat(people: dict[str, BrowserContext], world: CallWorld) -> None:
    chat = "7Б — родители"
    teacher_chat = people["teacher"].new_page()
    open_chat(teacher_chat, world.messenger_url, chat)
    teacher = call.open_page_from(
        people["teacher"],
        teacher_chat,
        lambda: teacher_chat.get_by_role("button", name="Позвонить", exact=True).click(),
    )
    call.join(teacher)
    teacher_id = call.my_participant_id(teacher)

    parent_chat = people["parent"].new_page()
    open_chat(parent_chat, world.messenger_url, chat)
    enter = parent_chat.get_by_role("button", name="Войти", exact=True).or_(
        parent_chat.get_by_role("link", name="Войти", exact=True)
    )
    expect(enter).to_be_visible(timeout=LIVE_MS)
    parent = call.open_page_from(people["parent"], parent_chat, enter.click)
    assert call.call_id(parent) == call.call_id(teacher)
    call.join(parent)
    call.assert_receives(parent, teacher_id, "camera", who="parent")
    record_timing("parent", parent)
    parent_id = call.my_participant_id(parent)
    call.assert_receives(teacher, parent_id, "camera", who="teacher ← parent")

    # V8: the organizer turns the parent's microphone off; it stays off through the parent's next heartbeats (which
    # reported it on until the page saw the mute), and the parent's own button shows it.
    expect(parent.locator("#call-toggle-mic")).to_have_attribute("aria-pressed", "true")
    call.participant_row(teacher, parent_id).locator(".call-mute-mic").click()
    expect(parent.locator("#call-toggle-mic")).to_have_attribute("aria-pressed", "false", timeout=LIVE_MS)
    parent.wait_for_timeout(12_000)  # more than one heartbeat of the parent's page
    assert next(p for p in call.state(parent)["participants"] if p["id"] == parent_id)["microphone"] is False
    expect(call.participant_row(teacher, parent_id)).to_have_attribute("data-mic", "off")

    # «Камера» off lets the camera go (its light goes out); on again, the teacher receives the parent's video again.
    own_camera = "document.getElementById('call-self').srcObject.getVideoTracks()[0]?.readyState ?? 'none'"
    parent.locator("#call-toggle-camera").click()
    expect(parent.locator("#call-toggle-camera")).to_have_attribute("aria-pressed", "false")
    wait_until(lambda: parent.evaluate(own_camera) == "ended", timeout=5, what="the camera let go", page=parent)
    parent.locator("#call-toggle-camera").click()
    expect(parent.locator("#call-toggle-camera")).to_have_attribute("aria-pressed", "true")
    assert parent.evaluate(own_camera) == "live"
    call.assert_receives(teacher, parent_id, "camera", who="teacher ← parent, camera on again")

    end_call(teacher)
    expect(parent.locator("#call-ended")).to_be_visible(timeout=LIVE_MS)
    wait_until(
        lambda: not world.janus.rooms(), timeout=10, what="the chat call's room to be destroyed in Janus", page=parent
    )
