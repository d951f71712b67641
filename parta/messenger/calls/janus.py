"""The messenger's side of Janus (VideoRoom plugin): servers, tokens, rooms — over Janus's plain HTTP API.

Every request carries a core `token_auth` token signed with the server's `token_secret`; rooms are created with the
VideoRoom `admin_key`, are private, admit publishers only with a token from the room's `allowed` list, and admit
subscribers only with the `private_id` of a publisher that is in the room (`require_pvtid`).

Facts checked on the real Janus 1.1.2 (API ones kept true by tests/messenger/calls/test_janus.py; the media ones
were tried with real WebRTC peers in a network namespace):
- Core token: missing, bad or expired → `{"janus": "error", "error": {"code": 403}}` with HTTP 200; `GET /info`
  answers without one.
- `create` without `admin_key` → 429 (missing element), with a wrong one → 433.
- `allowed` (the room's ACL) is checked for *publisher* joins only: no token, an unknown one or a removed one → 433
  "Unauthorized (not in the allowed list)". Subscriber joins never look at `allowed` (by Janus's design); what
  guards them is `require_pvtid`: without the `private_id` of a publisher in the room → 433 "Unauthorized (this
  room requires a valid private_id)". So a browser joins as a publisher first (with its room token, even if it
  publishes nothing) and passes that join's `private_id` in every subscriber join.
- A publisher join with a given `id` is accepted and that id becomes the feed id; the same id again → 436.
- `kick` needs the room secret (wrong → 433); a feed that is not there → 428. The kicked handle gets
  `leaving: ok, reason: kicked` and its PeerConnection is closed; the others get `kicked: id`. The kicked person's
  *subscriptions* (other handles of their Janus session) keep receiving media: kicking does not close them. Their
  `private_id` is dead, so they cannot subscribe again. `evict` (admin API `destroy_session` of the sessions
  holding the feed or subscriptions with its private_id) does close them: tried, the subscriber's PeerConnection
  went to "closed" within a second while the other publisher stayed connected.
- Admin API `handle_info` shows, per VideoRoom handle, `plugin_specific` = {type: publisher, room, id, private_id,
  display, streams: [{type, mid, …}]} or {type: subscriber, room, private_id, streams: [{feed_id, feed_mid, …}]}.
- `moderate` needs the room secret and an existing `mid` of the feed (else 428 "No such stream"); the publisher and
  the others get `{"id", "mid", "moderation": "muted"|"unmuted"}`. Mids are the publisher's SDP mids: a feed
  publishing audio then video has "0" audio and "1" video, a video-only feed (a screen) has "0" video — so they
  depend on what the page published; `mute` looks them up.
- `listparticipants` in 1.1.2 answers `id`, `display`, `publisher` (and `talking`) only — no streams. The streams
  (type, mid, codec) are in the admin API's `handle_info` and in the `publishers` list a joining publisher gets;
  `feed_streams` reads the first when the server has an admin API, else the second.
- `destroy` of a room that is gone → 426.
- Recording (docs/recording.md): `enable_recording` needs the room secret (none → 429, wrong → 433) and answers
  `{"videoroom": "success", "record": true|false}`. On, every stream of every publisher in the room gets a file
  `<rec_dir>/videoroom-<room>-user-<feed>-<µs since the epoch>-<audio|video>-<mindex>.mjr`, and a publisher that
  starts publishing later (joins, or publishes again) is recorded too, into a new file. Off: the files are closed
  before the answer comes (complete at once). `edit` with `new_rec_dir` (secret needed) changes where the *next*
  files go — files being written stay where they are — and Janus makes the folder (with its parents) when it opens
  a file. A folder Janus cannot write gives no error to the API (only no files). A kicked publisher's files close at
  once; `destroy` closes them a moment *after* its answer, so stop recording before destroying a room.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Literal, Self

import httpx
from django.conf import settings

PLUGIN = "janus.plugin.videoroom"

# VideoRoom error codes (janus_videoroom.c) that the client treats as "already so".
ERROR_NO_SUCH_ROOM = 426
ERROR_NO_SUCH_FEED = 428
ERROR_UNAUTHORIZED = 433
ERROR_ID_EXISTS = 436

# The messenger's own requests carry a token that lives this long.
OWN_TOKEN_SECONDS = 5 * 60
# The `display` of the messenger's own short joins (feed_streams); the call page ignores participants showing it.
SERVER_DISPLAY = '{"k": "server"}'
REACHABLE_TIMEOUT = 1.0  # seconds for the /info probe
REACHABLE_CACHE_SECONDS = 3.0


@dataclass(frozen=True)
class JanusServer:
    name: str
    url: str  # the HTTP API as the messenger reaches it, e.g. http://127.0.0.1:8188/janus
    public_url: str  # the same as browsers reach it
    admin_key: str
    token_secret: str
    admin_url: str = ""  # Janus's admin API (optional), e.g. http://127.0.0.1:8189/admin
    admin_secret: str = ""

    @property
    def has_admin_api(self) -> bool:
        return bool(self.admin_url and self.admin_secret)


class JanusUnavailable(Exception):
    """The server could not be reached, timed out, or failed (HTTP 5xx, broken answer)."""


class JanusError(Exception):
    """Janus or the VideoRoom plugin answered with an error."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def configured_servers() -> list[JanusServer]:
    return [
        JanusServer(
            name=str(entry["name"]),
            url=str(entry["url"]).rstrip("/"),
            public_url=str(entry.get("public_url") or entry["url"]).rstrip("/"),
            admin_key=str(entry["admin_key"]),
            token_secret=str(entry["token_secret"]),
            admin_url=str(entry.get("admin_url") or "").rstrip("/"),
            admin_secret=str(entry.get("admin_secret") or ""),
        )
        for entry in settings.CALLS_JANUS_SERVERS
    ]


def server_by_name(name: str) -> JanusServer | None:
    return next((server for server in configured_servers() if server.name == name), None)


def api_token(server: JanusServer, *, expires_at: datetime) -> str:
    """A Janus core token (token_auth with token_auth_secret) for the VideoRoom plugin, valid until `expires_at`."""
    data = f"{int(expires_at.timestamp())},janus,{PLUGIN}"
    digest = hmac.new(server.token_secret.encode(), data.encode(), hashlib.sha1).digest()
    return f"{data}:{base64.b64encode(digest).decode()}"


def new_room_token() -> str:
    return secrets.token_urlsafe(24)


def new_feed_id() -> int:
    return secrets.randbelow(2**52 - 1) + 1


def new_room_id() -> int:
    return secrets.randbelow(2**52 - 1) + 1


def _transaction() -> str:
    return secrets.token_hex(12)


def _own_token(server: JanusServer) -> str:
    return api_token(server, expires_at=datetime.now(UTC) + timedelta(seconds=OWN_TOKEN_SECONDS))


def _client(timeout: float) -> httpx.Client:
    return httpx.Client(timeout=timeout, trust_env=False)


def _answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON of a Janus answer; core errors raise JanusError, server failures JanusUnavailable."""
    if response.status_code >= 500:
        raise JanusUnavailable(f"HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError as not_json:
        raise JanusUnavailable(f"not JSON (HTTP {response.status_code})") from not_json
    if not isinstance(answer, dict):
        raise JanusUnavailable("not a JSON object")
    if answer.get("janus") == "error":
        error = answer.get("error") or {}
        raise JanusError(error.get("code"), str(error.get("reason", "")))
    if response.status_code >= 400:
        raise JanusError(response.status_code, response.text[:200])
    return answer


def _plugin_data(answer: Mapping[str, Any]) -> dict[str, Any]:
    """The VideoRoom part of an answer or event; its errors raise JanusError."""
    data = dict((answer.get("plugindata") or {}).get("data") or {})
    if "error_code" in data:
        raise JanusError(data.get("error_code"), str(data.get("error", "")))
    return data


class VideoRoom:
    """One Janus session with one VideoRoom handle; use as a context manager (destroyed on exit).

    Raises JanusUnavailable when the server cannot be reached and JanusError when it refuses.
    """

    def __init__(self, server: JanusServer) -> None:
        self.server = server
        self._http = _client(settings.CALLS_JANUS_TIMEOUT)
        self._session_id: int | None = None
        self._handle_id: int | None = None

    def __enter__(self) -> Self:
        try:
            created = self._post(self.server.url, {"janus": "create"})
            self._session_id = int(created["data"]["id"])
            self._handle_id = self._attach()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Destroys the session (best effort: Janus drops it after its session timeout anyway)."""
        if self._session_id is not None:
            with contextlib.suppress(JanusError, JanusUnavailable):
                self._post(self._session_url(), {"janus": "destroy"})
            self._session_id = self._handle_id = None
        self._http.close()

    # -- rooms ---------------------------------------------------------------------------------------------------

    def create_room(
        self,
        *,
        room_id: int,
        secret: str,
        description: str,
        allowed: Sequence[str],
        publishers: int,
        require_private_id: bool = True,
        rec_dir: str = "",
    ) -> None:
        """A private room (VP8 + Opus) that admits publishers with a token from `allowed` and, with
        `require_private_id`, subscribers with the `private_id` of a publisher in it. Not recorded until
        `record_into`; `rec_dir` is where it would record (the room's recordings folder)."""
        recording: dict[str, Any] = {"record": False, **({"rec_dir": rec_dir} if rec_dir else {})}
        self.request(
            {
                **recording,
                "request": "create",
                "room": room_id,
                "permanent": False,
                "description": description[:100],
                "secret": secret,
                "is_private": True,
                "allowed": list(allowed),
                "publishers": publishers,
                "audiocodec": "opus",
                "videocodec": "vp8",
                "notify_joining": True,
                "require_pvtid": require_private_id,
                "admin_key": self.server.admin_key,
            }
        )

    def destroy_room(self, *, room_id: int, secret: str) -> None:
        """Destroys the room (kicking everyone in it); a room that is already gone is no error."""
        try:
            self.request({"request": "destroy", "room": room_id, "secret": secret, "permanent": False})
        except JanusError as error:
            if error.code != ERROR_NO_SUCH_ROOM:
                raise

    def set_rec_dir(self, *, room_id: int, secret: str, rec_dir: str) -> None:
        """Where the room's *next* recording files go (`edit` with `new_rec_dir`); open files stay where they are."""
        self.request({"request": "edit", "room": room_id, "secret": secret, "new_rec_dir": rec_dir})

    def enable_recording(self, *, room_id: int, secret: str, record: bool) -> bool:
        """Turns the recording of every publisher in the room on or off; answers what Janus says it is now. Off
        closes the files before answering."""
        data = self.request({"request": "enable_recording", "room": room_id, "secret": secret, "record": record})
        return bool(data.get("record"))

    def record_into(self, *, room_id: int, secret: str, rec_dir: str) -> None:
        """Starts recording the room into `rec_dir` (a folder of its own per recording): `edit` then
        `enable_recording`. Raises JanusError when Janus does not say it records."""
        self.set_rec_dir(room_id=room_id, secret=secret, rec_dir=rec_dir)
        if not self.enable_recording(room_id=room_id, secret=secret, record=True):
            raise JanusError(None, "enable_recording did not turn recording on")

    def recording_state(self, *, room_id: int) -> tuple[bool, str]:
        """(whether the room records, its rec_dir) from `list` with the admin key (the room is private)."""
        data = self.request({"request": "list", "admin_key": self.server.admin_key})
        for entry in data.get("list") or []:
            if entry.get("room") == room_id:
                return bool(entry.get("record")), str(entry.get("rec_dir") or "")
        raise JanusError(ERROR_NO_SUCH_ROOM, "no such room")

    def allow(self, *, room_id: int, secret: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> None:
        """Adds tokens to, and removes tokens from, the room's `allowed` list (its ACL for joins)."""
        for action, tokens in (("add", add), ("remove", remove)):
            if tokens:
                self.request(
                    {"request": "allowed", "room": room_id, "secret": secret, "action": action, "allowed": list(tokens)}
                )

    def kick(self, *, room_id: int, secret: str, feed_id: int) -> None:
        """Removes a participant (publisher feed) from the room; one who is not there is no error."""
        try:
            self.request({"request": "kick", "room": room_id, "secret": secret, "id": feed_id})
        except JanusError as error:
            if error.code not in (ERROR_NO_SUCH_FEED, ERROR_NO_SUCH_ROOM):
                raise

    def moderate(self, *, room_id: int, secret: str, feed_id: int, mid: str, mute: bool) -> None:
        """Mutes (or unmutes) one stream of a publisher on the server; see `mute` for streams by kind."""
        self.request(
            {"request": "moderate", "room": room_id, "secret": secret, "id": feed_id, "mid": mid, "mute": mute}
        )

    def mute(
        self, *, room_id: int, secret: str, feed_id: int, kind: Literal["audio", "video"], mute: bool
    ) -> list[str]:
        """Mutes (or unmutes) every `kind` ("audio" or "video") stream the feed publishes now; answers their mids
        ([] when it publishes none: moderation is per stream, so a stream published later starts unmuted)."""
        mids = [
            str(s["mid"])
            for s in self.feed_streams(room_id=room_id, secret=secret).get(feed_id, [])
            if s.get("type") == kind
        ]
        for mid in mids:
            try:
                self.moderate(room_id=room_id, secret=secret, feed_id=feed_id, mid=mid, mute=mute)
            except JanusError as error:
                if error.code != ERROR_NO_SUCH_FEED:  # unpublished meanwhile
                    raise
        return mids

    def feed_streams(self, *, room_id: int, secret: str) -> dict[int, list[dict[str, Any]]]:
        """The feeds publishing in the room → their streams (`type`, `mid`, `codec`, …).

        Read from the admin API when the server has one; else (Janus 1.1 tells streams only to a joining publisher)
        by joining for a moment as a publisher that publishes nothing, with a one-off token: the participants then
        see it join and leave (`display` is SERVER_DISPLAY; the call page ignores it).
        """
        if self.server.has_admin_api:
            return {
                int(handle["id"]): list(handle.get("streams") or [])
                for _, handle in self._room_handles(room_id)
                if handle.get("type") == "publisher" and handle.get("streams")
            }
        token = new_room_token()
        self.allow(room_id=room_id, secret=secret, add=[token])
        handle_id = self._attach()
        try:
            joined = self._async_request(
                handle_id,
                {"request": "join", "ptype": "publisher", "room": room_id, "token": token, "display": SERVER_DISPLAY},
            )
            with contextlib.suppress(JanusError):  # leave first: the others then get `leaving`, not `unpublished`
                self._async_request(handle_id, {"request": "leave"})
                self._post(f"{self._session_url()}/{handle_id}", {"janus": "detach"})
        finally:
            self.allow(room_id=room_id, secret=secret, remove=[token])
        return {int(feed["id"]): list(feed.get("streams") or []) for feed in joined.get("publishers") or []}

    def evict(self, *, room_id: int, feed_ids: Collection[int]) -> int:
        """Cuts off the people behind these feeds: destroys (admin API) every Janus session that holds one of the
        feeds or a subscription made with such a feed's `private_id` — their publishers leave the room and their
        subscriptions stop, which `kick` alone does not do. Call it *before* kicking (a kicked publisher's
        private_id is no longer known). Answers the number of sessions destroyed; 0 without an admin API.
        """
        if not self.server.has_admin_api or not feed_ids:
            return 0
        handles = self._room_handles(room_id)
        owners = [(session, h) for session, h in handles if h.get("type") == "publisher" and h.get("id") in feed_ids]
        private_ids = {h.get("private_id") for _, h in owners}
        doomed = {session for session, _ in owners} | {
            session for session, h in handles if h.get("type") == "subscriber" and h.get("private_id") in private_ids
        }
        for session in doomed:
            with contextlib.suppress(JanusError):  # gone meanwhile
                self._admin(f"/{session}", {"janus": "destroy_session"})
        return len(doomed)

    def participants(self, *, room_id: int) -> list[dict[str, Any]]:
        """`listparticipants`: per participant `id`, `display`, `publisher` (1.1.2: no streams)."""
        data = self.request({"request": "listparticipants", "room": room_id})
        return list(data.get("participants") or [])

    def exists(self, *, room_id: int) -> bool:
        return bool(self.request({"request": "exists", "room": room_id}).get("exists"))

    # -- plumbing ------------------------------------------------------------------------------------------------

    def request(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """A synchronous VideoRoom request; answers the plugin's data, raises JanusError on its errors."""
        if self._handle_id is None:
            raise RuntimeError("VideoRoom is used outside its `with` block")
        answer = self._post(f"{self._session_url()}/{self._handle_id}", {"janus": "message", "body": dict(body)})
        data = _plugin_data(answer)
        if answer.get("janus") != "success":
            raise JanusError(None, f"unexpected answer {answer.get('janus')!r}")
        return data

    def _admin(self, path: str, message: dict[str, Any]) -> dict[str, Any]:
        body = {**message, "transaction": _transaction(), "admin_secret": self.server.admin_secret}
        try:
            response = self._http.post(f"{self.server.admin_url}{path}", json=body)
        except httpx.HTTPError as error:
            raise JanusUnavailable(f"{self.server.name} (admin API): {error!r}") from error
        return _answer(response)

    def _room_handles(self, room_id: int) -> list[tuple[int, dict[str, Any]]]:
        """(session id, the VideoRoom's view of the handle) for every handle in the room, from the admin API:
        publishers have `id`, `private_id`, `display`, `streams`; subscribers `private_id` and `streams`."""
        found = []
        for session in self._admin("", {"janus": "list_sessions"}).get("sessions") or []:
            try:
                handle_ids = self._admin(f"/{session}", {"janus": "list_handles"}).get("handles") or []
            except JanusError:  # the session ended meanwhile
                continue
            for handle_id in handle_ids:
                try:
                    info = self._admin(f"/{session}/{handle_id}", {"janus": "handle_info"}).get("info") or {}
                except JanusError:
                    continue
                handle = info.get("plugin_specific") or {}
                if info.get("plugin") == PLUGIN and handle.get("room") == room_id:
                    found.append((int(session), handle))
        return found

    def _attach(self) -> int:
        return int(self._post(self._session_url(), {"janus": "attach", "plugin": PLUGIN})["data"]["id"])

    def _async_request(self, handle_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        """An asynchronous VideoRoom request (`join`): waits for its event on the session's long poll."""
        answer = self._post(f"{self._session_url()}/{handle_id}", {"janus": "message", "body": dict(body)})
        deadline = time.monotonic() + settings.CALLS_JANUS_TIMEOUT
        while answer.get("janus") != "event" or answer.get("sender") != handle_id:
            if time.monotonic() > deadline:
                raise JanusUnavailable(f"{self.server.name}: no answer to {body.get('request')!r}")
            answer = self._get_event()
        return _plugin_data(answer)

    def _get_event(self) -> dict[str, Any]:
        params = {"maxev": "1", "rid": str(time.time_ns()), "token": _own_token(self.server)}
        try:
            response = self._http.get(self._session_url(), params=params)
        except httpx.HTTPError as error:
            raise JanusUnavailable(f"{self.server.name}: {error!r}") from error
        return _answer(response)

    def _session_url(self) -> str:
        return f"{self.server.url}/{self._session_id}"

    def _post(self, url: str, message: dict[str, Any]) -> dict[str, Any]:
        message = {**message, "transaction": _transaction(), "token": _own_token(self.server)}
        try:
            response = self._http.post(url, json=message)
        except httpx.HTTPError as error:
            raise JanusUnavailable(f"{self.server.name}: {error!r}") from error
        return _answer(response)


# -- server choice -----------------------------------------------------------------------------------------------

_reachable_cache: dict[tuple[str, str], tuple[float, bool]] = {}
_reachable_lock = threading.Lock()


def is_reachable(server: JanusServer) -> bool:
    """Whether the server answers `GET {url}/info` within about a second; the answer is cached for ~3 s."""
    key = (server.name, server.url)
    now = time.monotonic()
    with _reachable_lock:
        cached = _reachable_cache.get(key)
    if cached is not None and now - cached[0] < REACHABLE_CACHE_SECONDS:
        return cached[1]
    try:
        with _client(REACHABLE_TIMEOUT) as http:
            response = http.get(f"{server.url}/info")
        reachable = response.status_code == 200 and response.json().get("janus") == "server_info"
    except (httpx.HTTPError, ValueError, AttributeError):
        reachable = False
    with _reachable_lock:
        _reachable_cache[key] = (time.monotonic(), reachable)
    return reachable


def forget_reachability() -> None:
    """Drops the cached probe results (tests, or after a server came back)."""
    with _reachable_lock:
        _reachable_cache.clear()


def choose_server(load: Mapping[str, int]) -> JanusServer | None:
    """The reachable server with the least load (`load`: server name → e.g. participants present); ties go to the
    first configured; None when no server is reachable."""
    reachable = [server for server in configured_servers() if is_reachable(server)]
    if not reachable:
        return None
    return min(reachable, key=lambda server: load.get(server.name, 0))
