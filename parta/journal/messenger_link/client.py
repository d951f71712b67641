"""The messenger's integration API as the journal calls it (docs/integration-api.md): one typed function per use.

Two kinds of calls:
- for a person, with the person's access token from the authorization code flow (scopes openid, profile, link):
  `alink` (POST /link);
- for the journal's server, with a token of the client credentials grant (scope roster): `send_roster`,
  `create_subject_chat`, `send_catch_up` (the workers), `alist_subject_chats`, `aunlink`, `acreate_lesson_call`,
  `aget_lesson_call` (pages). The token is kept in this process until shortly before it expires.

Only this module knows the API's paths and answers: each function takes and returns the shared pydantic types
(parta/common/integration/schemas.py). Pages call the async functions (a slow messenger must not hold up the
journal's other requests, and both sites may share one process); the outbox worker uses the sync ones. A failure is
one of two exceptions: `Unavailable` (nothing reached the messenger, it broke, or its answer is not what the API
promises: try again later) or `Refused` (it answered no, with an ApiError).
"""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import authlib.deprecate  # noqa: F401 - first: it installs an "always" filter that ours below must precede
import httpx
from django.conf import settings
from pydantic import BaseModel, TypeAdapter, ValidationError

from parta.common.integration.schemas import (
    API_VERSION,
    IDEMPOTENCY_HEADER,
    ApiError,
    CatchUpRequest,
    CatchUpResult,
    ChatRef,
    LessonCallRef,
    LessonCallRequest,
    LinkRequest,
    LinkResult,
    RosterResult,
    SubjectChatRef,
    SubjectChatRequest,
)

with warnings.catch_warnings():
    # authlib nags (always, on stderr) that it would prefer the `httpx2` fork; plain httpx is what is installed.
    warnings.filterwarnings("ignore", message="The httpx module is deprecated", category=DeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuth2Client

SERVER_SCOPE = "roster"
PERSON_SCOPES = "openid profile link"
_TOKEN_MARGIN_SECONDS = 30  # a kept server token is renewed this long before it expires


class Unavailable(Exception):
    """The messenger did not answer in time, could not be reached, or failed (5xx)."""


class Refused(Exception):
    """The messenger answered 4xx; `error` is its ApiError (code, Russian message, help link)."""

    def __init__(self, status: int, error: ApiError, body: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {error.code}: {error.message}")
        self.status = status
        self.error = error
        self.body = body or {}


@dataclass(frozen=True)
class Config:
    """Where the messenger is and who the journal is there (settings: MESSENGER_URL, MESSENGER_CLIENT_*)."""

    base_url: str
    client_id: str
    client_secret: str
    connect_timeout: float
    timeout: float

    @classmethod
    def from_settings(cls) -> Config:
        return cls(
            base_url=settings.MESSENGER_URL.rstrip("/"),
            client_id=settings.MESSENGER_CLIENT_ID,
            client_secret=settings.MESSENGER_CLIENT_SECRET,
            connect_timeout=settings.MESSENGER_CONNECT_TIMEOUT,
            timeout=settings.MESSENGER_TIMEOUT,
        )

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.client_id and self.client_secret)

    @property
    def httpx_timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.timeout, connect=self.connect_timeout)

    def api(self, path: str) -> str:
        return f"{self.base_url}/integration/{API_VERSION}{path}"

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/o"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/token/"

    @property
    def chats_url(self) -> str:
        return f"{self.base_url}/chats/"


# --- answers ---------------------------------------------------------------------------------------------------------


def check(response: httpx.Response) -> Any:
    """The answer's JSON (None when there is none), or the exception its status means."""
    if response.status_code >= 500:
        raise Unavailable(f"HTTP {response.status_code}")
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None  # not JSON: a typed answer below fails its validation, a refusal keeps its status
    if response.status_code >= 400:
        raise Refused(
            response.status_code, _api_error(response.status_code, body), body if isinstance(body, dict) else None
        )
    return body


def _api_error(status: int, body: Any) -> ApiError:
    if isinstance(body, dict):
        try:
            return ApiError.model_validate(body)
        except ValueError:
            pass
        detail = body.get("detail")  # a framework's own error shape (e.g. an unknown path)
        if isinstance(detail, str):
            return ApiError(code=f"http_{status}", message=detail)
    return ApiError(code=f"http_{status}", message=f"HTTP {status}")


def transport_error(error: Exception) -> Unavailable:
    return Unavailable(f"{type(error).__name__}: {error}")


# --- the server's token (client credentials) --------------------------------------------------------------------------


class _TokenCache:
    """The server token, shared by the threads of one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: str = ""
        self._expires_at = 0.0
        self._key: tuple[str, str, str] = ("", "", "")

    def get(self, config: Config) -> str | None:
        with self._lock:
            key = (config.base_url, config.client_id, config.client_secret)
            if self._key == key and self._token and time.monotonic() < self._expires_at:
                return self._token
            return None

    def put(self, config: Config, token: dict[str, Any]) -> str:
        expires_in = float(token.get("expires_in") or 300)
        with self._lock:
            self._key = (config.base_url, config.client_id, config.client_secret)
            self._token = str(token["access_token"])
            self._expires_at = time.monotonic() + max(expires_in - _TOKEN_MARGIN_SECONDS, 1.0)
            return self._token

    def forget(self) -> None:
        with self._lock:
            self._token = ""


server_tokens = _TokenCache()


def server_token(config: Config) -> str:
    if (token := server_tokens.get(config)) is not None:
        return token
    try:
        with OAuth2Client(
            config.client_id, config.client_secret, scope=SERVER_SCOPE, timeout=config.httpx_timeout, trust_env=False
        ) as oauth:
            fetched = oauth.fetch_token(config.token_url, grant_type="client_credentials")
    except httpx.HTTPError as error:
        raise transport_error(error) from error
    except Exception as error:  # authlib's OAuthError: the messenger refused the credentials
        raise _token_refused(error) from error
    return server_tokens.put(config, fetched)


async def aserver_token(config: Config) -> str:
    if (token := server_tokens.get(config)) is not None:
        return token
    try:
        async with AsyncOAuth2Client(
            config.client_id, config.client_secret, scope=SERVER_SCOPE, timeout=config.httpx_timeout, trust_env=False
        ) as oauth:
            fetched = await oauth.fetch_token(config.token_url, grant_type="client_credentials")
    except httpx.HTTPError as error:
        raise transport_error(error) from error
    except Exception as error:
        raise _token_refused(error) from error
    return server_tokens.put(config, fetched)


def _token_refused(error: Exception) -> Exception:
    description = getattr(error, "description", "") or str(error)
    code = getattr(error, "error", "") or "token_refused"
    if isinstance(error, Unavailable | Refused):
        return error
    return Refused(401, ApiError(code=str(code), message=str(description)))


# --- requests ---------------------------------------------------------------------------------------------------------

Answer = TypeVar("Answer", bound=BaseModel)


def _parsed(answer: type[Answer], body: Any, what: str) -> Answer:
    """The answer as its schema; one that is not (a broken or foreign server) is `Unavailable`, like a 5xx."""
    try:
        return answer.model_validate(body)
    except ValidationError as error:
        raise Unavailable(f"{what}: the answer is not a {answer.__name__}") from error


def _server_headers(token: str, idempotency_key: str) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if idempotency_key:
        headers[IDEMPOTENCY_HEADER] = idempotency_key
    return headers


def _server_request(
    config: Config,
    method: str,
    path: str,
    *,
    json: Any = None,
    idempotency_key: str = "",
    params: dict[str, str] | None = None,
) -> Any:
    """One call with the server's token; a token the messenger no longer accepts is renewed once."""
    for attempt in (1, 2):
        headers = _server_headers(server_token(config), idempotency_key)
        try:
            with httpx.Client(timeout=config.httpx_timeout, trust_env=False) as http:
                response = http.request(method, config.api(path), json=json, headers=headers, params=params)
        except httpx.HTTPError as error:
            raise transport_error(error) from error
        if response.status_code == 401 and attempt == 1:
            server_tokens.forget()
            continue
        return check(response)
    raise AssertionError("unreachable")


async def _aserver_request(
    config: Config, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None
) -> Any:
    for attempt in (1, 2):
        headers = _server_headers(await aserver_token(config), "")
        try:
            async with httpx.AsyncClient(timeout=config.httpx_timeout, trust_env=False) as http:
                response = await http.request(method, config.api(path), json=json, headers=headers, params=params)
        except httpx.HTTPError as error:
            raise transport_error(error) from error
        if response.status_code == 401 and attempt == 1:
            server_tokens.forget()
            continue
        return check(response)
    raise AssertionError("unreachable")


async def _aperson_request(config: Config, method: str, path: str, *, access_token: str, json: Any = None) -> Any:
    """A call for the person, with their access token."""
    try:
        async with httpx.AsyncClient(timeout=config.httpx_timeout, trust_env=False) as http:
            response = await http.request(
                method, config.api(path), json=json, headers={"Authorization": f"Bearer {access_token}"}
            )
    except httpx.HTTPError as error:
        raise transport_error(error) from error
    return check(response)


# --- the outbox worker (sync) ----------------------------------------------------------------------------------------


def send_roster(config: Config, *, batch: dict[str, Any], idempotency_key: str) -> RosterResult:
    """POST /roster: one batch as the outbox keeps it (a RosterBatch in JSON form)."""
    body = _server_request(config, "POST", "/roster", json=batch, idempotency_key=idempotency_key)
    return _parsed(RosterResult, body, "POST /roster")


def create_subject_chat(config: Config, *, request: SubjectChatRequest, idempotency_key: str) -> ChatRef:
    """POST /subject-chats: the chat is made (or, asked again, the one made before is returned)."""
    body = _server_request(
        config, "POST", "/subject-chats", json=request.model_dump(mode="json"), idempotency_key=idempotency_key
    )
    return _parsed(ChatRef, body, "POST /subject-chats")


def send_catch_up(config: Config, *, call_id: str, request: CatchUpRequest) -> CatchUpResult:
    """POST /calls/{id}/catch-up: the recorded lesson to the students who missed it (idempotent per recording and
    person). Refused `recording_not_ready` means try again later; the other refusals are final."""
    body = _server_request(
        config, "POST", f"/calls/{quote(call_id, safe='')}/catch-up", json=request.model_dump(mode="json")
    )
    return _parsed(CatchUpResult, body, f"POST /calls/{call_id}/catch-up")


# --- pages (async) ---------------------------------------------------------------------------------------------------


async def alink(config: Config, *, access_token: str, request: LinkRequest) -> LinkResult:
    """POST /link for the person whose token this is."""
    body = await _aperson_request(
        config, "POST", "/link", access_token=access_token, json=request.model_dump(mode="json")
    )
    return _parsed(LinkResult, body, "POST /link")


async def aunlink(config: Config, *, person_id: str) -> None:
    """DELETE /link: the messenger forgets the person's link (Refused `not_linked` when there is none)."""
    await _aserver_request(config, "DELETE", "/link", params={"person_id": person_id})


_SUBJECT_CHATS = TypeAdapter(list[SubjectChatRef])


async def alist_subject_chats(config: Config, *, school_id: str) -> list[SubjectChatRef]:
    """GET /subject-chats of one school (a list, or a page with `items`)."""
    body = await _aserver_request(config, "GET", "/subject-chats", params={"school_id": school_id})
    items = body.get("items", []) if isinstance(body, dict) else body
    try:
        return _SUBJECT_CHATS.validate_python(items or [])
    except ValidationError as error:
        raise Unavailable("GET /subject-chats: the answer is not a list of SubjectChatRef") from error


async def acreate_lesson_call(config: Config, *, request: LessonCallRequest) -> LessonCallRef:
    """POST /calls: the lesson's call (idempotent per lesson)."""
    body = await _aserver_request(config, "POST", "/calls", json=request.model_dump(mode="json"))
    return _parsed(LessonCallRef, body, "POST /calls")


async def aget_lesson_call(config: Config, *, call_id: str) -> LessonCallRef:
    """GET /calls/{id}: the call's state and, once it has ended, who attended."""
    body = await _aserver_request(config, "GET", f"/calls/{quote(call_id, safe='')}")
    return _parsed(LessonCallRef, body, f"GET /calls/{call_id}")
