"""A page that talks to Janus directly with janus.js (janus_page.js), for the smoke test and the call benchmark.

The page is served by the browser itself (Playwright routes) under Janus's own origin, so janus.js's requests to
`/janus` are same-origin and reach the real Janus; 127.0.0.1 is a secure context, so getUserMedia works.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, Route

from tests.e2e_calls.janus_server import JanusServer

JANUS_JS = Path("/usr/share/javascript/janus-gateway/janus.js")
ADAPTER_JS = Path("/usr/share/javascript/webrtc-adapter/adapter.js")
CLIENT_JS = Path(__file__).with_name("janus_page.js")
PREFIX = "/e2e-client/"
_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>janus client</title>
<script src="adapter.js"></script><script src="janus.js"></script><script src="client.js"></script></head>
<body></body></html>"""
_FILES = {"adapter.js": ADAPTER_JS, "janus.js": JANUS_JS, "client.js": CLIENT_JS}


def open_client(context: BrowserContext, janus: JanusServer) -> Page:
    """A page of `context` with window.janusBench, connected to `janus` with a fresh API token."""
    origin = janus.url.removesuffix("/janus")

    def serve(route: Route) -> None:
        name = route.request.url.split(PREFIX, 1)[1].split("?")[0]
        if name in ("", "index.html"):
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=_PAGE)
        elif name in _FILES:
            route.fulfill(status=200, content_type="text/javascript", body=_FILES[name].read_text())
        else:
            route.fulfill(status=404, body="")

    context.route(f"{origin}{PREFIX}**", serve)
    page = context.new_page()
    page.goto(f"{origin}{PREFIX}")
    page.evaluate("([url, token]) => window.janusBench.connect(url, token)", [janus.url, janus.api_token()])
    return page


def create_room(janus: JanusServer, *, publishers: int = 10) -> int:
    """A private VideoRoom room as the messenger makes them (VP8, Opus), without a join ACL; returns its id."""
    room = secrets.randbelow(2**40) + 1
    answer = janus.videoroom(
        {
            "request": "create",
            "room": room,
            "permanent": False,
            "is_private": True,
            "secret": "e2e",
            "publishers": publishers,
            "audiocodec": "opus",
            "videocodec": "vp8",
            "admin_key": janus.config.admin_key,
        },
    )
    assert answer.get("videoroom") == "created", answer
    return room


def destroy_room(janus: JanusServer, room: int) -> None:
    janus.videoroom({"request": "destroy", "room": room, "secret": "e2e"})


def frames(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate("() => window.janusBench.inboundStats()"))
