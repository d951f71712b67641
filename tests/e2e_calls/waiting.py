"""Waiting with a deadline: when ICE fails nothing errors, so every wait in the call tests ends by itself."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from playwright.sync_api import Page

T = TypeVar("T")


def wait_until(
    check: Callable[[], T], *, timeout: float, what: str, interval: float = 0.2, page: Page | None = None
) -> T:
    """Calls `check` until it returns something truthy (returned), failing with `what` after `timeout` seconds.

    With `page`, the pauses are the page's own (`wait_for_timeout`): Playwright's sync API only takes in the
    browser's events (new tabs, navigations) while one of its calls runs, never during a plain sleep.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:g}s waiting for {what} (last: {result!r})")
        if page is not None:
            page.wait_for_timeout(interval * 1000)
        else:
            time.sleep(interval)
