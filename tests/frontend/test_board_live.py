"""The browser's board against the real messenger: uvicorn processes of the messenger on a throwaway database with
Redis (tests/messenger/realtime/live.py), a lesson call with its board (tests/messenger/boards/live_seed.py), the
teacher's and a student's Chromium tabs. The teacher's stroke reaches the student; the student's attempt (their page
made to believe they may draw) is refused by the server and disappears; a messenger restart loses nothing."""

# covers: V5 (the board in the browser over the messenger's own board socket)

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.frontend.test_board import ZIGZAG, board, canvas, draw, items
from tests.messenger.realtime.live import Deployment, deployment, redis_answers, redis_url, stop

SESSION_COOKIE = "parta_messenger_session"  # parta/messenger/settings.py
SETUP = """async () => {
  document.body.innerHTML = '<div id="board" style="height: 760px"></div>';
  const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href: "/__board/board.css" });
  document.head.append(link);
  window.mountBoard = (await import("/__board/board.js")).mountBoard;
}"""
MOUNT = """({ id, me, organizer }) => {
  window.refusals = [];
  mountBoard(document.getElementById("board"), {
    board: { id, socket: `/ws/boards/${id}/`, draw_mode: "organizer", locked: false, drawers: [], live: true },
    me: { id: me, name: organizer ? "Учитель" : "Ученик" }, organizer, onRefused: (r) => window.refusals.push(r),
  });
}"""


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Deployment, dict[str, Any]]]:
    assert redis_answers(redis_url()), f"Redis must answer at {redis_url()}"
    with deployment(tmp_path, redis=redis_url()) as dep:
        seeded = json.loads(dep.run("tests.messenger.boards.live_seed").strip().splitlines()[-1])
        yield dep, seeded


def open_tab(browser: Browser, url: str, files: dict[str, Path], session_key: str, **mount: Any) -> Page:
    """A page on the messenger's own origin (its cookie, its socket) whose HTML and bundle the test serves."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    context.add_cookies([{"name": SESSION_COOKIE, "value": session_key, "url": url}])

    def serve(route: Route) -> None:
        path = "/" + route.request.url.split("/__board/", 1)[1].split("?")[0]
        if path in files:
            route.fulfill(path=str(files[path]))
        else:
            route.continue_()

    context.route(f"{url}/__board/*.*", serve)
    page = context.new_page()
    # A page the messenger itself answers (its 404), so the document is of the loopback address space like the
    # socket (Chromium blocks a routed page's connections to 127.0.0.1); the module and its CSS are the test's.
    page.goto(f"{url}/__board/")
    page.evaluate(SETUP)
    page.evaluate(MOUNT, mount)
    return page


def test_the_board_over_the_real_messenger(browser: Browser, bundle: dict[str, Path], live: Any) -> None:
    dep, seeded = live
    server = dep.start_server()
    board_id, (teacher_key, student_key) = seeded["board"], seeded["sessions"]
    teacher = open_tab(browser, server.url, bundle, teacher_key, id=board_id, me=seeded["teacher"], organizer=True)
    expect(board(teacher)).to_have_attribute("data-board-status", "synced")
    expect(board(teacher)).to_have_attribute("data-page", "page-1")
    student = open_tab(browser, server.url, bundle, student_key, id=board_id, me=0, organizer=False)
    expect(board(student)).to_have_attribute("data-page", "page-1")
    expect(board(student)).to_have_attribute("data-can-draw", "false")  # a lesson: only the organizer draws

    draw(teacher, ZIGZAG)
    expect(canvas(student)).to_have_attribute("data-rendered-items", "1")
    student.wait_for_function("window.partaBoard.stats().others.includes('Учитель')")

    student.evaluate("window.partaBoard.setPermissions({draw_mode: 'everyone'})")  # the page lies; the server won't
    draw(student, [(0.2, 0.7), (0.4, 0.75), (0.6, 0.7)])
    student.wait_for_function("window.refusals.length > 0")
    assert student.evaluate("window.refusals[0].code") == "board_draw_not_allowed"
    expect(canvas(student)).to_have_attribute("data-rendered-items", "1")
    expect(canvas(teacher)).to_have_attribute("data-rendered-items", "1")

    stop(server)  # the messenger restarts where the tabs expect it
    expect(board(teacher)).to_have_attribute("data-board-status", "offline")
    dep.start_server(port=server.port)
    expect(board(teacher)).to_have_attribute("data-board-status", "synced", timeout=30_000)
    expect(board(student)).to_have_attribute("data-board-status", "synced", timeout=30_000)
    draw(teacher, [(0.7, 0.2), (0.8, 0.3), (0.9, 0.2)])
    expect(canvas(student)).to_have_attribute("data-rendered-items", "2")
    assert [i["author"] for i in items(student)] == [seeded["teacher"]] * 2
    assert student.evaluate("window.refusals.length") == 1  # reconnecting asked for nothing the student may not do
