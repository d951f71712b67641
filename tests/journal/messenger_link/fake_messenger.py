"""A real HTTP server on 127.0.0.1 that plays the messenger's integration API for the journal's tests.

It answers like the messenger does by default (docs/integration-api.md): the OpenID discovery document and keys,
tokens (client credentials and authorization code, with an RS256-signed ID token), roster batches in sequence order
(409 "sequence_gap" otherwise), links and subject chats. A test can script the next answers of one endpoint
(`fake.script("POST", "/integration/v1/roster", (500, {...}), (200, None))`), stop the server to play a messenger
that is down, and read every request that arrived (`fake.requests`).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "test-journal"
CLIENT_SECRET = "test-journal-secret"
SERVER_TOKEN = "server-token"
PERSON_TOKEN = "person-token"
_KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any

    @property
    def json(self) -> Any:
        return self.body


@dataclass
class FakeMessenger:
    host: str = "127.0.0.1"
    requests: list[Recorded] = field(default_factory=list)
    scripted: dict[tuple[str, str], deque[tuple[int, Any]]] = field(default_factory=lambda: defaultdict(deque))
    sequences: dict[str, int] = field(default_factory=dict)  # school → last applied roster sequence
    answers: dict[str, Any] = field(default_factory=dict)  # Idempotency-Key → the first answer
    nonce: str = ""
    subject: str = "501"
    profile_name: str = "Смирнова Анна Петровна"
    delay: float = 0.0  # seconds every answer waits (a slow messenger)
    server: ThreadingHTTPServer | None = None
    port: int = 0

    # --- control ---------------------------------------------------------------------------------------------------

    def start(self) -> FakeMessenger:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def do_DELETE(self) -> None:
                fake._handle(self, "DELETE")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        """The messenger goes down; `start()` brings it back on the same port."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def script(self, method: str, path: str, *answers: tuple[int, Any]) -> None:
        """The next answers to this request, in order: (status, JSON-able body, or bytes sent as they are)."""
        self.scripted[(method, path)].extend(answers)

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]

    # --- the messenger ---------------------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parsed = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        content_type = handler.headers.get("Content-Type", "")
        if "json" in content_type and raw:
            body: Any = json.loads(raw)
        elif raw:
            body = dict(urllib.parse.parse_qsl(raw.decode()))
        else:
            body = None
        headers = {name.lower(): value for name, value in handler.headers.items()}
        record = Recorded(method, parsed.path, urllib.parse.parse_qs(parsed.query), headers, body)
        self.requests.append(record)
        if self.delay:
            time.sleep(self.delay)
        queue = self.scripted.get((method, parsed.path))
        status, answer = queue.popleft() if queue else self._default(record)
        data = answer if isinstance(answer, bytes) else b"" if answer is None else json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _default(self, r: Recorded) -> tuple[int, Any]:
        issuer = f"{self.url}/o"
        if r.path == "/o/.well-known/openid-configuration":
            return 200, {
                "issuer": issuer,
                "authorization_endpoint": f"{issuer}/authorize/",
                "token_endpoint": f"{issuer}/token/",
                "jwks_uri": f"{issuer}/.well-known/jwks.json",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        if r.path == "/o/.well-known/jwks.json":
            return 200, KeySet([_KEY]).as_dict(private=False)
        if r.path == "/o/token/":
            return self._token(r, issuer)
        if r.path == "/integration/v1/roster" and r.method == "POST":
            return self._roster(r)
        if r.path == "/integration/v1/link" and r.method == "POST":
            return 200, {
                "profile_id": int(self.subject),
                "confirmed_roles": r.body["roles"],
                "chats_url": f"{self.url}/chats/",
            }
        if r.path == "/integration/v1/link" and r.method == "DELETE":
            return 204, None
        if r.path == "/integration/v1/subject-chats" and r.method == "POST":
            return 200, {"chat_id": 77, "name": "7Б — Математика", "url": f"{self.url}/chats/77/"}
        if r.path == "/integration/v1/subject-chats" and r.method == "GET":
            return 200, []
        return 404, {"detail": "Not Found"}

    def _token(self, r: Recorded, issuer: str) -> tuple[int, Any]:
        form = r.body or {}
        if form.get("grant_type") == "client_credentials":
            return 200, {"access_token": SERVER_TOKEN, "token_type": "Bearer", "expires_in": 3600, "scope": "roster"}
        if (
            form.get("grant_type") == "authorization_code"
            and form.get("code") == "good-code"
            and form.get("code_verifier")
        ):
            now = int(time.time())
            claims = {
                "iss": issuer,
                "sub": self.subject,
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 300,
                "nonce": self.nonce,
                "name": self.profile_name,
            }
            id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, _KEY)
            return 200, {"access_token": PERSON_TOKEN, "token_type": "Bearer", "expires_in": 3600, "id_token": id_token}
        return 400, {"error": "invalid_grant", "error_description": "The code is not valid."}

    def _roster(self, r: Recorded) -> tuple[int, Any]:
        """Like the messenger: in sequence order, once; a full batch may skip ahead; a gap answers 409."""
        batch = r.body
        school = batch["school"]["external_id"]
        key = r.headers.get("idempotency-key", "")
        if key in self.answers:
            return 200, {**self.answers[key], "duplicate": True}
        applied = self.sequences.get(school, 0)
        if batch["sequence"] <= applied:
            return 200, {"school_id": school, "applied_sequence": applied, "duplicate": True}
        if batch["sequence"] > applied + 1 and not batch["full"]:
            return 409, {
                "code": "sequence_gap",
                "message": "Пропущен пакет.",
                "help_url": None,
                "expected_sequence": applied + 1,
            }
        self.sequences[school] = batch["sequence"]
        self.answers[key] = {"school_id": school, "applied_sequence": batch["sequence"], "duplicate": False}
        return 200, self.answers[key]

    def roster_batches(self) -> list[dict[str, Any]]:
        return [r.body for r in self.calls("POST", "/integration/v1/roster")]
