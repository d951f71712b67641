"""The board on the call page as a test drives it, through its stable hooks only (docs/board.md, "The browser's
board" and "The board on the call page"): `#call-board-toggle`, `#call-board-host` with data-board-status /
data-can-draw / data-pages, the canvas's data-rendered-items, `window.partaBoard.debug()`, the organizer's
`#call-board-panel`; and the messenger's restart in the middle of a test."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.e2e.servers import Sites, _launch, _stop, _wait_until_answering
from tests.e2e_calls.waiting import wait_until

BOARD_TIMEOUT_MS = 15_000  # a participant's page learns of the board with its poll (10 s) at the latest


def host(page: Page) -> Locator:
    return page.locator("#call-board-host")


def canvas(page: Page) -> Locator:
    return page.locator("#call-board-host canvas.board-canvas")


def open_board(page: Page) -> None:
    """The organizer's «Доска»: the board opens and syncs."""
    page.locator("#call-board-toggle").click()
    wait_synced(page)


def wait_synced(page: Page, timeout_ms: float = BOARD_TIMEOUT_MS) -> None:
    expect(page.locator("#call-board")).to_be_visible(timeout=timeout_ms)
    expect(host(page)).to_have_attribute("data-board-status", "synced", timeout=timeout_ms)


def debug(page: Page) -> dict[str, Any]:
    """window.partaBoard.debug(): the pages and their items, as the page's Y.Doc has them."""
    return dict(page.evaluate("() => window.partaBoard ? window.partaBoard.debug() : {pages: []}"))


def items(page: Page) -> list[dict[str, Any]]:
    return [item for board_page in debug(page)["pages"] for item in board_page["items"]]


def rendered(page: Page) -> int:
    return int(canvas(page).get_attribute("data-rendered-items") or -1)


def wait_items(page: Page, count: int, *, who: str, timeout: float = 15) -> list[dict[str, Any]]:
    """Until the page's document has `count` items and its canvas drew them; answers the items."""
    wait_until(
        lambda: len(items(page)) == count and rendered(page) == count,
        timeout=timeout,
        what=f"{who}'s board to show {count} items",
        page=page,
    )
    return items(page)


def tool(page: Page, name: str) -> None:
    button = page.locator(f'#call-board-host [data-tool="{name}"]')
    expect(button).to_be_enabled()
    button.click()


def drag(page: Page, points: list[tuple[float, float]]) -> None:
    """A real mouse drag over the canvas, through `points` given as fractions of its size."""
    box = canvas(page).bounding_box()
    assert box, "the board's canvas is not on screen"
    at = [(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy) for fx, fy in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for x, y in at[1:]:
        page.mouse.move(x, y, steps=4)
    page.mouse.up()


def stroke(page: Page, y: float = 0.4) -> None:
    """A pen stroke across the canvas: a real mouse drag, a wave at height `y` (fractions of the canvas)."""
    tool(page, "pen")
    drag(page, [(0.2 + 0.05 * step, y + (0.05 if step % 2 else -0.05)) for step in range(9)])


def write_text(page: Page, text: str, at: tuple[float, float] = (0.3, 0.75)) -> None:
    """The text tool: a click on the canvas, the text typed into its editor, Enter."""
    tool(page, "text")
    box = canvas(page).bounding_box()
    assert box
    page.mouse.click(box["x"] + box["width"] * at[0], box["y"] + box["height"] * at[1])
    editor = page.locator("#call-board-host textarea").first
    expect(editor).to_be_visible()
    editor.type(text)
    editor.press("Enter")


def watch_rendered(page: Page) -> None:
    """From now on the page notes when its canvas first draws a given number of items (Date.now())."""
    page.evaluate(
        """() => {
            const canvas = document.querySelector("#call-board-host canvas.board-canvas");
            window.__boardSeen = {};
            const note = () => {
                const n = canvas.dataset.renderedItems;
                if (n !== undefined && !(n in window.__boardSeen)) window.__boardSeen[n] = Date.now();
            };
            new MutationObserver(note).observe(canvas, {attributes: true, attributeFilter: ["data-rendered-items"]});
        }"""
    )


def seen_at(page: Page, count: int) -> float | None:
    value = page.evaluate(f"() => (window.__boardSeen || {{}})['{count}'] ?? null")
    return None if value is None else float(value)


def send_raw_update(page: Page, socket: str, frame: bytes, timeout_ms: int = 10_000) -> dict[str, Any]:
    """Opens the board's socket from the page (its session) and sends one binary frame; answers the server's
    `board.refused` text frame (or {"type": "timeout"})."""
    return dict(
        page.evaluate(
            """([path, bytes, timeout]) => new Promise((resolve) => {
                const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
                const ws = new WebSocket(url);
                ws.binaryType = "arraybuffer";
                const done = (value) => { clearTimeout(timer); ws.close(); resolve(value); };
                const timer = setTimeout(() => done({type: "timeout"}), timeout);
                let sent = false;
                ws.onmessage = (event) => {
                    if (typeof event.data !== "string") return;
                    const frame = JSON.parse(event.data);
                    if (frame.type === "board.permissions" && !sent) {
                        sent = true;
                        ws.send(new Uint8Array(bytes));
                    } else if (frame.type === "board.refused") done(frame);
                };
                ws.onclose = (event) => done({type: "closed", code: event.code});
            })""",
            [socket, list(frame), timeout_ms],
        )
    )


def yjs_update_frame(update: bytes) -> bytes:
    """A y-protocols sync "update" message: varUint 0 (sync), varUint 2 (update), varUint8Array update."""
    return bytes([0, 2]) + _var_uint(len(update)) + update


def _var_uint(number: int) -> bytes:
    out = bytearray()
    while number >= 0x80:
        out.append((number & 0x7F) | 0x80)
        number >>= 7
    out.append(number)
    return bytes(out)


def restart_messenger(sites: Sites) -> float:
    """Stops the messenger's uvicorn (as a deploy would) and starts it again on the same port; answers the seconds
    it was away. Its database, and so every accepted stroke, stays."""
    started = time.monotonic()
    _stop(sites.messenger)
    _launch(sites.messenger, sites.env)
    _wait_until_answering(sites.messenger, "/")
    return time.monotonic() - started
