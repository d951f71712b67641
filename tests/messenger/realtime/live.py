"""Real messenger server processes for the multi-process tests and the benchmarks: a throwaway database, migrations,
uvicorn processes of `parta.messenger.asgi:application` on free ports of 127.0.0.1, Redis db 15.

Also a command line for the processes that play "another messenger process" (run with the servers' environment):
    python -m tests.messenger.realtime.live seed --members 2      → JSON: profile ids, chat id, session keys
    python -m tests.messenger.realtime.live send --chat 1 --sender 2 --text "…" [--text "…"]   → sends, one
        transaction per message, through publish()
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
PYTHON = sys.executable
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
START_TIMEOUT = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def redis_answers(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class Database:
    """A throwaway messenger database: a uniquely named PostgreSQL database when the configured one is PostgreSQL,
    else a SQLite file in `folder`."""

    url: str
    pg_admin: str | None = None
    name: str = ""

    @classmethod
    def create(cls, folder: Path, *, prefix: str = "parta_rt") -> Database:
        configured = os.environ.get("MESSENGER_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
        if not configured.startswith(("postgres://", "postgresql://")):
            return cls(url=f"sqlite:///{folder / 'messenger.sqlite3'}")
        import psycopg
        from psycopg import sql

        parts = urllib.parse.urlsplit(configured)
        admin = urllib.parse.urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        name = f"{prefix}_{secrets.token_hex(4)}"
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return cls(url=urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), pg_admin=admin, name=name)

    @property
    def vendor(self) -> str:
        return "postgresql" if self.pg_admin else "sqlite"

    def drop(self) -> None:
        if self.pg_admin is None:
            return
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.pg_admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))


@dataclass
class Server:
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


@dataclass
class Deployment:
    """The database, the environment every process of the deployment runs with, and its servers."""

    folder: Path
    database: Database
    env: dict[str, str] = field(repr=False)
    servers: list[Server] = field(default_factory=list)

    def run(self, *args: str, timeout: float = 600) -> str:
        """Runs `python -m <args>` with the deployment's environment (another process of the same messenger)."""
        result = subprocess.run(
            [PYTHON, "-m", *args], cwd=REPO, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"`{' '.join(args)}` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def tool(self, *args: str) -> Any:
        """Runs this module's command line in another process; returns its JSON answer."""
        return json.loads(self.run("tests.messenger.realtime.live", *args).strip().splitlines()[-1])

    def start_server(self, *extra: str, app: str = "parta.messenger.asgi:application", port: int = 0) -> Server:
        """Starts a uvicorn process (on `port`, e.g. to restart a stopped server where its clients expect it)."""
        server = Server(port=port or free_port(), log=self.folder / f"server-{len(self.servers) + 1}.log")
        with server.log.open("ab") as out:
            server.process = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "uvicorn",
                    app,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(server.port),
                    "--log-level",
                    "warning",
                    "--timeout-graceful-shutdown",
                    "2",
                    *extra,
                ],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.servers.append(server)
        wait_until_answering(server)
        return server


def wait_until_answering(server: Server) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert server.process is not None
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited with {server.process.returncode}:\n{server.log.read_text()[-3000:]}")
        try:  # an API endpoint: answers (401) without templates or collected static files
            with opener.open(server.url + "/api/v1/events/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer in {START_TIMEOUT}s:\n{server.log.read_text()[-3000:]}")


def stop(server: Server) -> None:
    process = server.process
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def deployment_env(
    folder: Path, database: Database, *, redis: str | None, extra: dict[str, str] | None
) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "PARTA_DEBUG", "JOURNAL_DATABASE_URL"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="parta.messenger.settings",
        PARTA_SECRET_KEY=f"rt-{secrets.token_urlsafe(24)}",
        PARTA_ALLOWED_HOSTS="127.0.0.1,localhost",
        PARTA_DATA_DIR=str(folder / "data"),
        MESSENGER_DATABASE_URL=database.url,
        # Keys of this deployment only: parallel runs and other tests on the same Redis db do not see each other.
        PARTA_CHANNELS_PREFIX=f"rt{secrets.token_hex(4)}",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
    )
    if redis:
        env["REDIS_URL"] = redis
    env.update(extra or {})
    return env


@contextlib.contextmanager
def deployment(
    folder: Path, *, redis: str | None, extra_env: dict[str, str] | None = None, static: bool = False
) -> Iterator[Deployment]:
    """A migrated throwaway database and the environment for its processes (`static`: with collected static files,
    for a browser); servers started in it are stopped and the database dropped on the way out."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    database = Database.create(folder)
    dep = Deployment(
        folder=folder, database=database, env=deployment_env(folder, database, redis=redis, extra=extra_env)
    )
    try:
        dep.run("parta.messenger", "migrate", "--no-input", "-v", "0")
        if static:
            dep.run("parta.messenger", "collectstatic", "--no-input", "-v", "0")
        yield dep
    finally:
        for server in dep.servers:
            stop(server)
        with contextlib.suppress(Exception):  # a leftover database must not hide the real failure
            database.drop()


# The command line run inside the deployment's processes ---------------------------------------------------------


def _seed(members: int) -> dict[str, Any]:
    from tests.messenger.realtime.builders import make_chat, make_profile, sign_in

    profiles = [make_profile(f"Участник{n}") for n in range(members)]
    chat = make_chat([p.pk for p in profiles])
    return {"profiles": [p.pk for p in profiles], "chat": chat.pk, "sessions": [sign_in(p.pk) for p in profiles]}


def _send(chat: int, sender: int, texts: list[str]) -> dict[str, Any]:
    from tests.messenger.realtime.builders import send_message

    messages = [send_message(chat_id=chat, sender_id=sender, text=text) for text in texts]
    return {"message": messages[-1].pk, "messages": [m.pk for m in messages]}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.messenger.realtime.live")
    commands = parser.add_subparsers(dest="command", required=True)
    seed = commands.add_parser("seed")
    seed.add_argument("--members", type=int, default=2)
    send = commands.add_parser("send")
    send.add_argument("--chat", type=int, required=True)
    send.add_argument("--sender", type=int, required=True)
    send.add_argument("--text", action="append", required=True, help="once per message, sent in this order")
    args = parser.parse_args(argv)

    import django

    django.setup()
    answer = _seed(args.members) if args.command == "seed" else _send(args.chat, args.sender, args.text)
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
