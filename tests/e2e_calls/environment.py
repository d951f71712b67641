"""Where the call tests and the call benchmark run, and the browser they use (shared by conftest.py and
tests/bench/bench_calls.py)."""

from __future__ import annotations

import os
from typing import Any

from tests.e2e.helpers import DESKTOP
from tests.e2e_calls.janus_server import ICE_INTERFACE

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A fake camera (a moving test pattern) and microphone (a beep), and no permission prompts; getDisplayMedia
    # gets a fake 1280×720 screen with the same flag.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    # Several people's pages run at once in one browser: none of them may be throttled as a background tab.
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
]
# The PostgreSQL server, through its Unix socket (any database's URL there: the harness makes fresh ones).
# PARTA_TEST_DB=sqlite: SQLite files instead.
DATABASE_SERVER = (
    ""
    if os.environ.get("PARTA_TEST_DB") == "sqlite"
    else os.environ.get("PARTA_CALLS_DATABASE_SERVER", "postgres://postgres@%2Fvar%2Frun%2Fpostgresql/postgres")
)
_NAMESPACE_INTERFACES = {"lo", ICE_INTERFACE, "v1"}  # what netns.sh makes


def namespace_problem() -> str | None:
    """Why this process is not where the call tests may run (None: it is inside a namespace made by netns.sh)."""
    if os.geteuid() != 0:
        return "the call tests need root: they run inside a network namespace (test.sh makes one when root)"
    interfaces = set(os.listdir("/sys/class/net"))
    if ICE_INTERFACE not in interfaces or interfaces - _NAMESPACE_INTERFACES:
        return (
            "not inside the call tests' network namespace (interfaces: "
            + ", ".join(sorted(interfaces))
            + "): run `tests/e2e_calls/netns.sh up NAME` and `ip netns exec NAME .venv/bin/pytest tests/e2e_calls`"
        )
    return None


def context_options(base_url: str) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "viewport": DESKTOP,
        "locale": "ru-RU",
        "timezone_id": "Europe/Moscow",
        "permissions": ["camera", "microphone"],
    }
