"""Starts both sites for real for the browser tests: fresh databases, migrations, the demo school, uvicorn.

No Django in this process: the sites run as subprocesses exactly as `run.sh` runs them, so the browser tests
exercise what a school would run. Every step has a timeout; a failed step shows the tail of its log.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable  # the venv's interpreter that runs pytest
SITES = ("journal", "messenger")
STEP_TIMEOUT = 300  # seconds for one management command (migrate on a cold PostgreSQL is the slowest)
START_TIMEOUT = 60  # seconds for a server to answer after it is launched
STOP_TIMEOUT = 10
# A log record starts with Django's format (settings_base.LOGGING) or uvicorn's; tracebacks belong to the record
# before them. Django logs a 403's PermissionDenied with its traceback at WARNING: that one is expected.
_RECORD_START = re.compile(r"^(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (?P<django>[A-Z]+) |(?P<uvicorn>[A-Z]+):\s)")
_QUIET_LEVELS = {"DEBUG", "INFO", "WARNING"}


class ServerError(RuntimeError):
    """A site could not be prepared or started; the message carries the tail of its log."""


def tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def server_errors(log_text: str) -> list[str]:
    """The records of a server's log that mean a request failed on the server: 500s, errors, stray tracebacks."""
    found: list[str] = []
    record: list[str] = []
    level = "ERROR"  # output before the first record (a crash at import) counts as an error

    def close() -> None:
        text = "\n".join(record)
        if (level not in _QUIET_LEVELS and text.strip()) or "Internal Server Error" in text:
            found.append(text)
        elif "Traceback (most recent call last)" in text and level == "INFO":
            found.append(text)  # a traceback printed without a logger, after an ordinary access line

    for line in log_text.splitlines():
        match = _RECORD_START.match(line)
        if match:
            close()
            record, level = [line], match.group("django") or match.group("uvicorn")
        else:
            record.append(line)
    close()
    return found


def free_port() -> int:
    # Binding to port 0 lets the kernel pick; the tiny race until uvicorn binds it is acceptable for tests.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


def _with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _pg_conninfo(url: str) -> str:
    # psycopg does not know dj-database-url's scheme aliases; the maintenance database is always there.
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))


@dataclass
class Database:
    """One site's throwaway database: a uniquely named PostgreSQL database, or a SQLite file."""

    site: str
    url: str
    pg_admin: str | None = None  # conninfo of the server's maintenance database, for CREATE/DROP
    name: str = ""

    @classmethod
    def create(cls, site: str, folder: Path, configured: str | None = None) -> Database:
        """`configured`: the server to make the database on (any database's URL there); default: the environment's."""
        if configured is None:
            configured = os.environ.get(f"{site.upper()}_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
        if not is_postgres(configured):
            return cls(site=site, url=f"sqlite:///{folder / f'{site}.sqlite3'}", name=str(folder / f"{site}.sqlite3"))
        import psycopg
        from psycopg import sql

        name = f"parta_e2e_{site}_{secrets.token_hex(4)}"
        admin = _pg_conninfo(configured)
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return cls(site=site, url=_with_database(configured, name), pg_admin=admin, name=name)

    def drop(self) -> None:
        if self.pg_admin is None:
            return  # the SQLite file goes with the temporary folder
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.pg_admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))


@dataclass
class Server:
    site: str
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def log_since(self, offset: int) -> str:
        with self.log.open("rb") as fp:
            fp.seek(offset)
            return fp.read().decode("utf-8", errors="replace")


@dataclass
class Sites:
    """Both running sites, their databases and logs."""

    folder: Path
    journal: Server
    messenger: Server
    databases: dict[str, Database] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict, repr=False)  # holds the secret key

    @property
    def servers(self) -> tuple[Server, Server]:
        return (self.journal, self.messenger)


def _site_env(folder: Path, databases: dict[str, Database], journal: Server, messenger: Server) -> dict[str, str]:
    env = dict(os.environ)
    # Whatever the caller's shell points at must not leak in: settings of another site, a shared database,
    # the shared Redis (the journal would queue its background tasks there, where nobody works them off).
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "PARTA_DEBUG"):
        env.pop(name, None)
    env.update(
        PARTA_DEBUG="0",
        PARTA_SECRET_KEY=f"e2e-{secrets.token_urlsafe(32)}",
        PARTA_ALLOWED_HOSTS="127.0.0.1,localhost",
        PARTA_DATA_DIR=str(folder / "data"),
        PARTA_JOURNAL_URL=journal.url,
        PARTA_MESSENGER_URL=messenger.url,
        JOURNAL_DATABASE_URL=databases["journal"].url,
        MESSENGER_DATABASE_URL=databases["messenger"].url,
        PYTHONUNBUFFERED="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
    )
    return env


def _run_steps(site: str, steps: Sequence[Sequence[str]], env: dict[str, str], log: Path) -> None:
    """Runs one site's management commands in order, all output appended to its log."""
    with log.open("ab") as out:
        for step in steps:
            out.write(f"\n$ python -m parta.{site} {' '.join(step)}\n".encode())
            out.flush()
            command = [PYTHON, "-m", f"parta.{site}", *step]
            try:
                result = subprocess.run(
                    command,
                    cwd=REPO,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=STEP_TIMEOUT,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise ServerError(f"`{' '.join(step)}` of the {site} took over {STEP_TIMEOUT}s:\n{tail(log)}") from None
            if result.returncode != 0:
                raise ServerError(f"`{' '.join(step)}` of the {site} failed ({result.returncode}):\n{tail(log)}")


def _prepare(sites: Sites) -> None:
    """Migrations, the demo school and static files; the two sites are prepared side by side."""
    steps = {
        "journal": [
            ["migrate", "--no-input", "-v", "0"],
            ["load_demo"],
            ["collectstatic", "--no-input", "-v", "0"],
        ],
        "messenger": [
            ["migrate", "--no-input", "-v", "0"],
            ["collectstatic", "--no-input", "-v", "0"],
        ],
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(_run_steps, site, steps[site], sites.env, sites.folder / f"{site}-setup.log") for site in SITES
        ]
        for future in futures:
            future.result()


def _launch(server: Server, env: dict[str, str]) -> None:
    with server.log.open("ab") as out:
        server.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "uvicorn",
                f"parta.{server.site}.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(server.port),
                "--log-level",
                "info",
                "--timeout-graceful-shutdown",
                "3",
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_until_answering(server: Server, path: str) -> None:
    # No proxy: a CI's http_proxy must not swallow requests to 127.0.0.1.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + START_TIMEOUT
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        assert server.process is not None
        if server.process.poll() is not None:
            raise ServerError(f"the {server.site} exited with {server.process.returncode}:\n{tail(server.log)}")
        try:
            with opener.open(server.url + path, timeout=2) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            last_error = f"HTTP {error.code}"
        except (urllib.error.URLError, OSError) as error:
            last_error = str(error)
        time.sleep(0.2)
    raise ServerError(
        f"the {server.site} did not answer {path} in {START_TIMEOUT}s ({last_error}):\n{tail(server.log)}"
    )


def _stop(server: Server) -> None:
    process = server.process
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


@contextlib.contextmanager
def running_sites(
    folder: Path, *, env: Mapping[str, str] | None = None, database_server: str | None = None
) -> Iterator[Sites]:
    """Both sites on fresh databases with the demo school, served on free ports; all removed afterwards.

    `env` is added to both sites' environment (the call tests point the messenger at their Janus);
    `database_server` is the PostgreSQL URL to create the databases on, instead of the environment's
    (the call tests reach PostgreSQL through its Unix socket from inside a network namespace).
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    journal = Server("journal", free_port(), folder / "journal.log")
    messenger = Server("messenger", free_port(), folder / "messenger.log")
    while messenger.port == journal.port:
        messenger.port = free_port()
    sites = Sites(folder=folder, journal=journal, messenger=messenger)
    try:
        for site in SITES:
            sites.databases[site] = Database.create(site, folder, database_server)
        sites.env = _site_env(folder, sites.databases, journal, messenger)
        sites.env.update(builtin_journal_env())  # see register_builtin_journal below
        sites.env.update(env or {})
        _prepare(sites)
        register_builtin_journal(sites)
        for server in sites.servers:
            _launch(server, sites.env)
        _wait_until_answering(journal, "/accounts/login/")
        _wait_until_answering(messenger, "/")
        yield sites
    finally:
        for server in sites.servers:
            _stop(server)
        for database in sites.databases.values():
            with contextlib.suppress(Exception):  # a leftover database must not hide the real failure
                database.drop()


# --- The built-in journal registered in the messenger (issue 4: linking, roster, subject chats) ----------------------
# As run.sh does after migrating: the messenger knows the journal as a client of its integration API, and the journal
# gets the same credentials from its environment. Kept apart from the harness above, which calls these two.


def builtin_journal_env() -> dict[str, str]:
    """The journal's client id and secrets in the messenger: fresh for every run (the sites run with PARTA_DEBUG=0,
    where the journal has no development defaults)."""
    return {
        "PARTA_MESSENGER_CLIENT_ID": "parta-journal",
        "PARTA_MESSENGER_CLIENT_SECRET": f"e2e-{secrets.token_urlsafe(24)}",
        "PARTA_MESSENGER_WEBHOOK_SECRET": f"e2e-{secrets.token_urlsafe(24)}",
    }


def register_builtin_journal(sites: Sites) -> None:
    """`register_journal` on the messenger's database, for the harness's journal."""
    env = sites.env
    step = [
        "register_journal",
        *("--name", "Электронный журнал", "--region", "Демонстрационный регион"),
        *("--base-url", sites.journal.url),
        *("--client-id", env["PARTA_MESSENGER_CLIENT_ID"], "--client-secret", env["PARTA_MESSENGER_CLIENT_SECRET"]),
        *("--webhook-secret", env["PARTA_MESSENGER_WEBHOOK_SECRET"]),
    ]
    _run_steps("messenger", [step], env, sites.folder / "messenger-setup.log")


@contextlib.contextmanager
def journal_worker(sites: Sites) -> Iterator[None]:
    """The journal's background worker (`run_huey`) as run.sh starts it — it delivers the outbox (roster, subject
    chats) to the messenger; stopped on exit, and the caller fails if it logged a traceback."""
    with site_worker(sites, "journal"):
        yield


@contextlib.contextmanager
def messenger_worker(sites: Sites) -> Iterator[None]:
    """The messenger's background worker (`run_huey`) as run.sh starts it — it turns a stopped recording into the
    video in the call's chat (docs/recording.md); stopped on exit, the caller fails if it logged a traceback."""
    with site_worker(sites, "messenger"):
        yield


@contextlib.contextmanager
def site_worker(sites: Sites, site: str) -> Iterator[None]:
    log = sites.folder / f"{site}-worker.log"
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [PYTHON, "-m", f"parta.{site}", "run_huey"], cwd=REPO, env=sites.env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=STOP_TIMEOUT)
    errors = [e for e in server_errors(log.read_text(encoding="utf-8", errors="replace")) if "Traceback" in e]
    assert not errors, f"the {site}'s worker failed:\n" + "\n\n".join(errors)


def run_site_python(env: Mapping[str, str], site: str, code: str) -> str:
    """Runs code in a site's Django (`python -m parta.<site> shell -c`) with this environment (its database);
    answers what it printed. For what no page can do in a test's setup."""
    result = subprocess.run(
        [PYTHON, "-m", f"parta.{site}", "shell", "-c", code],
        cwd=REPO,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout
