"""The call page's recording controls in Chromium (issue 11; web/messenger/calls/call/recording.js and people.js),
without Janus or a messenger: the page's modules bundled with a stand-in page that has the call page's hooks (ids),
the API answered by the test (Playwright routes), the Russian words from the messenger's real catalogue.

- «Запись» shows only for whoever may record; a press sends {"action": "start"}, the answer's state turns the
  red «● Идёт запись» on, on a 375 px phone too; «Остановить запись» asks first and sends "stop";
- the pre-join screen says «Урок записывается» when the state before joining says `recording_active`;
- «Отправить запись пропустившим» sends PATCH {"catch_up": …};
- «Может записывать» in the participants list sends the participant's `may_record`;
- while recording with the board open, the organizer's page publishes the board's canvas (captureStream) with the
  `/board-feed` ticket, and stops it when the recording stops.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.frontend.conftest import REPO

ORIGIN = "http://call.test"
ENTRY = """
import { CallSession } from "@web/messenger/calls/call/state.js";
import { RecordingControls } from "@web/messenger/calls/call/recording.js";
import { PeoplePanel } from "@web/messenger/calls/people.js";
import { callsApi } from "@web/messenger/calls/api.js";

const published = [];
let rooms = 0;
const makeRoom = () => {
  const n = ++rooms;
  return {
    startBoard: async (ticket, track) => {
      published.push({room: n, ticket, kind: track.kind, state: track.readyState});
    },
    stopBoard: () => { published.push({room: n, stopped: true}); },
  };
};
let room = makeRoom();
const canvas = document.createElement("canvas");
canvas.width = 320; canvas.height = 200;
canvas.getContext("2d").fillRect(0, 0, 10, 10);
const board = { view: null };
let controls;
let people;
const session = new CallSession("c1", {
  finish: () => {}, reconnect: () => {}, renderControls: () => {}, applyLocalTracks: () => {}, stopScreen: () => {},
  render: (state) => { controls.render(); people.render(state); },
});
controls = new RecordingControls(session, { room: () => room, board: () => board });
people = new PeoplePanel(document.getElementById("call-people"), document.getElementById("call-hands"), {
  lowerHand: () => {}, mute: () => {}, allow: () => {}, remove: () => {},
  allowRecording: (person) =>
    session.act(() => callsApi.permissions("c1", { participant_id: person.id, may_record: !person.may_record })),
});
controls.bind((id, type, handler) => document.getElementById(id)?.addEventListener(type, handler));
window.recordingTest = {
  session, controls, published,
  apply(state, phase) { if (phase) session.phase = phase; session.applyState(state); },
  bootOnly(boot) {  // before any state: the page's first data (calls/views.py's boot)
    const early = new RecordingControls(new CallSession("c1", {}), { room: () => room, board: () => board }, boot);
    early.render();
  },
  reconnect() { room = makeRoom(); },
  openBoard() { board.view = { captureStream: (fps) => canvas.captureStream(fps) }; controls.syncBoardFeed(); },
};
"""
PAGE = """<!doctype html><html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/call.css"></head><body>
<div class="call-app" id="call-app">
  <header class="call-head"><h1 class="call-title">7Б — Физика</h1>
    <p class="call-recording-indicator" id="call-recording-indicator" role="status" hidden><span class="call-rec-dot"
      aria-hidden="true">●</span> <span id="call-recording-text">Идёт запись</span></p></header>
  <div class="call-recording-prejoin" id="call-recording-prejoin" role="status" hidden>
    <p><strong>Урок записывается</strong></p></div>
  <button type="button" class="call-tool call-record" id="call-record" aria-pressed="false" hidden><span
    class="call-tool-label" id="call-record-label">Запись</span></button>
  <label class="call-check" id="call-catch-up-row" hidden><input type="checkbox" id="call-catch-up" checked>
    Отправить запись пропустившим</label>
  <ul id="call-people"></ul><ol id="call-hands"></ol>
  <dialog id="call-confirm"><form method="dialog"><p id="call-confirm-text"></p>
    <button value="cancel">Отмена</button><button value="ok" id="call-confirm-ok">Да</button></form></dialog>
  <div class="call-toast" id="call-toast" role="status"></div>
</div>
<script id="call-strings" type="application/json">STRINGS</script>
<script type="module" src="/test.js"></script></body></html>"""


def call_strings() -> str:
    """The call page's words as the messenger renders them for a Russian reader."""
    code = (
        "import django, json; django.setup(); from django.utils import translation; translation.activate('ru'); "
        "from parta.messenger.calls.strings import call_strings; print(json.dumps(call_strings(), ensure_ascii=False))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "parta.messenger.settings", "PARTA_SECRET_KEY": "test"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, str]]:
    out = tmp_path_factory.mktemp("call-recording")
    (out / "entry.js").write_text(ENTRY)
    subprocess.run(
        [str(REPO / "node_modules/.bin/esbuild"), str(out / "entry.js"), "--bundle", "--format=esm",
         "--target=es2022", f"--alias:@web={REPO / 'web'}", f"--outfile={out / 'test.js'}"],
        cwd=REPO, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    page = PAGE.replace("STRINGS", call_strings().replace("</", "<\\/"))
    css = (REPO / "parta/messenger/calls/static/calls/call.css").read_bytes()
    return {
        "/": (page.encode(), "text/html; charset=utf-8"),
        "/test.js": ((out / "test.js").read_bytes(), "text/javascript"),
        "/call.css": (css, "text/css"),
    }


def state(
    *, active: bool = False, may_record: bool = True, admin: bool = True, catch_up: bool = True
) -> dict[str, Any]:
    recording = {"active": active, "started_at": "2026-12-03T10:00:00Z", "started_by_name": "Нина Орлова"}
    return {
        "status": "live",
        "participants": [
            {"id": 1, "profile_id": 10, "name": "Нина Орлова", "is_admin": True, "microphone": True, "camera": True,
             "screen": False, "present": True, "may_record": True},
            {"id": 2, "profile_id": 11, "name": "Петя Петров", "is_admin": False, "microphone": True,
             "camera": False, "screen": False, "present": True, "may_record": None},
        ],
        "hands": [],
        "me": {"participant_id": 1 if admin else 2, "is_admin": admin, "may_record": may_record, "may": {}},
        "recording": {**recording, "catch_up": catch_up},
    }  # fmt: skip


class FakeApi:
    """The messenger's calls API as far as these controls use it; what the page sent, in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, Any]] = []
        self.state = state()

    def handle(self, route: Route, files: dict[str, tuple[bytes, str]]) -> None:
        request = route.request
        path = request.url.removeprefix(ORIGIN).split("?")[0]
        if not path.startswith("/api/"):
            body, content_type = files.get(path, (b"", "text/plain"))
            route.fulfill(status=200 if path in files else 404, body=body, content_type=content_type)
            return
        payload = json.loads(request.post_data) if request.post_data else None
        self.sent.append((request.method, path, payload))
        answer: Any = self.state
        if path == "/api/v1/calls/c1/recording" and request.method == "POST":
            self.state = state(active=payload["action"] == "start")
            answer = self.state
        elif path == "/api/v1/calls/c1/recording" and request.method == "PATCH":
            self.state = copy.deepcopy(self.state)
            self.state["recording"]["catch_up"] = payload["catch_up"]
            answer = self.state
        elif path == "/api/v1/calls/c1/permissions":
            self.state = copy.deepcopy(self.state)
            self.state["participants"][1]["may_record"] = payload["may_record"]
            answer = self.state
        elif path == "/api/v1/calls/c1/board-feed":
            answer = {"room_token": "t0k", "feed_id": 777, "display": '{"p":1,"k":"board"}'}
        route.fulfill(status=200, body=json.dumps(answer), content_type="application/json")


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


def open_page(browser: Browser, files: dict[str, tuple[bytes, str]], api: FakeApi, **options: Any) -> Page:
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", **options)
    context.route(f"{ORIGIN}/**", lambda route: api.handle(route, files))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("() => window.recordingTest")
    assert not errors, errors
    return page


def apply(page: Page, value: dict[str, Any], phase: str = "room") -> None:
    page.evaluate("([s, phase]) => window.recordingTest.apply(s, phase)", [value, phase])


@pytest.fixture
def page(browser: Browser, files: dict[str, tuple[bytes, str]], api: FakeApi) -> Iterator[Page]:
    page = open_page(browser, files, api)
    yield page
    page.context.close()


def test_record_start_shows_the_indicator_then_stop_asks_first(page: Page, api: FakeApi) -> None:
    apply(page, state())
    record = page.locator("#call-record")
    indicator = page.locator("#call-recording-indicator")
    expect(record).to_be_visible()
    expect(record).to_have_attribute("aria-label", "Запись")
    expect(indicator).to_be_hidden()

    record.click()
    expect(indicator).to_be_visible()
    expect(indicator).to_contain_text("● Идёт запись")
    assert indicator.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(179, 38, 30)"
    expect(indicator).to_have_attribute("title", "Запись идёт с 13:00, включил(а): Нина Орлова")
    expect(record).to_have_attribute("aria-pressed", "true")
    expect(record).to_have_attribute("aria-label", "Остановить запись")
    expect(page.locator("#call-toast")).to_have_text("Запись началась")
    assert api.sent[-1] == ("POST", "/api/v1/calls/c1/recording", {"action": "start"})

    record.click()  # stopping asks first; «Отмена» keeps it going
    dialog = page.locator("#call-confirm")
    expect(dialog).to_be_visible()
    expect(page.locator("#call-confirm-text")).to_contain_text("Остановить запись?")
    dialog.get_by_role("button", name="Отмена").click()
    assert api.sent[-1][2] == {"action": "start"}
    record.click()
    page.locator("#call-confirm-ok").click()
    expect(indicator).to_be_hidden()
    assert api.sent[-1] == ("POST", "/api/v1/calls/c1/recording", {"action": "stop"})
    expect(page.locator("#call-toast")).to_contain_text("Запись остановлена")


def test_only_whoever_may_record_gets_the_button_everyone_sees_the_indicator(page: Page) -> None:
    apply(page, state(active=True, may_record=False, admin=False))
    expect(page.locator("#call-record")).to_be_hidden()
    expect(page.locator("#call-recording-indicator")).to_be_visible()
    expect(page.locator("#call-catch-up-row")).to_be_hidden()  # the organizer's alone


def test_the_prejoin_screen_says_the_lesson_is_recorded(page: Page) -> None:
    apply(page, {"status": "live", "participants": [], "me": None, "recording_active": True}, "prejoin")
    expect(page.locator("#call-recording-prejoin")).to_be_visible()
    expect(page.locator("#call-recording-prejoin")).to_contain_text("Урок записывается")
    expect(page.locator("#call-recording-indicator")).to_be_hidden()
    expect(page.locator("#call-record")).to_be_hidden()
    apply(page, {"status": "live", "participants": [], "me": None, "recording_active": False}, "prejoin")
    expect(page.locator("#call-recording-prejoin")).to_be_hidden()


def test_the_prejoin_notice_from_the_pages_first_data(page: Page) -> None:
    page.evaluate("() => window.recordingTest.bootOnly({recording_active: true})")
    expect(page.locator("#call-recording-prejoin")).to_be_visible()
    page.evaluate("() => window.recordingTest.bootOnly({recording_active: false})")
    expect(page.locator("#call-recording-prejoin")).to_be_hidden()


def test_the_catch_up_switch_and_may_record_per_participant(page: Page, api: FakeApi) -> None:
    apply(page, state(active=True))
    switch = page.locator("#call-catch-up")
    expect(page.locator("#call-catch-up-row")).to_be_visible()
    expect(switch).to_be_checked()
    switch.uncheck()
    expect(page.locator("#call-toast")).to_have_text("Сохранено")
    assert api.sent[-1] == ("PATCH", "/api/v1/calls/c1/recording", {"catch_up": False})
    expect(switch).not_to_be_checked()

    allow = page.locator("li[data-participant='2'] .call-toggle-record-permission")
    expect(allow).to_have_text("Может записывать")
    expect(allow).to_have_attribute("aria-pressed", "false")
    expect(page.locator("li[data-participant='1'] .call-toggle-record-permission")).to_have_count(0)  # me
    allow.click()
    assert api.sent[-1] == ("POST", "/api/v1/calls/c1/permissions", {"participant_id": 2, "may_record": True})
    expect(page.locator("li[data-participant='2'] .call-toggle-record-permission")).to_have_attribute(
        "aria-pressed", "true"
    )


def test_the_board_is_published_while_recording_and_stopped_after(page: Page, api: FakeApi) -> None:
    apply(page, state())
    page.evaluate("() => window.recordingTest.openBoard()")
    assert page.evaluate("() => window.recordingTest.published") == []  # not recording: nothing to publish
    page.locator("#call-record").click()
    page.wait_for_function("() => window.recordingTest.published.length === 1")
    (first,) = page.evaluate("() => window.recordingTest.published")
    assert first == {
        "room": 1,
        "ticket": {"room_token": "t0k", "feed_id": 777, "display": '{"p":1,"k":"board"}'},
        "kind": "video",
        "state": "live",
    }
    assert ("POST", "/api/v1/calls/c1/board-feed", None) in api.sent
    apply(page, state(active=True))  # the next state changes nothing: one feed
    assert len(page.evaluate("() => window.recordingTest.published")) == 1
    # A reconnect (a new Janus session): the board is published again in the new room.
    page.evaluate("() => window.recordingTest.reconnect()")
    apply(page, state(active=True))
    page.wait_for_function("() => window.recordingTest.published.length === 3")
    again = page.evaluate("() => window.recordingTest.published")
    assert again[1] == {"room": 1, "stopped": True} and again[2]["room"] == 2 and again[2]["state"] == "live"
    page.locator("#call-record").click()
    page.locator("#call-confirm-ok").click()
    page.wait_for_function("() => window.recordingTest.published.length === 4")
    assert page.evaluate("() => window.recordingTest.published")[3] == {"room": 2, "stopped": True}


def test_the_indicator_is_on_a_phones_screen(
    browser: Browser, files: dict[str, tuple[bytes, str]], api: FakeApi
) -> None:
    phone = open_page(browser, files, api, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    try:
        apply(phone, state(active=True, may_record=False, admin=False))
        indicator = phone.locator("#call-recording-indicator")
        expect(indicator).to_be_visible()
        box = indicator.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["y"] < 60, box
        phone.evaluate("() => window.scrollTo(0, 10_000)")
        assert indicator.bounding_box()["y"] < 60  # type: ignore[index]  # fixed: still on screen
    finally:
        phone.context.close()
