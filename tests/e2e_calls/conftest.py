"""Call tests (issue 5): real Janus, both sites, Chromium with a fake camera and microphone — all inside a network
namespace.

Janus never offers loopback ICE candidates; on the plain host it would offer the machine's external address and
media would leave the machine. So this whole pytest process runs inside a namespace of its own (netns.sh: loopback
plus a veth whose end v0 has 169.254.77.1, the one interface Janus may use), and everything the tests need is started
in there: Janus (`run_janus --ice-interface v0`), both sites (uvicorn on 127.0.0.1, tests/e2e/servers.py),
PostgreSQL reached through its Unix socket (the host's 127.0.0.1 is not reachable from in there), no Redis (the
messenger's in-memory channel layer, one process), and the browser. Creating a namespace needs root: test.sh's
"call tests" stage does it, and skips the stage saying so without root. By hand:

    tests/e2e_calls/netns.sh up parta-e2e
    ip netns exec parta-e2e .venv/bin/pytest tests/e2e_calls -p no:django
    tests/e2e_calls/netns.sh down parta-e2e

Outside a namespace every test here is skipped with the reason. When a test fails, the browser pages' console
errors and the servers' errors are printed with it; screenshots and logs go to test-results/.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, expect, sync_playwright

# The browser tests' hook that stashes whether a test failed (for the screenshots), registered here too.
from tests.e2e.conftest import _FAILED, ServerWatch, pytest_runtest_makereport  # noqa: F401
from tests.e2e.helpers import screenshot_pages
from tests.e2e.messenger_helpers import DevMessenger, dev_messenger
from tests.e2e.servers import REPO, ServerError, Sites, running_sites
from tests.e2e.servers import journal_worker as running_journal_worker
from tests.e2e_calls.environment import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DATABASE_SERVER,
    context_options,
    namespace_problem,
)
from tests.e2e_calls.janus_server import JanusConfig, JanusServer, running_janus
from tests.e2e_calls.people import School, link_from_journal, seed_school

ACTION_TIMEOUT_MS = 15_000
NAVIGATION_TIMEOUT_MS = 20_000
RESULTS = REPO / "test-results"
TIMINGS = RESULTS / "calls-timing.txt"  # the measured times of a run (the modules append to it)

expect.set_options(timeout=ACTION_TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    problem = namespace_problem()
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.e2e)
            if problem:
                item.add_marker(pytest.mark.skip(reason=problem))


# --- Janus and the sites -----------------------------------------------------------------------------------------


@dataclass
class CallWorld:
    """Everything a call test talks to: both sites, Janus, the folder with their logs."""

    sites: Sites
    janus: JanusServer
    folder: Path

    @property
    def journal_url(self) -> str:
        return self.sites.journal.url

    @property
    def messenger_url(self) -> str:
        return self.sites.messenger.url


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CallWorld]:
    folder = tmp_path_factory.mktemp("parta-calls")
    shutil.rmtree(RESULTS / "e2e-calls-failures", ignore_errors=True)
    janus_config = JanusConfig.fresh()
    try:
        with (
            running_sites(folder, env=janus_config.env(), database_server=DATABASE_SERVER) as sites,
            running_janus(janus_config, folder, sites.env) as janus,
        ):
            yield CallWorld(sites=sites, janus=janus, folder=folder)
    except ServerError as error:
        pytest.fail(f"the sites or Janus did not start: {error}", pytrace=False)
    finally:
        _keep_logs(folder)


@pytest.fixture(scope="session")
def sites(world: CallWorld) -> Sites:
    return world.sites


def _keep_logs(folder: Path) -> None:
    target = RESULTS / "e2e-calls-logs"
    target.mkdir(parents=True, exist_ok=True)
    for log in [*folder.glob("*.log"), *folder.glob("janus/*.log")]:
        shutil.copyfile(log, target / log.name)


@pytest.fixture(autouse=True)
def server_watch(request: pytest.FixtureRequest) -> ServerWatch | None:
    if namespace_problem():
        return None  # skipped anyway; the sites are not started for nothing
    return ServerWatch(request.getfixturevalue("sites"))


# --- the browser -------------------------------------------------------------------------------------------------


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


@dataclass
class Console:
    """What the pages of one test said on their consoles: errors and warnings, and uncaught exceptions."""

    lines: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext, who: str) -> Callable[[Page], None]:
        """Records the console of the context's pages opened from now on; answers the listener (to remove it)."""

        def on_page(page: Page) -> None:
            self._watch_page(page, who)

        context.on("page", on_page)
        return on_page

    def _watch_page(self, page: Page, who: str) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.type in ("error", "warning"):
                source = message.location.get("url") or page.url  # for a failed request: its address
                self.lines.append(f"[{who}] console.{message.type}: {message.text} ({source})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.lines.append(f"[{who}] uncaught: {error} ({page.url})"))


NewContext = Callable[..., BrowserContext]


def prepare_context(context: BrowserContext) -> BrowserContext:
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    return context


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def new_context(
    browser: Browser, world: CallWorld, server_watch: ServerWatch, console: Console, request: pytest.FixtureRequest
) -> Iterator[NewContext]:
    """Makes one browser context per person (name: `who`, for the console log), on the journal, in Russian."""
    made: list[BrowserContext] = []

    def make(who: str = "page", **options: Any) -> BrowserContext:
        context = prepare_context(browser.new_context(**{**context_options(world.journal_url), **options}))
        context.on("response", server_watch.record_response)
        console.watch(context, who)
        made.append(context)
        return context

    yield make
    if request.node.stash.get(_FAILED, False):
        screenshot_pages(made, request.node.name, "e2e-calls-failures")
    for context in made:
        context.close()


# --- the school and its people (shared by the modules: linked once per run) ------------------------------------------


@pytest.fixture(scope="session")
def school(sites: Sites) -> School:
    TIMINGS.unlink(missing_ok=True)
    return seed_school(sites)


@pytest.fixture(scope="session")
def inbox(sites: Sites) -> Iterator[DevMessenger]:
    with dev_messenger(sites) as dev:
        yield dev


@pytest.fixture(scope="session")
def journal_worker(sites: Sites) -> Iterator[None]:
    with running_journal_worker(sites):
        yield


@pytest.fixture(scope="session")
def linked(
    browser: Browser, world: CallWorld, school: School, inbox: DevMessenger, journal_worker: None
) -> Iterator[dict[str, BrowserContext]]:
    """One browser context per person for the whole run, each linked with the messenger (teacher first)."""
    made: dict[str, BrowserContext] = {}
    try:
        for key, person in school.people.items():
            made[key] = prepare_context(browser.new_context(**context_options(world.journal_url)))
            link_from_journal(made[key], person, world.sites, inbox)
        yield made
    finally:
        for context in made.values():
            context.close()


@pytest.fixture
def people(
    linked: dict[str, BrowserContext], server_watch: ServerWatch, console: Console, request: pytest.FixtureRequest
) -> Iterator[dict[str, BrowserContext]]:
    """The people's browsers for one test: 5xx answers and console errors watched, screenshots if it fails."""
    listeners = {}
    for key, context in linked.items():
        context.on("response", server_watch.record_response)
        listeners[key] = console.watch(context, key)
    yield linked
    for key, context in linked.items():
        context.remove_listener("response", server_watch.record_response)
        context.remove_listener("page", listeners[key])
    if request.node.stash.get(_FAILED, False):
        screenshot_pages(list(linked.values()), request.node.name, "e2e-calls-failures")
    elif console.lines:  # not a failure, but worth a look (`pytest -s`)
        print("browser console:\n" + "\n".join(console.lines))
    for context in linked.values():
        for page in context.pages:
            page.close()


# --- reporting ---------------------------------------------------------------------------------------------------


MEASUREMENTS: list[str] = []  # lines the tests measured (first frame after joining), shown at the end of the run


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if MEASUREMENTS:
        terminalreporter.section("call measurements")
        for line in MEASUREMENTS:
            terminalreporter.write_line(line)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fails the test when a server broke while it ran; prints the servers' and the pages' errors when it failed."""
    funcargs = getattr(item, "funcargs", {})
    watch = funcargs.get("server_watch")
    console = funcargs.get("console")
    try:
        result = yield
    except BaseException:
        if isinstance(watch, ServerWatch) and (problems := watch.problems()):
            item.add_report_section("call", "server errors", "\n\n".join(problems))
        if isinstance(console, Console) and console.lines:
            item.add_report_section("call", "browser console", "\n".join(console.lines))
        raise
    if isinstance(watch, ServerWatch) and (problems := watch.problems()):
        pytest.fail("\n\n".join(problems), pytrace=False)
    return result
