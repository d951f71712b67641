"""The messenger's Janus client and `run_janus` against a real Janus 1.1 (VideoRoom)."""

from __future__ import annotations

import io
import re
import secrets
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import CommandError, call_command

from parta.messenger.calls import janus as janus_client
from parta.messenger.calls.janus import JanusError, JanusServer, JanusUnavailable, VideoRoom
from tests.messenger.calls.conftest import JanusPeer, JanusProcess, free_port

UNAUTHORIZED = 433


@pytest.fixture
def room(janus: JanusServer) -> Iterator[tuple[int, str, list[str]]]:
    """A room with two allowed tokens: (room id, secret, tokens); destroyed after the test."""
    room_id, secret = janus_client.new_room_id(), secrets.token_hex(8)
    tokens = [janus_client.new_room_token(), janus_client.new_room_token()]
    with VideoRoom(janus) as video_room:
        video_room.create_room(room_id=room_id, secret=secret, description="Урок", allowed=tokens, publishers=10)
    yield room_id, secret, tokens
    with VideoRoom(janus) as video_room:
        video_room.destroy_room(room_id=room_id, secret=secret)


def test_room_is_created_seen_and_destroyed(janus: JanusServer) -> None:
    room_id, secret = janus_client.new_room_id(), "s3cret"
    with VideoRoom(janus) as video_room:
        assert not video_room.exists(room_id=room_id)
        video_room.create_room(room_id=room_id, secret=secret, description="Алгебра", allowed=[], publishers=5)
        assert video_room.exists(room_id=room_id)
        assert video_room.participants(room_id=room_id) == []
        with pytest.raises(JanusError):  # the same id again
            video_room.create_room(room_id=room_id, secret=secret, description="x", allowed=[], publishers=5)
        video_room.destroy_room(room_id=room_id, secret=secret)
        assert not video_room.exists(room_id=room_id)
        video_room.destroy_room(room_id=room_id, secret=secret)  # already gone: no error


def test_room_creation_needs_the_admin_key(janus: JanusServer, janus_peer: Callable[..., JanusPeer]) -> None:
    peer = janus_peer()
    for extra in ({}, {"admin_key": "not-the-key"}):
        answer = peer.message({"request": "create", "room": janus_client.new_room_id(), "secret": "x", **extra})
        assert answer.get("videoroom") == "event", answer
        assert answer.get("error_code") in (429, UNAUTHORIZED), answer
    answer = peer.message({"request": "create", "room": janus_client.new_room_id(), "admin_key": janus.admin_key})
    assert answer.get("videoroom") == "created", answer  # the key works, so the refusals above were about it


@pytest.mark.parametrize("token_kind", ["missing", "bad signature", "expired", "other secret"])
def test_requests_without_a_valid_core_token_are_refused(janus: JanusServer, token_kind: str) -> None:
    now = datetime.now(UTC)
    tokens = {
        "missing": None,
        "bad signature": janus_client.api_token(janus, expires_at=now + timedelta(hours=1))[:-6] + "AAAAA=",
        "expired": janus_client.api_token(janus, expires_at=now - timedelta(seconds=2)),
        "other secret": janus_client.api_token(
            JanusServer(name="x", url="", public_url="", admin_key="", token_secret="other"),
            expires_at=now + timedelta(hours=1),
        ),
    }
    message: dict[str, Any] = {"janus": "create", "transaction": "t1"}
    if tokens[token_kind] is not None:
        message["token"] = tokens[token_kind]
    with httpx.Client(trust_env=False, timeout=5) as http:
        answer = http.post(janus.url, json=message).json()
        assert answer["janus"] == "error"
        assert answer["error"]["code"] == 403
        good = janus_client.api_token(janus, expires_at=now + timedelta(minutes=1))
        created = http.post(janus.url, json={**message, "token": good}).json()
        assert created["janus"] == "success", created
        http.post(f"{janus.url}/{created['data']['id']}", json={"janus": "destroy", "transaction": "t2", "token": good})


def test_client_reports_core_refusals_as_janus_errors(janus: JanusServer) -> None:
    wrong = JanusServer(name=janus.name, url=janus.url, public_url=janus.url, admin_key="", token_secret="wrong")
    with pytest.raises(JanusError) as refused, VideoRoom(wrong):
        pass
    assert refused.value.code == 403


def test_unreachable_server_raises_unavailable(janus: JanusServer) -> None:
    gone = JanusServer(
        name="gone", url=f"http://127.0.0.1:{free_port()}/janus", public_url="", admin_key="", token_secret="x"
    )
    with pytest.raises(JanusUnavailable), VideoRoom(gone):
        pass
    assert not janus_client.is_reachable(gone)
    assert janus_client.is_reachable(janus)


def test_joins_need_a_room_token_from_the_allowed_list(
    janus: JanusServer, room: tuple[int, str, list[str]], janus_peer: Callable[..., JanusPeer]
) -> None:
    room_id, secret, (first, second) = room
    peer = janus_peer()
    assert peer.join_publisher(room_id=room_id, token=None)["error_code"] == UNAUTHORIZED
    assert peer.join_publisher(room_id=room_id, token="made-up")["error_code"] == UNAUTHORIZED
    feed_id = janus_client.new_feed_id()
    joined = peer.join_publisher(room_id=room_id, token=first, feed_id=feed_id, display='{"p": 1, "k": "camera"}')
    assert joined["videoroom"] == "joined", joined
    assert joined["id"] == feed_id  # the messenger chooses feed ids
    with VideoRoom(janus) as video_room:
        listed = video_room.participants(room_id=room_id)
        assert [(p["id"], p["display"]) for p in listed] == [(feed_id, '{"p": 1, "k": "camera"}')]
        video_room.allow(room_id=room_id, secret=secret, remove=[first])
    assert janus_peer().join_publisher(room_id=room_id, token=first)["error_code"] == UNAUTHORIZED
    assert janus_peer().join_publisher(room_id=room_id, token=second)["videoroom"] == "joined"
    with VideoRoom(janus) as video_room:
        video_room.allow(room_id=room_id, secret=secret, add=[first])
    assert janus_peer().join_publisher(room_id=room_id, token=first)["videoroom"] == "joined"


def test_the_same_feed_id_cannot_join_twice(
    room: tuple[int, str, list[str]], janus_peer: Callable[..., JanusPeer]
) -> None:
    room_id, _, (first, second) = room
    feed_id = janus_client.new_feed_id()
    assert janus_peer().join_publisher(room_id=room_id, token=first, feed_id=feed_id)["videoroom"] == "joined"
    assert janus_peer().join_publisher(room_id=room_id, token=second, feed_id=feed_id)["error_code"] == 436


def test_allowed_list_changes_need_the_room_secret(janus: JanusServer, room: tuple[int, str, list[str]]) -> None:
    room_id, _, _ = room
    with VideoRoom(janus) as video_room, pytest.raises(JanusError) as refused:
        video_room.allow(room_id=room_id, secret="wrong", add=["mine"])
    assert refused.value.code == UNAUTHORIZED


def test_kick_removes_a_feed(
    janus: JanusServer, room: tuple[int, str, list[str]], janus_peer: Callable[..., JanusPeer]
) -> None:
    room_id, secret, (first, second) = room
    kicked, stays = janus_client.new_feed_id(), janus_client.new_feed_id()
    janus_peer().join_publisher(room_id=room_id, token=first, feed_id=kicked)
    janus_peer().join_publisher(room_id=room_id, token=second, feed_id=stays)
    with VideoRoom(janus) as video_room:
        with pytest.raises(JanusError) as refused:
            video_room.kick(room_id=room_id, secret="wrong", feed_id=kicked)
        assert refused.value.code == UNAUTHORIZED
        assert {p["id"] for p in video_room.participants(room_id=room_id)} == {kicked, stays}
        video_room.kick(room_id=room_id, secret=secret, feed_id=kicked)
        assert [p["id"] for p in video_room.participants(room_id=room_id)] == [stays]
        video_room.kick(room_id=room_id, secret=secret, feed_id=kicked)  # not there any more: no error


def test_moderate_refuses_a_stream_the_feed_does_not_publish(
    janus: JanusServer, room: tuple[int, str, list[str]], janus_peer: Callable[..., JanusPeer]
) -> None:
    room_id, secret, (first, _) = room
    feed_id = janus_client.new_feed_id()
    janus_peer().join_publisher(room_id=room_id, token=first, feed_id=feed_id)
    with VideoRoom(janus) as video_room:
        with pytest.raises(JanusError) as refused:  # joined, but publishes nothing: no mid "0"
            video_room.moderate(room_id=room_id, secret=secret, feed_id=feed_id, mid="0", mute=True)
        assert refused.value.code == janus_client.ERROR_NO_SUCH_FEED
        with pytest.raises(JanusError) as refused:
            video_room.moderate(room_id=room_id, secret="wrong", feed_id=feed_id, mid="0", mute=True)
        assert refused.value.code == UNAUTHORIZED


def test_feed_streams_peeks_without_leaving_a_token_behind(
    janus: JanusServer, room: tuple[int, str, list[str]], janus_peer: Callable[..., JanusPeer], settings: Any
) -> None:
    """Without an admin API, feed_streams joins the room for a moment."""
    settings.CALLS_JANUS_SERVERS = [{**settings.CALLS_JANUS_SERVERS[0], "admin_url": "", "admin_secret": ""}]
    janus = janus_client.configured_servers()[0]
    assert not janus.has_admin_api
    room_id, secret, tokens = room
    watcher = janus_peer()
    feed_id = janus_client.new_feed_id()
    assert watcher.join_publisher(room_id=room_id, token=tokens[0], feed_id=feed_id)["videoroom"] == "joined"
    with VideoRoom(janus) as video_room:
        # Joined but not publishing: no streams, so nothing to mute (media tests cover a publishing feed).
        assert video_room.feed_streams(room_id=room_id, secret=secret) == {}
        assert video_room.mute(room_id=room_id, secret=secret, feed_id=feed_id, kind="audio", mute=True) == []
        # The one-off token of the peek is gone again: adding one more shows the whole list.
        listed = video_room.request(
            {"request": "allowed", "room": room_id, "secret": secret, "action": "add", "allowed": ["probe"]}
        )
        assert sorted(listed["allowed"]) == sorted([*tokens, "probe"])
        assert [p["id"] for p in video_room.participants(room_id=room_id)] == [feed_id]  # the peek has left
    # The watcher saw each of the two peeks join and leave, marked as the server's.
    data = [watcher.next_event()["plugindata"]["data"] for _ in range(4)]
    for joining, leaving in (data[0:2], data[2:4]):
        assert joining["joining"]["display"] == janus_client.SERVER_DISPLAY
        assert leaving["leaving"] == joining["joining"]["id"]
    with pytest.raises(TimeoutError):
        watcher.next_event(timeout=0.5)


def test_feed_streams_from_the_admin_api_are_silent(
    janus: JanusServer, room: tuple[int, str, list[str]], janus_peer: Callable[..., JanusPeer]
) -> None:
    room_id, secret, (first, _) = room
    watcher = janus_peer()
    feed_id = janus_client.new_feed_id()
    watcher.join_publisher(room_id=room_id, token=first, feed_id=feed_id)
    with VideoRoom(janus) as video_room:
        assert video_room.feed_streams(room_id=room_id, secret=secret) == {}  # joined, publishing nothing
        handles = video_room._room_handles(room_id)
    assert [(h["type"], h["id"]) for _, h in handles] == [("publisher", feed_id)]
    with pytest.raises(TimeoutError):  # nobody was told about anything
        watcher.next_event(timeout=0.5)


def test_evict_ends_the_janus_sessions_of_the_given_feeds_only(
    janus: JanusServer, room: tuple[int, str, list[str]], janus_peer: Callable[..., JanusPeer]
) -> None:
    room_id, _, (first, second) = room
    removed, stays = janus_peer(), janus_peer()
    removed_feed, stays_feed = janus_client.new_feed_id(), janus_client.new_feed_id()
    removed.join_publisher(room_id=room_id, token=first, feed_id=removed_feed)
    stays.join_publisher(room_id=room_id, token=second, feed_id=stays_feed)
    with VideoRoom(janus) as video_room:
        assert video_room.evict(room_id=room_id, feed_ids=[removed_feed]) == 1
        assert [p["id"] for p in video_room.participants(room_id=room_id)] == [stays_feed]
        assert video_room.evict(room_id=room_id, feed_ids=[removed_feed]) == 0  # already gone
        assert video_room.evict(room_id=room_id + 1, feed_ids=[stays_feed]) == 0  # not in that room
    gone = removed.post(removed.session_url, {"janus": "keepalive"})
    assert gone["janus"] == "error" and gone["error"]["code"] == 458  # no such session
    assert stays.post(stays.session_url, {"janus": "keepalive"})["janus"] == "ack"


def test_evict_without_an_admin_api_does_nothing(janus: JanusServer, settings: Any) -> None:
    settings.CALLS_JANUS_SERVERS = [{**settings.CALLS_JANUS_SERVERS[0], "admin_secret": ""}]
    with VideoRoom(janus_client.configured_servers()[0]) as video_room:
        assert video_room.evict(room_id=1, feed_ids=[1]) == 0


def test_admin_api_refuses_a_wrong_secret(janus: JanusServer) -> None:
    wrong = JanusServer(**{**asdict(janus), "admin_secret": "wrong"})
    with VideoRoom(wrong) as video_room, pytest.raises(JanusError) as refused:
        video_room.evict(room_id=1, feed_ids=[1])
    assert refused.value.code == 403


def test_subscribers_need_a_live_feed_and_get_no_room_token_check(
    room: tuple[int, str, list[str]], janus_peer: Callable[..., JanusPeer]
) -> None:
    """Janus checks `allowed` on publisher joins only; subscribers are held by require_pvtid (see janus.py)."""
    room_id, _, (first, _) = room
    feed_id = janus_client.new_feed_id()
    joined = janus_peer().join_publisher(room_id=room_id, token=first, feed_id=feed_id)
    assert isinstance(joined["private_id"], int)
    # A joined publisher that sends no media is no feed yet: refused before the private_id check.
    refused = janus_peer().join_subscriber(room_id=room_id, feed_id=feed_id, private_id=joined["private_id"])
    assert refused["error_code"] == janus_client.ERROR_NO_SUCH_FEED


def test_new_ids_and_tokens_are_random_and_in_range() -> None:
    ids = {janus_client.new_feed_id() for _ in range(200)} | {janus_client.new_room_id() for _ in range(200)}
    assert len(ids) == 400
    assert all(1 <= value < 2**52 for value in ids)
    assert len({janus_client.new_room_token() for _ in range(50)}) == 50


def test_api_token_format() -> None:
    server = JanusServer(name="a", url="", public_url="", admin_key="", token_secret="janus")
    token = janus_client.api_token(server, expires_at=datetime(2030, 1, 1, tzinfo=UTC))
    # HMAC-SHA1("janus", "1893456000,janus,janus.plugin.videoroom"), as Janus's token_auth_secret checks it.
    assert re.fullmatch(r"1893456000,janus,janus\.plugin\.videoroom:[A-Za-z0-9+/]{27}=", token)


def test_choose_server_picks_the_least_loaded_reachable_one(
    janus: JanusServer, janus_second: JanusServer, settings: Any
) -> None:
    assert [s.name for s in janus_client.configured_servers()] == [janus.name, janus_second.name]
    assert janus_client.choose_server({janus.name: 3, janus_second.name: 1}) == janus_second
    assert janus_client.choose_server({janus.name: 1, janus_second.name: 3}) == janus
    assert janus_client.choose_server({}) == janus  # a tie goes to the first configured
    assert janus_client.server_by_name(janus_second.name) == janus_second
    assert janus_client.server_by_name("nope") is None

    gone = {"name": "gone", "url": f"http://127.0.0.1:{free_port()}/janus", "admin_key": "k", "token_secret": "t"}
    settings.CALLS_JANUS_SERVERS = [gone, *settings.CALLS_JANUS_SERVERS]
    janus_client.forget_reachability()
    assert janus_client.choose_server({"gone": 0, janus.name: 5, janus_second.name: 7}) == janus
    settings.CALLS_JANUS_SERVERS = [gone]
    janus_client.forget_reachability()
    assert janus_client.choose_server({}) is None


def test_public_url_defaults_to_url(settings: Any) -> None:
    settings.CALLS_JANUS_SERVERS = [
        {"name": "a", "url": "http://127.0.0.1:1/janus/", "admin_key": "k", "token_secret": "t"},
        {
            "name": "b",
            "url": "http://10.0.0.2/janus",
            "public_url": "https://calls.example/janus",
            "admin_key": "k",
            "token_secret": "t",
        },
    ]
    first, second = janus_client.configured_servers()
    assert first.public_url == first.url == "http://127.0.0.1:1/janus"
    assert second.public_url == "https://calls.example/janus"


def _listening(pid: int) -> list[str]:
    """Local addresses of the TCP and UDP sockets process `pid` listens on (ss -ltnup)."""
    output = subprocess.run(["ss", "-Hltnup"], capture_output=True, text=True, check=True).stdout
    return [line.split()[4] for line in output.splitlines() if f"pid={pid}," in line]


def test_run_janus_config_listens_on_loopback_only_with_videoroom_only(janus_process: JanusProcess) -> None:
    if shutil.which("ss") is None:
        pytest.skip("ss (iproute2) is not installed")
    addresses = _listening(janus_process.process.pid)
    assert sorted(addresses) == sorted([f"127.0.0.1:{janus_process.port}", f"127.0.0.1:{janus_process.admin_port}"])
    with httpx.Client(trust_env=False, timeout=5) as http:
        info = http.get(f"{janus_process.server.url}/info").json()
    assert list(info["plugins"]) == ["janus.plugin.videoroom"]
    assert list(info["transports"]) == ["janus.transport.http"]
    assert info["events"] == {} and info["loggers"] == {}
    assert info["auth_token"] is True
    config = (janus_process.config_dir / "janus.jcfg").read_text()
    assert "stun_server" not in config
    assert f'token_auth_secret = "{janus_process.server.token_secret}"' in config
    videoroom = (janus_process.config_dir / "janus.plugin.videoroom.jcfg").read_text()
    assert f'admin_key = "{janus_process.server.admin_key}"' in videoroom


def test_run_janus_writes_settings_and_options(tmp_path: Path, janus: JanusServer) -> None:
    out = io.StringIO()
    call_command(
        "run_janus",
        "--no-exec",
        f"--config-dir={tmp_path / 'j'}",
        "--http-port=18999",
        "--ice-interface=v0",
        "--rtp-ports=41000-41010",
        stdout=out,
    )
    config_dir = tmp_path / "j"
    assert out.getvalue().split() == [
        out.getvalue().split()[0],
        "-F",
        str(config_dir),
        "-C",
        str(config_dir / "janus.jcfg"),
        "-L",
        str(config_dir / "janus.log"),
        "-N",
    ]
    janus_cfg = (config_dir / "janus.jcfg").read_text()
    assert 'ice_enforce_list = "v0"' in janus_cfg
    assert 'rtp_port_range = "41000-41010"' in janus_cfg
    assert "session_timeout = 60" in janus_cfg
    http_cfg = (config_dir / "janus.transport.http.jcfg").read_text()
    assert "\tport = 18999" in http_cfg and '\tip = "127.0.0.1"' in http_cfg
    assert (config_dir / "janus.jcfg").stat().st_mode & 0o077 == 0  # holds secrets


def test_run_janus_refuses_a_bad_port_range(tmp_path: Path, janus: JanusServer) -> None:
    with pytest.raises(CommandError):
        call_command("run_janus", "--no-exec", f"--config-dir={tmp_path}", "--rtp-ports=9-1", stdout=io.StringIO())


def test_run_janus_without_janus_exits_with_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no janus on it
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("run_janus", "--no-exec", f"--config-dir={tmp_path / 'j'}", stderr=err)
    assert exited.value.code == 2
    assert "Janus не установлен" in err.getvalue() and "Janus is not installed" in err.getvalue()
    assert not (tmp_path / "j").exists()


def test_run_janus_admin_api_follows_the_settings(tmp_path: Path, janus: JanusServer, settings: Any) -> None:
    entry = {**settings.CALLS_JANUS_SERVERS[0], "admin_url": "http://127.0.0.1:18777/janus-admin"}
    settings.CALLS_JANUS_SERVERS = [entry]
    call_command("run_janus", "--no-exec", f"--config-dir={tmp_path / 'a'}", "--http-port=18776", stdout=io.StringIO())
    http_cfg = (tmp_path / "a" / "janus.transport.http.jcfg").read_text()
    assert "admin_http = true" in http_cfg and "admin_port = 18777" in http_cfg
    assert 'admin_base_path = "/janus-admin"' in http_cfg and 'admin_ip = "127.0.0.1"' in http_cfg
    assert f'admin_secret = "{janus.admin_secret}"' in (tmp_path / "a" / "janus.jcfg").read_text()

    settings.CALLS_JANUS_SERVERS = [{**entry, "admin_secret": ""}]
    call_command("run_janus", "--no-exec", f"--config-dir={tmp_path / 'b'}", "--http-port=18776", stdout=io.StringIO())
    assert "admin_http = false" in (tmp_path / "b" / "janus.transport.http.jcfg").read_text()
    assert janus.admin_secret not in (tmp_path / "b" / "janus.jcfg").read_text()
