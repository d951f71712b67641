"""Browser tests: both sites started once per session, Debian's Chromium driven by Playwright.

Run with `pytest tests/e2e -p no:django` (test.sh does). The sites run in their own processes on fresh
databases with the demo school (see servers.py); each test gets its own browser context, so cookies never leak
between tests. A test fails when either server logs a traceback or answers 5xx while it runs.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.e2e.helpers import DESKTOP, PHONE, screenshot_pages
from tests.e2e.servers import REPO, ServerError, Sites, running_sites, server_errors

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # no traffic anywhere but the two sites on 127.0.0.1
    "--disable-component-update",
    "--disable-sync",
]
ACTION_TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 20_000
RESULTS = REPO / "test-results"
_FAILED = pytest.StashKey[bool]()  # whether the test's call phase failed, for the screenshots

expect.set_options(timeout=ACTION_TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


# --- the sites ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    folder = tmp_path_factory.mktemp("parta-e2e")
    shutil.rmtree(RESULTS / "e2e-failures", ignore_errors=True)  # only this run's failures are worth a look
    try:
        with running_sites(folder) as started:
            yield started
    except ServerError as error:
        pytest.fail(f"the sites did not start: {error}", pytrace=False)
    finally:
        _keep_logs(folder)


def _keep_logs(folder: Path) -> None:
    """Copies the servers' logs next to the screenshots, where the lead looks after a run."""
    target = RESULTS / "e2e-logs"
    target.mkdir(parents=True, exist_ok=True)
    for log in folder.glob("*.log"):
        shutil.copyfile(log, target / log.name)


@pytest.fixture(scope="session")
def journal_url(sites: Sites) -> str:
    return sites.journal.url


@pytest.fixture(scope="session")
def messenger_url(sites: Sites) -> str:
    return sites.messenger.url


class ServerWatch:
    """What went wrong on the servers during one test: tracebacks logged, 5xx answers seen."""

    def __init__(self, sites: Sites) -> None:
        self.sites = sites
        self.offsets = {server.site: server.log_size() for server in sites.servers}
        self.bad_responses: list[str] = []

    def record_response(self, response: Any) -> None:
        if response.status >= 500:
            self.bad_responses.append(f"{response.status} {response.request.method} {response.url}")

    def problems(self) -> list[str]:
        found = [f"the browser got {line}" for line in self.bad_responses]
        for server in self.sites.servers:
            for record in server_errors(server.log_since(self.offsets[server.site])):
                found.append(f"the {server.site} logged a server error:\n{_last_lines(record)}")
        return found


def _last_lines(text: str, count: int = 40) -> str:
    return "\n".join(text.splitlines()[-count:])


@pytest.fixture(autouse=True)
def server_watch(sites: Sites) -> ServerWatch:
    return ServerWatch(sites)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fails the test itself (not its teardown) when a server broke while it ran.

    When the test failed anyway, the servers' errors are printed with it: a 500 is often the reason.
    """
    watch = getattr(item, "funcargs", {}).get("server_watch")
    try:
        result = yield
    except BaseException:
        if isinstance(watch, ServerWatch) and (problems := watch.problems()):
            item.add_report_section("call", "server errors", "\n\n".join(problems))
        raise
    if isinstance(watch, ServerWatch) and (problems := watch.problems()):
        pytest.fail("\n\n".join(problems), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


# --- the browser -------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/services.sh (installs Debian's chromium)", pytrace=False)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
    yield browser
    browser.close()


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(
    browser: Browser, journal_url: str, server_watch: ServerWatch, request: pytest.FixtureRequest
) -> Iterator[NewContext]:
    """Makes isolated browser contexts (one per person in a test) on the journal, in Russian, Moscow time."""
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        settings: dict[str, Any] = {
            "base_url": journal_url,
            "viewport": DESKTOP,
            # Chromium asks for English by default; a Russian school's browser asks for Russian.
            "locale": "ru-RU",
            "timezone_id": "Europe/Moscow",
            **options,
        }
        context = browser.new_context(**settings)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        context.on("response", server_watch.record_response)
        made.append(context)
        return context

    yield make
    if request.node.stash.get(_FAILED, False):
        screenshot_pages(made, request.node.name)
    for context in made:
        context.close()


@pytest.fixture
def page(new_context: NewContext) -> Page:
    """A desktop page, 1280×800."""
    return new_context().new_page()


@pytest.fixture
def phone_page(new_context: NewContext) -> Page:
    """A phone's page, 375×740, touch."""
    return new_context(**PHONE).new_page()
