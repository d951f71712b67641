"""The browser client `realtime.js` in Chromium against a real server: it resumes, dispatches each event once in
order, reconnects after the server goes away and catches up on what was sent meanwhile, stores the last seq per
profile, relays typing, and stops on 4401."""

# covers: C6 (messages arrive live, without reload; nothing missed across a reconnect)

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, sync_playwright

from parta.common.frontend.manifest import bundle_url, get_entry
from tests.messenger.realtime.live import Deployment, deployment, redis_answers, redis_url, stop

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
START = """async ({ profileId, module }) => {
  const { RealtimeClient } = await import(module);
  window.got = []; window.statuses = []; window.typing = [];
  const live = new RealtimeClient({ profileId });
  live.on("*", (event) => window.got.push([event.seq, event.payload.message.text]));
  live.on("message.new", (payload, event) => window.got.push(["message.new", event.seq]));
  live.on("status", (status) => window.statuses.push(status));
  live.on("typing", (typing) => window.typing.push(typing));
  window.live = live;
  live.start();
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/services.sh", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=60_000)
        yield browser
        browser.close()


def open_client(browser: Browser, dep: Deployment, session_key: str | None, profile_id: int) -> Page:
    server = dep.servers[0]
    context = browser.new_context()
    if session_key:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": server.url}])
    page = context.new_page()
    module = bundle_url(get_entry("messenger/realtime").file)  # the built module, by the build's manifest
    page.goto(f"{server.url}{module}")  # any page of the site: the module is imported from it
    page.evaluate(START, {"profileId": profile_id, "module": module})
    return page


def got(page: Page) -> list[Any]:
    return page.evaluate("window.got")  # type: ignore[no-any-return]


def test_the_client_resumes_after_the_server_restarts_and_gets_each_event_once_in_order(
    tmp_path: Path, browser: Browser
) -> None:
    assert redis_answers(redis_url()), f"Redis must answer at {redis_url()}"
    with deployment(tmp_path, redis=redis_url(), static=True) as dep:
        seeded = dep.tool("seed", "--members", "2")
        (alice, bob), (alice_key, bob_key) = seeded["profiles"], seeded["sessions"]
        server = dep.start_server()

        def send(*texts: str) -> None:
            dep.tool("send", "--chat", str(seeded["chat"]), "--sender", str(alice), *(f"--text={t}" for t in texts))

        page = open_client(browser, dep, bob_key, bob)
        page.wait_for_function("window.statuses.includes('live')")
        send("один")
        page.wait_for_function("window.got.length === 2")
        assert got(page) == [["message.new", 1], [1, "один"]]

        stop(server)  # the server goes away; messages keep being sent (another process, the same database)
        page.wait_for_function("window.live.status === 'offline'")
        send("два", "три", "четыре")
        dep.start_server(port=server.port)  # back where the client expects it: it reconnects with backoff
        page.wait_for_function("window.got.length === 8", timeout=40_000)
        events = [entry for entry in got(page) if entry[0] != "message.new"]
        assert events == [[1, "один"], [2, "два"], [3, "три"], [4, "четыре"]]
        assert page.evaluate(f"localStorage.getItem('parta.realtime.seq.{bob}')") == "4"
        assert page.evaluate("window.statuses").count("live") == 2

        # Typing: Alice's page tells Bob's; Alice's own page hears nothing of it.
        alice_page = open_client(browser, dep, alice_key, alice)
        alice_page.wait_for_function("window.statuses.includes('live')")
        alice_page.evaluate(f"window.live.sendTyping({seeded['chat']})")
        page.wait_for_function("window.typing.length === 1")
        assert page.evaluate("window.typing") == [
            {"chatId": seeded["chat"], "profileId": alice, "name": "Участник0 Фамилия"}
        ]
        assert alice_page.evaluate("window.typing") == []

        # Without a session: 4401, "signed-out", and no reconnecting.
        stranger = open_client(browser, dep, None, 0)
        stranger.wait_for_function("window.live.status === 'signed-out'")
        stranger.wait_for_timeout(1500)
        assert stranger.evaluate("window.statuses") == ["connecting", "signed-out"]
