# covers: V6 (recording a lesson: «Запись», the indicator, the pre-join notice, the video in the call's chat, the
# catch-up pack for an absent student)
"""Acceptance of issue 11 in real browsers against real Janus, both sites and the messenger's real worker, inside a
network namespace (conftest).

The teacher starts the lesson call from the class journal; a student joins and speaks (the fake microphone's beep);
the teacher shares camera and screen and presses «Запись»; the student sees «Идёт запись»; a late joiner reads
«Урок записывается» before joining; ~10 s later the teacher stops. The messenger's Huey worker (`run_huey`, as run.sh
starts it) makes the video: it appears in the call's chat; its duration matches the recorded span within a second;
ffprobe shows H.264 video and AAC audio (not silent); a student who was in the call plays it in the browser (loads,
plays, seeks — through HTTP range requests); the teacher ends the lesson, and the class's linked student who never
came gets the catch-up message with the recording, the topic and the homework; someone outside the chat gets 404 for
the file. The times (stop → video in the chat, its processing) are printed and kept in calls-timing.txt.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Playwright, expect

from tests.e2e import servers
from tests.e2e.servers import Sites
from tests.e2e_calls import call_page as call
from tests.e2e_calls import recording_page as rec
from tests.e2e_calls.conftest import MEASUREMENTS, RESULTS, TIMINGS, CallWorld
from tests.e2e_calls.people import School, run_python, seed_lesson
from tests.e2e_calls.test_board import end_call, enter_from_diary, start_lesson
from tests.e2e_calls.test_lesson_call import deliver_webhooks
from tests.e2e_calls.waiting import wait_until

LIVE_MS = 15_000
RECORD_SECONDS = 10  # how long the teacher records
DURATION_TOLERANCE_S = 1.0
VIDEO_TIMEOUT = 90  # seconds from «stop» until the video is in the chat (processing ~10 s of two streams)
CATCH_UP_TIMEOUT = 60
TOPIC = "Дистанционный урок: запись"
HOMEWORK = "№ 245, 247 (учебник, с. 81)"


def measure(line: str) -> None:
    print(line)
    MEASUREMENTS.append(line)
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    with Path(TIMINGS).open("a", encoding="utf-8") as out:
        out.write(line + "\n")


# --- the messenger's worker and the lesson ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def messenger_worker(sites: Sites) -> Iterator[None]:
    """The messenger's Huey worker as run.sh starts it (tests/e2e/servers.py)."""
    with servers.messenger_worker(sites):
        yield


_HOMEWORK = """
from parta.journal.timetable.models import Lesson
Lesson.objects.filter(pk=%d).update(homework=%r)
"""


@pytest.fixture(scope="module")
def recorded_lesson(sites: Sites, school: School) -> int:
    lesson = seed_lesson(sites, TOPIC)
    run_python(sites, "journal", _HOMEWORK % (lesson, HOMEWORK))
    return lesson


# --- the test --------------------------------------------------------------------------------------------------------


def test_recording_a_lesson(
    people: dict[str, BrowserContext],
    world: CallWorld,
    school: School,
    recorded_lesson: int,
    messenger_worker: None,
    playwright: Playwright,
    tmp_path: Path,
) -> None:
    teacher = start_lesson(people["teacher"], recorded_lesson)
    try:
        run_recorded_lesson(people, world, school, recorded_lesson, teacher, playwright, tmp_path)
    finally:
        with contextlib.suppress(Exception):
            if call.state(teacher)["status"] == "live":  # a failure must not leave the teacher's lesson live (V10)
                call.post(teacher, "end")


def run_recorded_lesson(
    people: dict[str, BrowserContext],
    world: CallWorld,
    school: School,
    lesson: int,
    teacher: Page,
    playwright: Playwright,
    tmp: Path,
) -> None:
    call_public_id = call.call_id(teacher)
    teacher_id = call.my_participant_id(teacher)
    chat_id = int(call.state(teacher)["chat_id"])

    # A student joins and speaks (the fake microphone); the teacher shares camera and screen.
    student = enter_from_diary(people["student"], lesson)
    student_id = call.my_participant_id(student)
    expect(student.locator("#call-toggle-mic")).to_have_attribute("aria-pressed", "true")
    call.assert_receives(teacher, student_id, "camera", who="teacher ← student")
    teacher.locator("#call-toggle-screen").click()
    call.assert_receives(student, teacher_id, "screen", who="student ← teacher's screen")
    # The teacher's microphone off: the recording's sound is then the student's voice alone (checked in the file).
    teacher.locator("#call-toggle-mic").click()
    expect(teacher.locator("#call-toggle-mic")).to_have_attribute("aria-pressed", "false")
    expect(rec.indicator(student)).to_have_count(0)

    # The late joiner's diary is open already (its page loads outside the recorded span).
    late_diary = open_diary(people["student2"], lesson)

    # «Запись»: the teacher's page and the student's show «Идёт запись».
    started = time.monotonic()
    rec.start_recording(teacher)
    state = rec.recording_state(teacher)
    assert state.get("active") is True, state
    expect(rec.indicator(student).first).to_be_visible(timeout=LIVE_MS)
    measure(f"RECORDING «Запись» → «{rec.RECORDING_ON}» on the student's page: {time.monotonic() - started:.1f} s")
    assert rec.recording_state(student).get("active") is True

    # A late joiner is told before joining; in the room, sees the indicator too.
    late = late_joiner_is_told(people["student2"], late_diary, lesson)
    expect(rec.indicator(late).first).to_be_visible(timeout=LIVE_MS)

    # ~10 s of recording in all; then «Остановить запись».
    remaining = RECORD_SECONDS - (time.monotonic() - started)
    if remaining > 0:
        teacher.wait_for_timeout(remaining * 1000)
    rec.stop_recording(teacher)
    stopped = time.monotonic()
    test_span = stopped - started
    # The chat says the recording is being processed from the stop on (on a quiet machine the worker may be done
    # before the lesson's end below, so this is looked for now).
    processing = wait_until(
        lambda: [
            m["text"]
            for m in rec.chat_messages(people["teacher"], world.messenger_url, chat_id)
            if "обрабатывается" in m["text"]
        ],
        timeout=30,
        interval=0.25,
        what="«Запись обрабатывается…» in the call's chat after the stop",
        page=teacher,
    )
    expect(rec.indicator(student)).to_have_count(0, timeout=LIVE_MS)
    call.assert_receives(late, teacher_id, "camera", who="late joiner ← teacher")
    wait_until(
        lambda: rec.recording_state(teacher).get("active") is False,
        timeout=10,
        what="CallState.recording.active to be false after the stop",
        page=teacher,
    )
    found = rec.recordings(world.sites, call_public_id)
    assert len(found) == 1, found
    recording = found[0]
    assert recording["stopped_at"] and recording["started_at"], recording
    assert recording["tracks"], f"no tracks listed at the stop (H1): {recording}"
    sources = {(t["source"], t["media"]) for t in recording["tracks"]}
    assert {("camera", "audio"), ("camera", "video"), ("screen", "video")} <= sources, sources
    assert any(t["participant"] == student_id and t["media"] == "audio" for t in recording["tracks"]), (
        f"no audio track of the student (participant {student_id}): {recording['tracks']}"
    )
    span = recording["stopped_at"] - recording["started_at"]
    measure(f"RECORDING span: {span:.1f} s by the server (the test's clock: {test_span:.1f} s), tracks: {len(sources)}")

    # The teacher ends the lesson (the catch-up waits for the attendance; the processing goes on meanwhile).
    end_call(teacher)
    expect(student.locator("#call-ended")).to_be_visible(timeout=LIVE_MS)
    ended = time.monotonic()

    # The video in the call's chat, made by the worker.
    video_message, progress = wait_for_video(people["teacher"], world, chat_id, call_public_id, teacher)
    measure(f"RECORDING stop → the video in the call's chat: {time.monotonic() - stopped:.1f} s; seen: {progress}")
    assert any("обрабатывается" in text for text in processing + progress), f"no progress in the chat: {progress}"
    attachment = next(a for a in video_message["attachments"] if a["kind"] == "video")
    recording = rec.recordings(world.sites, call_public_id)[0]
    assert recording["status"] == "ready", recording
    assert recording["message_id"] == video_message["id"], (recording, video_message["id"])
    measure(f"RECORDING the video message: «{video_message['text']}» (worker's last beat {heartbeat(recording)})")
    assert not video_message["text"] or re.search("[а-яА-ЯёЁ]", video_message["text"]), "the message is not in Russian"

    # The stored file: H.264 + AAC, the duration of the span within a second, audio that is not silence.
    stored = tmp / "recording.mp4"
    answer = people["student"].request.get(absolute(world, attachment["url"]))
    assert answer.ok, f"the student who was there could not fetch the video: {answer.status}"
    stored.write_bytes(answer.body())
    probe = rec.ffprobe(stored)
    codecs = {s["codec_type"]: s["codec_name"] for s in probe["streams"]}
    assert codecs.get("video") == "h264" and codecs.get("audio") == "aac", codecs
    duration = float(probe["format"]["duration"])
    measure(
        f"RECORDING file: {duration:.2f} s for a {span:.2f} s span, {stored.stat().st_size / 1e6:.2f} MB, "
        f"{codecs}, {next(s for s in probe['streams'] if s['codec_type'] == 'video').get('width')}×"
        f"{next(s for s in probe['streams'] if s['codec_type'] == 'video').get('height')}"
    )
    assert abs(duration - span) <= DURATION_TOLERANCE_S, f"the video lasts {duration:.2f} s, the span {span:.2f} s"
    if recording.get("duration_ms") is not None:
        assert abs(recording["duration_ms"] / 1000 - duration) <= 0.5, (recording["duration_ms"], duration)
    # The message: the duration and a poster frame (WebP).
    assert attachment.get("duration_ms") is not None, f"the video message has no duration (H2/H3): {attachment}"
    assert abs(attachment["duration_ms"] / 1000 - duration) <= 0.5, (attachment["duration_ms"], duration)
    assert attachment.get("poster_url"), f"the video message has no poster (H2): {attachment}"
    poster = people["student"].request.get(absolute(world, attachment["poster_url"]))
    assert poster.ok and poster.body()[8:12] == b"WEBP", (poster.status, poster.body()[:16])
    # A picture, not a black or flat frame (the screen large, the cameras beside it: test-results/…/frame.png).
    low, average, high = rec.frame_luma(stored, duration / 2, RESULTS / "e2e-calls-recording" / "frame.png")
    assert average > 16 and high - low > 50, f"the video's middle frame is black or flat: {low, average, high}"
    loudest = rec.max_volume_db(stored)
    assert loudest > -50, f"the recording's audio is silent (max {loudest} dB): the student's voice is missing"

    # Seeking needs byte ranges.
    ranged = people["student"].request.get(absolute(world, attachment["url"]), headers={"Range": "bytes=100-199"})
    assert ranged.status == 206 and len(ranged.body()) == 100, ranged.status

    # A student who was in the call plays it in the chat: loads, plays, seeks.
    played = play_in_chat(people["student"], world, chat_id, video_message["id"], duration)
    measure(f"RECORDING played in the student's chat: {played}")

    # The journal learns who never came (call.ended), and the absent linked student gets the pack.
    catch_up = wait_for_catch_up(people["student3"], world, school)
    measure(f"RECORDING lesson end → the catch-up message for the absent student: {time.monotonic() - ended:.1f} s")
    catch_up_video = next((a for a in catch_up["attachments"] if a["kind"] == "video"), None)
    assert catch_up_video, f"the catch-up message has no video: {catch_up}"
    texts = " ".join(m["text"] for m in rec.chat_messages(people["student3"], world.messenger_url, catch_up["chat_id"]))
    assert TOPIC in texts and HOMEWORK in texts, f"the catch-up lacks the topic or the homework: {texts}"
    answer = people["student3"].request.get(absolute(world, catch_up_video["url"]), headers={"Range": "bytes=0-99"})
    assert answer.status in (200, 206), answer.status
    # The students who were there get no such message.
    assert not catch_up_messages(people["student"], world, school), "a student who was there got the catch-up"

    # Someone outside the call's chat (a parent of the class) and someone signed out: 404 for the file.
    for url in {attachment["url"], attachment["download_url"]}:
        outsider = people["parent"].request.get(absolute(world, url))
        assert outsider.status == 404, f"a person outside the chat got {outsider.status} for {url}"
    anonymous = playwright.request.new_context()
    try:
        assert anonymous.get(absolute(world, attachment["url"])).status == 404
    finally:
        anonymous.dispose()
    wait_until(lambda: not world.janus.rooms(), timeout=10, what="the call's room to be destroyed", page=teacher)


def heartbeat(recording: dict[str, Any]) -> str:
    if recording.get("heartbeat_at") and recording.get("stopped_at"):
        return f"{recording['heartbeat_at'] - recording['stopped_at']:.1f} s after the stop"
    return "unknown"


def absolute(world: CallWorld, url: str) -> str:
    return world.messenger_url + url if url.startswith("/") else url


def open_diary(context: BrowserContext, lesson: int) -> Page:
    diary = context.new_page()
    diary.goto("/diary/")
    expect(diary_icon(diary, lesson)).to_be_visible()
    return diary


def diary_icon(diary: Page, lesson: int) -> Locator:
    return diary.locator(f'a.distance-icon[href$="/diary/lessons/{lesson}/distance/"]')


def late_joiner_is_told(context: BrowserContext, diary: Page, lesson: int) -> Page:
    """The diary's icon → the call's pre-join page, which says «Урок записывается» → «Присоединиться»."""
    page = call.open_page_from(context, diary, diary_icon(diary, lesson).click)
    expect(page.locator("#call-preview")).to_be_visible(timeout=call.JOIN_TIMEOUT_MS)
    expect(rec.prejoin_notice(page).first).to_be_visible(timeout=LIVE_MS)
    call.join(page)
    return page


def wait_for_video(
    context: BrowserContext, world: CallWorld, chat_id: int, call_public_id: str, page: Page
) -> tuple[dict[str, Any], list[str]]:
    """Until the call's chat has the recording's video message; answers it and the texts the chat showed for the
    recording meanwhile (the worker's progress: «Запись обрабатывается… 40 %»)."""
    last: list[dict[str, Any]] = []
    texts: list[str] = []
    checked = [0.0]

    def arrived() -> dict[str, Any] | None:
        messages = rec.chat_messages(context, world.messenger_url, chat_id)
        for message in messages:
            if "Запись" in message["text"] and message["text"] not in texts:
                texts.append(message["text"])
        found = [m for m in messages if any(a["kind"] == "video" for a in m["attachments"]) and not m["is_deleted"]]
        if found:
            return found[-1]
        if time.monotonic() - checked[0] > 10:  # the messenger's records: a failure ends the wait at once
            checked[0] = time.monotonic()
            last[:] = rec.recordings(world.sites, call_public_id)
            if last and last[0]["status"] == "failed":
                raise AssertionError(f"the recording failed (H2's processing): {last[0]}")
        return None

    try:
        video = wait_until(arrived, timeout=VIDEO_TIMEOUT, interval=1, what="the video in the call's chat", page=page)
        return video, texts
    except AssertionError as error:
        raise AssertionError(f"{error}; the recording: {last}; the chat's texts about it: {texts}") from None


def play_in_chat(context: BrowserContext, world: CallWorld, chat_id: int, message_id: int, duration: float) -> str:
    page = context.new_page()
    page.goto(f"{world.messenger_url}/chats/{chat_id}/")
    video = page.locator(f"#msg-{message_id} video")
    result = rec.plays_and_seeks(page, video, duration)
    assert result["duration"] == pytest.approx(duration, abs=0.5), result
    return f"readyState {result['readyState']}, {result['width']}×{result['height']}, sought to {result['at']:.1f} s"


def catch_up_messages(context: BrowserContext, world: CallWorld, school: School) -> list[dict[str, Any]]:
    """Messages with a video in the person's direct chat with the teacher."""
    teacher_name = school.people["teacher"].last_name
    found = []
    for chat in rec.chats(context, world.messenger_url):
        if chat["kind"] != "direct" or teacher_name not in chat["title"]:
            continue
        found += [
            m
            for m in rec.chat_messages(context, world.messenger_url, chat["id"])
            if any(a["kind"] == "video" for a in m["attachments"])
        ]
    return found


def wait_for_catch_up(context: BrowserContext, world: CallWorld, school: School) -> dict[str, Any]:
    page = context.new_page()

    def arrived() -> dict[str, Any] | None:
        deliver_webhooks(world.sites)  # the messenger's outbox → the journal (run.sh keeps this running)
        found = catch_up_messages(context, world, school)
        return found[-1] if found else None

    try:
        message = wait_until(
            arrived, timeout=CATCH_UP_TIMEOUT, interval=2, what="the catch-up message to the absent student", page=page
        )
        # It shows in the student's messenger, with the video.
        chat = message["chat_id"]
        page.goto(f"{world.messenger_url}/chats/{chat}/")
        expect(page.locator(f"#msg-{message['id']}")).to_contain_text(TOPIC)
        expect(page.locator(f"#msg-{message['id']} video")).to_have_count(1)
        return message
    finally:
        page.close()
