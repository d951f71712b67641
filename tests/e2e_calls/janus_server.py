"""A Janus for the call tests and the bench: started by the messenger's own `run_janus`, on a free port, with its
ICE candidates on the namespace's veth (v0); stopped (and with it every room) at the end.

The messenger is pointed at it through the environment (`janus_env`): PARTA_JANUS_SERVERS for the messenger's
choice of server, and the same port and secrets in PARTA_JANUS_HTTP_PORT / _ADMIN_KEY / _TOKEN_SECRET, which is
what `run_janus` writes into Janus's config — so the two agree whichever of them a setting is read from.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.e2e.servers import PYTHON, REPO, STOP_TIMEOUT, ServerError, free_port, tail

ICE_INTERFACE = "v0"
START_TIMEOUT = 20  # seconds until Janus answers /janus/info (it takes well under one)
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class JanusConfig:
    port: int
    admin_key: str
    token_secret: str

    @classmethod
    def fresh(cls) -> JanusConfig:
        return cls(port=free_port(), admin_key=secrets.token_hex(16), token_secret=secrets.token_hex(16))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/janus"

    def env(self) -> dict[str, str]:
        server = {"name": "e2e", "url": self.url, "admin_key": self.admin_key, "token_secret": self.token_secret}
        return {
            "PARTA_JANUS_SERVERS": json.dumps([server]),
            "PARTA_JANUS_HTTP_PORT": str(self.port),
            "PARTA_JANUS_ADMIN_KEY": self.admin_key,
            "PARTA_JANUS_TOKEN_SECRET": self.token_secret,
        }


@dataclass
class JanusServer:
    config: JanusConfig
    folder: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return self.config.url

    def janus_pid(self) -> int:
        """The pid of the `janus` process itself (run_janus may exec it or keep it as a child)."""
        assert self.process is not None
        pid = self.process.pid
        if _comm(pid) == "janus":
            return pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        for child in children.read_text().split() if children.exists() else []:
            if _comm(int(child)) == "janus":
                return int(child)
        raise AssertionError(f"no janus process under pid {pid} ({_comm(pid)})")

    def request(self, path: str = "", body: Mapping[str, Any] | None = None, timeout: float = 5) -> Any:
        """One request to Janus's HTTP API (POST with a body, GET without)."""
        data = None
        if body is not None:
            data = json.dumps({"transaction": secrets.token_hex(6), **body}).encode()
        request = urllib.request.Request(  # noqa: S310 - the harness's own http:// Janus
            self.url + path, data=data, headers={"Content-Type": "application/json"} if data else {}
        )
        with _NO_PROXY.open(request, timeout=timeout) as response:
            return json.loads(response.read())

    def videoroom(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """One synchronous VideoRoom request on a Janus session of its own; answers the plugin's data."""
        token = self.api_token()
        session = self.request("", {"janus": "create", "token": token})["data"]["id"]
        try:
            handle = self.request(
                f"/{session}", {"janus": "attach", "plugin": "janus.plugin.videoroom", "token": token}
            )
            answer = self.request(
                f"/{session}/{handle['data']['id']}", {"janus": "message", "token": token, "body": dict(body)}
            )
            return dict(answer["plugindata"]["data"])
        finally:
            with contextlib.suppress(Exception):
                self.request(f"/{session}", {"janus": "destroy", "token": token})

    def rooms(self) -> list[dict[str, Any]]:
        """The VideoRoom rooms Janus holds now (private ones too: listed with the admin key)."""
        return list(self.videoroom({"request": "list", "admin_key": self.config.admin_key}).get("list", []))

    def api_token(self, valid_for: int = 600) -> str:
        """A Janus API token signed with the server's secret, exactly as docs/calls.md defines it."""
        import base64
        import hashlib
        import hmac

        data = f"{int(time.time()) + valid_for},janus,janus.plugin.videoroom"
        signature = hmac.new(self.config.token_secret.encode(), data.encode(), hashlib.sha1).digest()
        return f"{data}:{base64.b64encode(signature).decode()}"

    def cpu_ticks(self) -> int:
        """utime + stime of the janus process, in clock ticks (/proc/<pid>/stat)."""
        fields = Path(f"/proc/{self.janus_pid()}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5), counted after "(comm)"


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _wait_until_answering(server: JanusServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last = "no answer yet"
    while time.monotonic() < deadline:
        assert server.process is not None
        if server.process.poll() is not None:
            raise ServerError(f"run_janus exited with {server.process.returncode}:\n{tail(server.log)}")
        try:
            info = server.request("/info", timeout=2)
            if info.get("janus") == "server_info":
                return
            last = str(info)[:200]
        except (urllib.error.URLError, OSError, ValueError) as error:
            last = str(error)
        time.sleep(0.1)
    raise ServerError(f"Janus did not answer {server.url}/info in {START_TIMEOUT}s ({last}):\n{tail(server.log)}")


@contextlib.contextmanager
def running_janus(config: JanusConfig, folder: Path, env: Mapping[str, str]) -> Iterator[JanusServer]:
    """`python -m parta.messenger run_janus --config-dir … --http-port … --ice-interface v0`, until the block ends.

    `env` is the messenger's environment (its settings make the config); it must hold `config.env()`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    server = JanusServer(config=config, folder=folder / "janus", log=folder / "janus-run.log")
    command = [
        *(PYTHON, "-m", "parta.messenger", "run_janus"),
        *("--config-dir", str(server.folder), "--http-port", str(config.port), "--ice-interface", ICE_INTERFACE),
    ]
    with server.log.open("ab") as out:
        server.process = subprocess.Popen(
            command, cwd=REPO, env={**env, **config.env()}, stdout=out, stderr=subprocess.STDOUT
        )
    janus_pid: int | None = None
    try:
        _wait_until_answering(server)
        janus_pid = server.janus_pid()
        yield server
    finally:
        if server.process.poll() is None:
            server.process.terminate()
            try:
                server.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(timeout=STOP_TIMEOUT)
        if janus_pid is not None and janus_pid != server.process.pid:
            _stop_pid(janus_pid)  # run_janus kept Janus as its child: it must not outlive the tests


def _stop_pid(pid: int) -> None:
    """Stops the janus that this harness started (by its pid), waiting until it is gone."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if _comm(pid) != "janus":
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline and _comm(pid) == "janus":
            time.sleep(0.1)
