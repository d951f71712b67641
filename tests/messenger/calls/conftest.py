"""A real Janus for the calls tests: started once per test session from the config `run_janus` writes.

`janus` points settings.CALLS_JANUS_SERVERS at it and gives its JanusServer; `janus_second` adds a second server
(started lazily, for the server choice); `janus_peer` makes raw Janus clients that join rooms like a browser would
(without media). Skipped where Janus is not installed (CI installs it).
"""

from __future__ import annotations

import contextlib
import io
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import call_command
from django.test import override_settings

from parta.messenger.calls import janus as janus_client
from parta.messenger.calls.janus import JanusServer
from parta.messenger.calls.management.commands.run_janus import janus_command, janus_lib_dir


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class JanusProcess:
    """One Janus started from a folder that `run_janus --no-exec` wrote, with its own admin key and token secret."""

    def __init__(self, name: str, config_dir: Path) -> None:
        self.config_dir = config_dir
        self.port, self.admin_port = free_port(), free_port()
        url = f"http://127.0.0.1:{self.port}/janus"
        self.server = JanusServer(
            name=name,
            url=url,
            public_url=url,
            admin_key=secrets.token_hex(16),
            token_secret=secrets.token_hex(16),
            admin_url=f"http://127.0.0.1:{self.admin_port}/admin",
            admin_secret=secrets.token_hex(16),
        )
        with override_settings(CALLS_JANUS_SERVERS=[self.settings_entry()]):
            call_command(
                "run_janus",
                "--no-exec",
                f"--config-dir={config_dir}",
                f"--http-port={self.port}",
                stdout=io.StringIO(),
            )
        self.log = config_dir / "janus.log"
        self.process = subprocess.Popen(janus_command(config_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_ready()

    def settings_entry(self) -> dict[str, str]:
        return asdict(self.server)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 15
        with httpx.Client(trust_env=False, timeout=1) as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    break
                try:
                    if http.get(f"{self.server.url}/info").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
        self.stop()
        log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else "(no log)"
        pytest.fail(f"Janus did not start on port {self.port}:\n{log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class _JanusProcesses:
    """Janus processes of this test session, started on first use."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.started: dict[str, JanusProcess] = {}

    def get(self, name: str) -> JanusProcess:
        if name not in self.started:
            self.started[name] = JanusProcess(name, self.base / name)
        return self.started[name]


@pytest.fixture(scope="session")
def janus_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_JanusProcesses]:
    if shutil.which("janus") is None or janus_lib_dir() is None:
        pytest.skip("Janus is not installed (apt-get install janus); CI installs it")
    processes = _JanusProcesses(tmp_path_factory.mktemp("janus"))
    yield processes
    for process in processes.started.values():
        process.stop()


@pytest.fixture
def janus_process(janus_processes: _JanusProcesses, settings: Any) -> JanusProcess:
    """The first test Janus, as the only configured server."""
    process = janus_processes.get("janus-a")
    settings.CALLS_JANUS_SERVERS = [process.settings_entry()]
    janus_client.forget_reachability()
    return process


@pytest.fixture
def janus(janus_process: JanusProcess) -> JanusServer:
    """A real Janus that settings.CALLS_JANUS_SERVERS points at (the only server)."""
    return janus_process.server


@pytest.fixture
def janus_second(janus: JanusServer, janus_processes: _JanusProcesses, settings: Any) -> JanusServer:
    """A second real Janus, configured after the first one."""
    process = janus_processes.get("janus-b")
    settings.CALLS_JANUS_SERVERS = [*settings.CALLS_JANUS_SERVERS, process.settings_entry()]
    janus_client.forget_reachability()
    return process.server


class JanusPeer:
    """A raw Janus client with one VideoRoom handle, as janus.js in a browser would use it (no media)."""

    def __init__(self, server: JanusServer, *, token: str | None = None) -> None:
        self.server = server
        expires = datetime.now(UTC) + timedelta(minutes=10)
        self.token = token if token is not None else janus_client.api_token(server, expires_at=expires)
        self.http = httpx.Client(trust_env=False, timeout=10)
        self.session_id = self.post(server.url, {"janus": "create"})["data"]["id"]
        self.handle_id = self.post(self.session_url, {"janus": "attach", "plugin": janus_client.PLUGIN})["data"]["id"]

    @property
    def session_url(self) -> str:
        return f"{self.server.url}/{self.session_id}"

    def post(self, url: str, message: dict[str, Any]) -> dict[str, Any]:
        body = {**message, "transaction": secrets.token_hex(8), "token": self.token}
        answer: dict[str, Any] = self.http.post(url, json=body).json()
        return answer

    def message(self, body: dict[str, Any]) -> dict[str, Any]:
        """Sends a VideoRoom request; answers the plugin's data (from the event, for asynchronous requests)."""
        answer = self.post(f"{self.session_url}/{self.handle_id}", {"janus": "message", "body": body})
        if answer.get("janus") == "ack":
            answer = self.next_event()
        data: dict[str, Any] = (answer.get("plugindata") or {}).get("data") or answer
        return data

    def next_event(self, timeout: float = 10) -> dict[str, Any]:
        """The next event of this session (Janus's long poll), skipping keepalives; TimeoutError when none comes."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                response = self.http.get(self.session_url, params={"maxev": 1, "token": self.token}, timeout=left)
            except httpx.ReadTimeout:
                break
            answer: dict[str, Any] = response.json()
            if answer.get("janus") != "keepalive":
                return answer
        raise TimeoutError("no event from Janus")

    def join_publisher(
        self, *, room_id: int, token: str | None, feed_id: int | None = None, display: str = "test"
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"request": "join", "ptype": "publisher", "room": room_id, "display": display}
        if token is not None:
            body["token"] = token
        if feed_id is not None:
            body["id"] = feed_id
        return self.message(body)

    def join_subscriber(self, *, room_id: int, feed_id: int, private_id: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "request": "join",
            "ptype": "subscriber",
            "room": room_id,
            "streams": [{"feed": feed_id}],
        }
        if private_id is not None:
            body["private_id"] = private_id
        return self.message(body)

    def close(self) -> None:
        with contextlib.suppress(httpx.HTTPError):
            self.post(self.session_url, {"janus": "destroy"})
        self.http.close()


@pytest.fixture
def janus_peer(janus: JanusServer) -> Iterator[Callable[..., JanusPeer]]:
    """Makes JanusPeer clients of the test Janus (`janus_peer()` or `janus_peer(token=...)`); closed after the test."""
    peers: list[JanusPeer] = []

    def make(server: JanusServer | None = None, **kwargs: Any) -> JanusPeer:
        peer = JanusPeer(server or janus, **kwargs)
        peers.append(peer)
        return peer

    yield make
    for peer in peers:
        peer.close()
