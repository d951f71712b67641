"""Recording a call (issue 11), against a real Janus: «Запись» makes Janus record every stream of the room into the
recording's own folder, «Остановить запись» lists the files Janus wrote as tracks of the right people and feeds, and
hands the recording to the processor after commit; who may record; ending the call stops it; Janus failing refuses.

Media: Janus's VideoRoom "remote publishers" (`add_remote_publisher`, in 1.1.2) take plain RTP over UDP on loopback,
so these tests publish real RTP packets as the participants' feeds (their feed ids, as the messenger assigned them)
and Janus writes real .mjr files — no browser, no WebRTC, nothing off the machine. What a browser's WebRTC feed
gives (the same file names, one file per stream) was checked by hand and is in docs/recording.md; the browser test
of the whole thing is tests/e2e_calls/test_recording.py.
"""

# covers: V6

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from parta.messenger.calls import janus as janus_client
from parta.messenger.calls import recording_hooks
from parta.messenger.calls.janus import JanusError, JanusServer, VideoRoom
from parta.messenger.calls.models import Call, Participant, Recording, RecordingStatus, RecordingTrack
from parta.messenger.calls.services.common import room_rec_dir
from parta.messenger.chats import services as chats
from parta.messenger.chats.models import Chat
from parta.messenger.realtime.models import Event
from tests.messenger.calls.conftest import JanusProcess
from tests.messenger.calls.helpers import World, api, browser, ok, refused
from tests.messenger.orgs.builders import World as Orgs
from tests.messenger.orgs.builders import build_world

pytestmark = pytest.mark.django_db

OPUS, VP8 = 111, 96


# --- fixtures ---------------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _settings(settings: Any, tmp_path: Path) -> None:
    settings.MESSENGER_URL = "http://messenger.test"
    settings.CALLS_RECORDINGS_DIR = str(tmp_path / "recordings")


@pytest.fixture
def janus_process(janus_processes: Any, settings: Any) -> JanusProcess:
    """A Janus of these tests' own (the only configured server): Janus 1.1.2 keeps the UDP ports of a remote
    publisher that has received packets open after `remove_remote_publisher`, which the other tests' Janus must not
    show (test_janus checks what it listens on)."""
    process: JanusProcess = janus_processes.get("janus-recording")
    settings.CALLS_JANUS_SERVERS = [process.settings_entry()]
    janus_client.forget_reachability()
    return process


@pytest.fixture
def processed() -> Iterator[list[int]]:
    """The recordings handed to the processor (a registered stand-in for the recordings app's task)."""
    seen: list[int] = []
    recording_hooks.register_processor(seen.append)
    yield seen
    recording_hooks.unregister_processor(seen.append)


@pytest.fixture
def orgs(db: None) -> Orgs:
    return build_world()


@pytest.fixture
def chat(orgs: Orgs) -> Chat:
    """A group chat whose admins allow recording its calls: the teacher (admin), Петя and Маша."""
    chat = chats.create_chat(creator=orgs.teacher, title="Кружок", member_ids=[orgs.student.pk, orgs.classmate.pk])
    Chat.objects.filter(pk=chat.pk).update(allow_call_recording=True)
    return chat


@pytest.fixture
def live(orgs: Orgs, chat: Chat, janus: JanusServer) -> str:
    """A call the teacher started in the chat: its public id."""
    return str(ok(api(browser(orgs.teacher), "POST", "", {"chat_id": chat.pk}), 201)["id"])


def enter(client: Client, call_id: str) -> dict[str, Any]:
    """A ticket and /joined (the page's Janus join is left out: the feed is published by an RtpFeed)."""
    ticket = ok(api(client, "POST", f"{call_id}/join", {}))
    ok(api(client, "POST", f"{call_id}/joined", {"feed_id": ticket["feed_id"]}))
    return ticket


def the_call(call_id: str) -> Call:
    return Call.objects.get(public_id=call_id)


class RtpFeed:
    """A publisher of the call's room fed with RTP over loopback (VideoRoom `add_remote_publisher`): `kinds` are its
    streams in order ("audio" Opus, "video" VP8); packets go every 20 ms from a thread until `close`."""

    def __init__(self, janus: JanusServer, call: Call, feed_id: int, kinds: tuple[str, ...]) -> None:
        self.janus, self.room_id, self.secret, self.feed_id = janus, call.room_id or 0, call.room_secret, feed_id
        streams = [
            {"type": kind, "mindex": i, "mid": str(i), "codec": "opus" if kind == "audio" else "vp8"}
            for i, kind in enumerate(kinds)
        ]
        with VideoRoom(janus) as room:
            answer = room.request(
                {
                    "request": "add_remote_publisher",
                    "room": self.room_id,
                    "secret": self.secret,
                    "id": feed_id,
                    "display": "rtp",
                    "iface": "127.0.0.1",
                    "streams": streams,
                }
            )
        assert answer["ip"] == "127.0.0.1", answer  # nothing leaves loopback
        self.address = ("127.0.0.1", int(answer["port"]))
        self.kinds = kinds
        self.sent = 0
        self._stop = threading.Event()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._thread = threading.Thread(target=self._send, daemon=True)
        self._thread.start()

    def _send(self) -> None:
        # Janus finds a remote publisher's stream from the SSRC: 1000 + 10 × mindex (docs/recording.md).
        while not self._stop.is_set():
            for mindex, kind in enumerate(self.kinds):
                payload_type, clock, body = (
                    (OPUS, 960, b"\xfc" + bytes(40)) if kind == "audio" else (VP8, 1800, b"\x90\x80" + bytes(60))
                )
                header = struct.pack(
                    ">BBHII",
                    0x80,
                    payload_type,
                    self.sent & 0xFFFF,
                    (self.sent * clock) & 0xFFFFFFFF,
                    1000 + 10 * mindex,
                )
                self._socket.sendto(header + body, self.address)
            self.sent += 1
            time.sleep(0.02)

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()
        with VideoRoom(self.janus) as room, contextlib.suppress(JanusError):  # the room may be gone (call ended)
            room.request(
                {
                    "request": "remove_remote_publisher",
                    "room": self.room_id,
                    "secret": self.secret,
                    "id": self.feed_id,
                }
            )


@pytest.fixture
def rtp_feed(janus: JanusServer) -> Iterator[Callable[..., RtpFeed]]:
    feeds: list[RtpFeed] = []

    def make(call_id: str, feed_id: int, *kinds: str) -> RtpFeed:
        feed = RtpFeed(janus, the_call(call_id), feed_id, kinds or ("audio", "video"))
        feeds.append(feed)
        return feed

    yield make
    for feed in feeds:
        feed.close()


def wait_for_packets(feeds: list[RtpFeed], count: int = 25) -> None:
    deadline = time.monotonic() + 10
    while any(feed.sent < count for feed in feeds):
        assert time.monotonic() < deadline, "the RTP senders are stuck"
        time.sleep(0.02)


def janus_recording(janus: JanusServer, call_id: str) -> tuple[bool, str]:
    with VideoRoom(janus) as room:
        return room.recording_state(room_id=the_call(call_id).room_id or 0)


# --- start and stop ---------------------------------------------------------------------------------------------------


def test_the_organizer_records_and_janus_writes_every_stream_into_the_recordings_own_folder(
    orgs: Orgs,
    live: str,
    janus: JanusServer,
    rtp_feed: Callable[..., RtpFeed],
    processed: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    teacher, student, classmate = browser(orgs.teacher), browser(orgs.student), browser(orgs.classmate)
    t = enter(teacher, live)
    s = enter(student, live)
    m = enter(classmate, live)
    screen = ok(api(teacher, "POST", f"{live}/screen"))
    board = ok(api(teacher, "POST", f"{live}/board-feed"))  # the board's canvas, as a feed of its own
    assert board["display"] == f'{{"p":{t["participant_id"]},"k":"board"}}'
    # Remote publishers are recorded only if they are in the room when recording starts (a browser's WebRTC feed
    # that comes later is recorded too: docs/recording.md), so every feed is in before «Запись».
    feeds = [
        rtp_feed(live, t["feed_id"], "audio", "video"),
        rtp_feed(live, s["feed_id"], "audio"),
        rtp_feed(live, m["feed_id"], "audio"),
        rtp_feed(live, screen["feed_id"], "video"),
        rtp_feed(live, board["feed_id"], "video"),
    ]
    assert janus_recording(janus, live) == (False, room_rec_dir(the_call(live).room_id or 0))  # made with rec_dir
    Event.objects.all().delete()

    state = ok(api(teacher, "POST", f"{live}/recording", {"action": "start"}))

    assert state["recording"]["active"] is True and state["recording_active"] is True
    assert state["recording"]["started_by_name"] == "Иванова Анна" and state["recording"]["started_at"]
    recording = Recording.objects.get()
    assert recording.status == RecordingStatus.RECORDING and recording.started_by_id == orgs.teacher.pk
    assert recording.folder == str(Path(room_rec_dir(the_call(live).room_id or 0)) / str(recording.public_id))
    assert janus_recording(janus, live) == (True, recording.folder)
    for profile in (orgs.teacher, orgs.student, orgs.classmate):  # the present participants' pages: the indicator
        assert Event.objects.filter(profile=profile, type="call.updated", payload__call_id=live).exists()
    assert ok(api(student, "GET", live))["recording"]["active"] is True
    sent = [feed.sent for feed in feeds]
    wait_for_packets(feeds, count=max(sent) + 25)  # half a second of every stream
    again = ok(api(teacher, "POST", f"{live}/recording", {"action": "start"}))  # pressed twice: still one
    assert again["recording"]["started_at"] == state["recording"]["started_at"] and Recording.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        stopped = ok(api(teacher, "POST", f"{live}/recording", {"action": "stop"}))
    assert processed == []  # not before the stop has committed
    for callback in callbacks:
        callback()

    assert stopped["recording"]["active"] is False and stopped["recording_active"] is False
    assert janus_recording(janus, live)[0] is False
    recording.refresh_from_db()
    assert recording.status == RecordingStatus.PROCESSING and recording.stopped_at is not None
    assert processed == [recording.pk]
    participants = {p.pk: p for p in Participant.objects.filter(call__public_id=live)}
    tracks = {
        (participants[track.participant_id].display_name if track.participant_id else None, track.source, track.media)
        for track in recording.tracks.all()
    }
    assert tracks == {
        ("Анна Иванова", "camera", "audio"),
        ("Анна Иванова", "camera", "video"),
        ("Анна Иванова", "screen", "video"),
        ("Анна Иванова", "board", "video"),
        ("Петя Петров", "camera", "audio"),
        ("Маша Смирнова", "camera", "audio"),
    }
    for track in recording.tracks.all():
        path = Path(track.path)
        assert path.parent == Path(recording.folder) and path.name.startswith(f"videoroom-{the_call(live).room_id}-")
        assert f"-user-{track.feed_id}-" in path.name and path.stat().st_size > 100
        assert track.started_at is not None and track.ended_at is not None
        assert recording.started_at <= track.started_at < track.ended_at <= recording.stopped_at


def test_a_recording_stops_when_the_call_ends_and_goes_to_processing(
    orgs: Orgs,
    live: str,
    janus: JanusServer,
    rtp_feed: Callable[..., RtpFeed],
    processed: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    teacher = browser(orgs.teacher)
    t = enter(teacher, live)
    feed = rtp_feed(live, t["feed_id"], "audio")
    ok(api(teacher, "POST", f"{live}/recording", {"action": "start"}))
    wait_for_packets([feed])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        state = ok(api(teacher, "POST", f"{live}/end"))
    feed.close()  # before the room's destruction (a callback): a remote publisher's ports would stay open
    for callback in callbacks:
        callback()

    assert state["status"] == "ended" and state["recording"]["active"] is False
    recording = Recording.objects.get()
    assert recording.status == RecordingStatus.PROCESSING and recording.stopped_at is not None
    assert processed == [recording.pk]
    track = recording.tracks.get()
    assert (track.source, track.media, track.feed_id) == ("camera", "audio", t["feed_id"])
    size = Path(track.path).stat().st_size
    assert track.ended_at is not None  # Janus had closed the file: it ends on a whole packet
    time.sleep(0.3)
    assert Path(track.path).stat().st_size == size  # and writes no more
    refused(api(teacher, "POST", f"{live}/recording", {"action": "start"}), 409, "call_ended")


def test_a_room_made_again_after_a_janus_restart_records_on_into_the_same_folder(
    orgs: Orgs, live: str, janus: JanusServer
) -> None:
    teacher, student = browser(orgs.teacher), browser(orgs.student)
    enter(teacher, live)
    ok(api(teacher, "POST", f"{live}/recording", {"action": "start"}))
    call = the_call(live)
    with VideoRoom(janus) as room:  # what a restart of Janus does: its rooms are gone
        room.destroy_room(room_id=call.room_id or 0, secret=call.room_secret)

    enter(student, live)  # the next ticket makes the room again

    assert janus_recording(janus, live) == (True, Recording.objects.get().folder)


# --- who may record ---------------------------------------------------------------------------------------------------


def test_a_student_may_record_only_once_the_organizer_allows_it(orgs: Orgs, live: str, janus: JanusServer) -> None:
    teacher, student, classmate = browser(orgs.teacher), browser(orgs.student), browser(orgs.classmate)
    enter(teacher, live)
    petya = enter(student, live)["participant_id"]
    enter(classmate, live)
    mine = ok(api(student, "GET", live))
    assert mine["me"]["may_record"] is False
    assert next(p for p in mine["participants"] if p["id"] == petya)["may_record"] is None
    assert ok(api(teacher, "GET", live))["me"]["may_record"] is True

    message = refused(api(student, "POST", f"{live}/recording", {"action": "start"}), 403, "recording_not_allowed")
    assert message == "Записывать звонок может только организатор или участник, которому организатор это разрешил."
    refused(api(student, "POST", f"{live}/board-feed"), 403, "recording_not_allowed")
    refused(
        api(student, "POST", f"{live}/permissions", {"participant_id": petya, "may_record": True}),
        403,
        "organizer_only",
    )
    refused(api(teacher, "POST", f"{live}/permissions", {"may_record": True}), 400, "participant_required")
    assert not Recording.objects.exists()

    state = ok(api(teacher, "POST", f"{live}/permissions", {"participant_id": petya, "may_record": True}))
    assert next(p for p in state["participants"] if p["id"] == petya)["may_record"] is True
    assert ok(api(student, "GET", live))["me"]["may_record"] is True
    assert ok(api(classmate, "GET", live))["me"]["may_record"] is False  # one participant's right only

    started = ok(api(student, "POST", f"{live}/recording", {"action": "start"}))
    assert started["recording"]["started_by_name"] == "Петров Петя"
    assert Recording.objects.get().started_by_id == orgs.student.pk
    refused(api(classmate, "POST", f"{live}/recording", {"action": "stop"}), 403, "recording_not_allowed")
    ok(api(teacher, "POST", f"{live}/permissions", {"participant_id": petya, "may_record": False}))
    assert ok(api(student, "POST", f"{live}/recording", {"action": "stop"}))["recording"]["active"] is False  # his own
    refused(api(student, "POST", f"{live}/recording", {"action": "start"}), 403, "recording_not_allowed")


def test_a_chat_call_is_recorded_only_when_the_chats_admins_allow_it(
    orgs: Orgs, chat: Chat, live: str, janus: JanusServer
) -> None:
    teacher = browser(orgs.teacher)
    enter(teacher, live)
    Chat.objects.filter(pk=chat.pk).update(allow_call_recording=False)
    assert ok(api(teacher, "GET", live))["me"]["may_record"] is False

    message = refused(api(teacher, "POST", f"{live}/recording", {"action": "start"}), 403, "recording_not_allowed")

    assert message == "Звонки в этом чате не записываются: разрешить запись могут администраторы чата в его настройках."
    assert not Recording.objects.exists() and janus_recording(janus, live)[0] is False
    Chat.objects.filter(pk=chat.pk).update(allow_call_recording=True)
    assert ok(api(teacher, "POST", f"{live}/recording", {"action": "start"}))["recording"]["active"] is True


def test_a_lesson_is_always_recordable_by_its_teacher_and_never_by_a_guest(janus: JanusServer) -> None:
    world = World()
    lesson = world.created()["call_id"]
    assert the_call(lesson).chat.allow_call_recording is False  # the lesson's own chat: not needed
    teacher, student = browser(world.people["t3"]), browser(world.people["st1"])
    enter(student, lesson)
    refused(api(student, "POST", f"{lesson}/recording", {"action": "start"}), 403, "recording_not_allowed")
    refused(api(Client(), "POST", f"{lesson}/recording", {"action": "start"}), 403, "guests_not_allowed")

    state = ok(api(teacher, "POST", f"{lesson}/recording", {"action": "start"}))  # not even joined

    assert state["recording"]["active"] is True and state["me"] is None
    assert janus_recording(janus, lesson) == (True, Recording.objects.get().folder)
    assert ok(api(student, "GET", lesson))["recording_active"] is True
    page = browser(world.people["st2"]).get(f"/calls/{lesson}/")  # before joining: «Урок записывается»
    assert page.status_code == 200 and page.context["boot"]["recording_active"] is True


def test_the_organizer_turns_the_catch_up_off_also_after_the_lesson(janus: JanusServer) -> None:
    world = World()
    lesson = world.created()["call_id"]
    teacher, student = browser(world.people["t3"]), browser(world.people["st1"])
    assert ok(api(teacher, "GET", lesson))["recording"]["catch_up"] is True
    refused(api(student, "PATCH", f"{lesson}/recording", {"catch_up": False}), 403, "organizer_only")

    assert ok(api(teacher, "PATCH", f"{lesson}/recording", {"catch_up": False}))["recording"]["catch_up"] is False
    ok(api(teacher, "POST", f"{lesson}/end"))
    assert ok(api(teacher, "PATCH", f"{lesson}/recording", {"catch_up": True}))["recording"]["catch_up"] is True
    assert the_call(lesson).catch_up_enabled is True


# --- failures ---------------------------------------------------------------------------------------------------------


def test_janus_failing_refuses_the_start_and_saves_nothing(
    orgs: Orgs, live: str, janus: JanusServer, settings: Any
) -> None:
    teacher = browser(orgs.teacher)
    enter(teacher, live)
    settings.CALLS_JANUS_SERVERS = [
        {**entry, "url": "http://127.0.0.1:9/janus"} for entry in settings.CALLS_JANUS_SERVERS
    ]

    message = refused(api(teacher, "POST", f"{live}/recording", {"action": "start"}), 503, "recording_unavailable")

    assert message == "Запись сейчас недоступна. Попробуйте через несколько минут."
    assert not Recording.objects.exists()
    assert list(Path(settings.CALLS_RECORDINGS_DIR).rglob("*-*-*-*-*")) == []  # no recording's folder left behind
    assert ok(api(teacher, "GET", live))["recording"]["active"] is False


def test_a_recordings_folder_that_cannot_be_made_refuses_the_start(
    orgs: Orgs, live: str, janus: JanusServer, settings: Any, tmp_path: Path
) -> None:
    teacher = browser(orgs.teacher)
    enter(teacher, live)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.CALLS_RECORDINGS_DIR = str(blocker)

    refused(api(teacher, "POST", f"{live}/recording", {"action": "start"}), 503, "recording_unavailable")

    assert not Recording.objects.exists() and janus_recording(janus, live)[0] is False


def test_a_stop_janus_does_not_answer_is_refused_and_the_indicator_stays(
    orgs: Orgs,
    live: str,
    janus: JanusServer,
    settings: Any,
    processed: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    teacher = browser(orgs.teacher)
    enter(teacher, live)
    ok(api(teacher, "POST", f"{live}/recording", {"action": "start"}))
    working = settings.CALLS_JANUS_SERVERS
    settings.CALLS_JANUS_SERVERS = [{**entry, "url": "http://127.0.0.1:9/janus"} for entry in working]

    refused(api(teacher, "POST", f"{live}/recording", {"action": "stop"}), 503, "recording_unavailable")

    assert Recording.objects.get().status == RecordingStatus.RECORDING
    assert ok(api(teacher, "GET", live))["recording"]["active"] is True  # Janus may still record: everyone is told
    settings.CALLS_JANUS_SERVERS = working
    with django_capture_on_commit_callbacks(execute=True):
        ok(api(teacher, "POST", f"{live}/recording", {"action": "stop"}))
    assert Recording.objects.get().status == RecordingStatus.PROCESSING and processed == [Recording.objects.get().pk]


def test_ending_a_call_whose_janus_is_gone_still_ends_it_and_its_recording(
    orgs: Orgs,
    live: str,
    janus: JanusServer,
    settings: Any,
    processed: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    teacher = browser(orgs.teacher)
    enter(teacher, live)
    ok(api(teacher, "POST", f"{live}/recording", {"action": "start"}))
    settings.CALLS_JANUS_SERVERS = [
        {**entry, "url": "http://127.0.0.1:9/janus"} for entry in settings.CALLS_JANUS_SERVERS
    ]

    with django_capture_on_commit_callbacks(execute=True):
        state = ok(api(teacher, "POST", f"{live}/end"))

    assert state["status"] == "ended"
    recording = Recording.objects.get()
    assert recording.status == RecordingStatus.PROCESSING and processed == [recording.pk]
    assert not RecordingTrack.objects.exists()  # nothing was published: the worker reports the missing files


def test_the_processor_failing_does_not_fail_the_stop(
    orgs: Orgs, live: str, janus: JanusServer, django_capture_on_commit_callbacks: Any
) -> None:
    def broken(recording_pk: int) -> None:
        raise RuntimeError("the queue is down")

    teacher = browser(orgs.teacher)
    enter(teacher, live)
    ok(api(teacher, "POST", f"{live}/recording", {"action": "start"}))
    recording_hooks.register_processor(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            state = ok(api(teacher, "POST", f"{live}/recording", {"action": "stop"}))
    finally:
        recording_hooks.unregister_processor(broken)
    assert state["recording"]["active"] is False
    assert Recording.objects.get().status == RecordingStatus.PROCESSING  # stays for the worker's requeue
