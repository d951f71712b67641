"""The call page (/calls/<id>/) as a test drives it, through its stable hooks only (docs/calls.md): pre-join, the room,
remote videos `video[data-feed][data-kind][data-participant]`, `window.partaCall.inboundStats()` and `.timing`."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e_calls.waiting import wait_until

CALL_URL = re.compile(r"/calls/([0-9a-f-]{36})/")
MEDIA_TIMEOUT = 20  # seconds until the first frame of a feed is decoded (a few seconds on 2 cores)
JOIN_TIMEOUT_MS = 20_000


def call_id(page: Page) -> str:
    match = CALL_URL.search(page.url)
    assert match, f"not a call page: {page.url}"
    return match.group(1)


def open_page_from(context: BrowserContext, page: Page, click: Callable[[], None]) -> Page:
    """Clicks something that leads to a call page, in this tab or a new one; answers the call page."""
    known = set(context.pages)
    click()

    def landed() -> Page | None:
        for candidate in context.pages:
            if candidate not in known and CALL_URL.search(candidate.url):
                return candidate
        return page if CALL_URL.search(page.url) else None

    found = wait_until(landed, timeout=JOIN_TIMEOUT_MS / 1000, what="the call page to open", page=page)
    assert found is not None
    found.wait_for_load_state()
    return found


def join(page: Page) -> None:
    """Pre-join (preview of the fake camera) → «Присоединиться» → the room."""
    preview = page.locator("#call-preview")
    expect(preview).to_be_visible(timeout=JOIN_TIMEOUT_MS)
    # The preview plays the (fake) camera before joining.
    page.wait_for_function("video => video.videoWidth > 0 && video.readyState >= 2", arg=preview.element_handle())
    button = page.locator("#call-join")
    expect(button).to_have_text(re.compile("Присоединиться"))
    expect(button).to_be_enabled(timeout=JOIN_TIMEOUT_MS)
    button.click()
    expect(page.locator("#call-room")).to_be_visible(timeout=JOIN_TIMEOUT_MS)


def state(page: Page) -> dict[str, Any]:
    """The call's CallState as this person sees it (GET /api/v1/calls/<id>, with the page's session)."""
    answer = page.context.request.get(f"{origin(page)}/api/v1/calls/{call_id(page)}")
    assert answer.ok, f"{answer.status} {answer.text()[:300]}"
    return dict(answer.json())


def post(page: Page, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    """POST /api/v1/calls/<id>/<path> from the page itself (its session, its CSRF token): (status, JSON answer)."""
    answer = page.evaluate(
        """async ([url, body]) => {
            const field = document.querySelector("input[name=csrfmiddlewaretoken]");
            const cookie = document.cookie.match(/(?:^|;\\s*)[\\w]*csrftoken=([^;]+)/);
            const token = field ? field.value : cookie ? decodeURIComponent(cookie[1]) : "";
            const response = await fetch(url, {
                method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                body: JSON.stringify(body),
                credentials: "same-origin",
                signal: AbortSignal.timeout(10000),
            });
            let data;
            try { data = await response.json(); } catch (error) { data = {text: String(error)}; }
            return [response.status, data];
        }""",
        [f"/api/v1/calls/{call_id(page)}/{path}", body or {}],
    )
    return int(answer[0]), dict(answer[1])


def origin(page: Page) -> str:
    match = re.match(r"https?://[^/]+", page.url)
    assert match
    return match.group(0)


def my_participant_id(page: Page) -> int:
    me = state(page)["me"]
    assert me, "the API does not know this person as a participant"
    return int(me["participant_id"])


def remote_video(page: Page, participant_id: int, kind: str = "camera") -> Locator:
    return page.locator(f'#call-stage video[data-participant="{participant_id}"][data-kind="{kind}"]')


def inbound(page: Page) -> list[dict[str, Any]]:
    """window.partaCall.inboundStats(), given 5 s (getStats never hangs, but nothing here may wait forever)."""
    return list(
        page.evaluate(
            """() => Promise.race([
                window.partaCall.inboundStats(),
                new Promise((_, reject) => setTimeout(() => reject(new Error("inboundStats: no answer in 5 s")), 5000)),
            ])"""
        )
    )


def _frames_of(page: Page, feed: str) -> int:
    return max((int(s.get("framesDecoded") or 0) for s in inbound(page) if str(s.get("feed")) == feed), default=-1)


def assert_receives(page: Page, participant_id: int, kind: str = "camera", *, who: str = "") -> int:
    """The page shows the participant's `kind` video and decodes it: framesDecoded > 0, and rising over 2 s.
    Answers the frames decoded in those 2 s."""
    video = remote_video(page, participant_id, kind)
    expect(video).to_have_count(1, timeout=MEDIA_TIMEOUT * 1000)
    feed = video.get_attribute("data-feed") or ""
    assert feed, "a remote video without data-feed"
    wait_until(
        lambda: _frames_of(page, feed) > 0,
        timeout=MEDIA_TIMEOUT,
        what=f"{who or 'the page'} to decode frames of participant {participant_id}'s {kind} (feed {feed})",
        page=page,
    )
    before = _frames_of(page, feed)
    page.wait_for_timeout(2000)
    after = _frames_of(page, feed)
    assert after > before, f"{who}: frames of {kind} feed {feed} stopped at {before} → {after}"
    return after - before


def no_video_for(page: Page, participant_id: int, kind: str, seconds: float = 3) -> None:
    """For `seconds`, the page shows no `kind` video of the participant."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert remote_video(page, participant_id, kind).count() == 0, f"a {kind} video of {participant_id} appeared"
        page.wait_for_timeout(250)


def join_to_first_frame_ms(page: Page) -> float:
    """window.partaCall.timing: from the click on «Присоединиться» to the first remote frame, in ms."""
    timing = wait_until(
        lambda: page.evaluate(
            "() => { const t = window.partaCall && window.partaCall.timing;"
            " return t && t.joinClickedAt && t.firstRemoteFrameAt ? t : null; }"
        ),
        timeout=MEDIA_TIMEOUT,
        what="window.partaCall.timing.firstRemoteFrameAt",
        page=page,
    )
    return float(timing["firstRemoteFrameAt"]) - float(timing["joinClickedAt"])


def open_participants(page: Page) -> Locator:
    panel = page.locator("#call-participants")
    if not panel.is_visible():
        page.locator("#call-open-participants").click()
    expect(panel).to_be_visible()
    return panel


def participant_row(page: Page, participant_id: int) -> Locator:
    return open_participants(page).locator(f'li[data-participant="{participant_id}"]')


def join_breakdown(page: Page) -> str:
    """Where the time from «Присоединиться» to the first frame went, from the page's resource timings (ms after the
    click): the join ticket, the Janus session, `…/joined`; for finding what to make faster."""
    marks = page.evaluate(
        """() => {
            const start = window.partaCall.timing.joinClickedAt;
            const after = performance.getEntriesByType("resource").filter(e => e.startTime >= start);
            const done = (test) => { const e = after.find(test); return e ? Math.round(e.responseEnd - start) : null; };
            return {
                ticket: done(e => /\\/api\\/v1\\/calls\\/[^/]+\\/join$/.test(e.name)),
                janus_session: done(e => /\\/janus$/.test(e.name)),
                joined: done(e => /\\/joined$/.test(e.name)),
                first_frame: Math.round(window.partaCall.timing.firstRemoteFrameAt - start),
            };
        }"""
    )
    return ", ".join(f"{name} {value} ms" for name, value in marks.items() if value is not None)
