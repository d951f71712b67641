"""The board's WebSocket through the real ASGI application (session sign-in, y-websocket framing), with pycrdt
documents as the browsers. The consumer reads the database in its own thread: these tests commit for real.

With REDIS_URL set (as ./test.sh does) the relays go through Redis, as between two messenger processes."""

# covers: issue 10 (the whiteboard: sync for late joiners, relay, refusals, permissions pushed, persistence)

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db import transaction
from django.utils import timezone
from pycrdt import Doc, Encoder, create_awareness_message

from parta.messenger.boards import documents, services
from parta.messenger.boards.models import Board, BoardUpdate, DrawMode
from parta.messenger.calls.models import Call, CallStatus, Participant
from tests.messenger.boards.helpers import (
    actor,
    content_of,
    draw,
    join,
    make_lesson,
    new_doc,
    open_board_socket,
    strokes,
)
from tests.messenger.realtime.builders import make_profile
from tests.messenger.realtime.wsclient import db

pytestmark = pytest.mark.django_db(transaction=True)


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(scenario)()


def test_strokes_survive_a_restart_and_a_late_joiner_gets_the_whole_board() -> None:
    lesson = make_lesson()
    teacher_strokes: list[dict[str, object]] = []

    async def first_lesson_half() -> None:
        teacher = await join(lesson.board, lesson.teacher)
        for n in range(5):
            await teacher.send_update(draw(teacher.doc, author=lesson.teacher.pk, page=n % 2, points=[n, n + 1.5]))
        # Nothing comes back to the sender; a refused frame would arrive as text.
        assert await teacher.socket.receive_nothing(timeout=0.3)
        teacher_strokes.extend(strokes(teacher.doc))
        await teacher.socket.disconnect()

    run(first_lesson_half)
    assert BoardUpdate.objects.filter(board=lesson.board).count() == 5
    documents.forget_all()  # a messenger restart: nothing in memory, only the database

    async def late_joiner() -> None:
        student = await join(lesson.board, lesson.students[0])
        assert strokes(student.doc) == teacher_strokes
        assert len(teacher_strokes) == 5
        await student.socket.disconnect()

    run(late_joiner)


def test_an_accepted_stroke_reaches_the_others_and_a_refused_one_reaches_nobody() -> None:
    lesson = make_lesson(students=1)
    student_profile = lesson.students[0]

    async def scenario() -> None:
        teacher = await join(lesson.board, lesson.teacher)
        student = await join(lesson.board, student_profile)

        await teacher.send_update(draw(teacher.doc, author=lesson.teacher.pk))
        await student.receive_update()
        assert strokes(student.doc) == strokes(teacher.doc)

        # Only the organizer draws in a lesson: the student's stroke is refused, stored nowhere, relayed to nobody.
        await student.send_update(draw(student.doc, author=student_profile.pk))
        refused = await student.text()
        assert refused["type"] == "board.refused"
        assert refused["code"] == "board_draw_not_allowed"
        assert refused["message"]
        assert await teacher.socket.receive_nothing(timeout=0.5)
        assert len(strokes(teacher.doc)) == 1
        await teacher.socket.disconnect()
        await student.socket.disconnect()

    run(scenario)
    assert BoardUpdate.objects.filter(board=lesson.board).count() == 1
    assert len(content_of(services.board_state(lesson.board))) == 1


def test_permission_changes_are_pushed_and_take_effect_at_once() -> None:
    lesson = make_lesson(students=1)
    student_profile = lesson.students[0]

    async def scenario() -> None:
        teacher = await join(lesson.board, lesson.teacher)
        student = await join(lesson.board, student_profile)
        await db(services.set_draw_mode)(actor=actor(lesson.teacher), board=lesson.board, draw_mode=DrawMode.CHOSEN)
        await db(services.allow_drawer)(actor=actor(lesson.teacher), board=lesson.board, profile_id=student_profile.pk)
        for client in (teacher, student):
            first, second = await client.text(), await client.text()
            assert first == {
                "type": "board.permissions",
                "draw_mode": "chosen",
                "locked": False,
                "drawers": [],
                "live": True,
            }
            assert second["drawers"] == [student_profile.pk]
        await student.send_update(draw(student.doc, author=student_profile.pk))
        await teacher.receive_update()
        assert strokes(teacher.doc) == strokes(student.doc)

        await db(services.lock)(actor=actor(lesson.teacher), board=lesson.board)
        assert (await student.text())["locked"] is True
        await student.send_update(draw(student.doc, author=student_profile.pk))
        assert (await student.text())["code"] == "board_locked"
        assert await teacher.socket.receive_nothing(timeout=0.3) is False  # its own permissions frame
        assert (await teacher.text())["locked"] is True
        await teacher.socket.disconnect()
        await student.socket.disconnect()

    run(scenario)


def test_malformed_frames_are_refused_and_the_board_keeps_working() -> None:
    lesson = make_lesson(students=1)

    async def scenario() -> None:
        teacher = await join(lesson.board, lesson.teacher)
        student = await join(lesson.board, lesson.students[0])
        for garbage in (b"\x00\x02\x05abc", b"\x00\x02\x03\x01\x02\x03", b"\x00\x07", b"\x00", b"\xff\xff"):
            await teacher.socket.send_to(bytes_data=garbage)
            assert (await teacher.text())["code"] == "board_malformed_update", garbage
        assert await student.socket.receive_nothing(timeout=0.3)
        await teacher.send_update(draw(teacher.doc, author=lesson.teacher.pk))
        await student.receive_update()
        assert strokes(student.doc) == strokes(teacher.doc)
        await teacher.socket.disconnect()
        await student.socket.disconnect()

    run(scenario)
    assert BoardUpdate.objects.filter(board=lesson.board).count() == 1


def test_awareness_is_relayed_and_cleared_when_the_tab_closes() -> None:
    lesson = make_lesson(students=1)

    def awareness_update(client_id: int, clock: int, state: str) -> bytes:
        encoder = Encoder()
        encoder.write_var_uint(1)
        encoder.write_var_uint(client_id)
        encoder.write_var_uint(clock)
        raw = state.encode()  # lib0 writes the UTF-8 length (pycrdt's Encoder counts characters)
        encoder.write_var_uint(len(raw))
        encoder.stream.append(raw)
        return create_awareness_message(encoder.to_bytes())

    async def scenario() -> None:
        teacher = await join(lesson.board, lesson.teacher)
        student = await join(lesson.board, lesson.students[0])
        cursor = awareness_update(4242, 3, '{"user":{"name":"Анна Учитель"},"cursor":{"x":10,"y":20}}')
        await teacher.socket.send_to(bytes_data=cursor)
        assert await student.binary() == cursor
        await teacher.socket.send_to(bytes_data=awareness_update(1, 1, "x" * 5_000))  # too big: dropped
        assert await student.socket.receive_nothing(timeout=0.3)
        await teacher.socket.disconnect()
        assert await student.binary() == awareness_update(4242, 4, "null")  # y-protocols' "this client is gone"
        await student.socket.disconnect()

    run(scenario)


def test_strangers_and_signed_out_visitors_are_closed() -> None:
    lesson = make_lesson()
    stranger = make_profile()

    async def scenario() -> None:
        socket = await open_board_socket(lesson.board, stranger)
        assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4404}
        socket = await open_board_socket(lesson.board, None)
        assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}

    run(scenario)


def test_a_client_with_offline_strokes_sends_them_in_its_step_2() -> None:
    """A tab that drew while disconnected: its answer to the server's step 1 carries the strokes, checked like any."""
    lesson = make_lesson(students=1)
    offline = new_doc()
    draw(offline, author=lesson.teacher.pk)

    async def scenario() -> None:
        student = await join(lesson.board, lesson.students[0])
        teacher = await join(lesson.board, lesson.teacher, doc=offline)
        await student.receive_update()
        assert strokes(student.doc) == strokes(offline)
        await teacher.socket.disconnect()
        await student.socket.disconnect()

    run(scenario)
    restored: Doc = Doc()
    restored.apply_update(services.board_state(lesson.board))
    assert len(content_of(restored.get_update())) == 1


def test_y_websockets_provider_url_without_the_slash_opens_the_board() -> None:
    lesson = make_lesson()

    async def scenario() -> None:
        socket = await open_board_socket(lesson.board, lesson.teacher, slash="")
        frame = await socket.receive_json_from(timeout=5)
        assert frame["type"] == "board.permissions"
        await socket.disconnect()

    run(scenario)


def test_when_the_call_ends_the_tabs_learn_the_board_is_read_only_and_it_is_compacted() -> None:
    lesson = make_lesson(students=1)

    def end_call() -> None:
        with transaction.atomic():
            call = Call.objects.select_for_update().get(pk=lesson.call.pk)
            call.status = CallStatus.ENDED
            call.save(update_fields=["status"])  # what calls' `finish` saves

    async def scenario() -> None:
        teacher = await join(lesson.board, lesson.teacher)
        student = await join(lesson.board, lesson.students[0])
        await teacher.send_update(draw(teacher.doc, author=lesson.teacher.pk))
        await student.receive_update()
        await db(end_call)()
        for client in (teacher, student):
            assert (await client.text())["live"] is False
        await teacher.send_update(draw(teacher.doc, author=lesson.teacher.pk))
        assert (await teacher.text())["code"] == "board_call_ended"
        assert await student.socket.receive_nothing(timeout=0.3)
        await teacher.socket.disconnect()
        await student.socket.disconnect()

    run(scenario)
    board = Board.objects.get(pk=lesson.board.pk)
    assert (board.state_seq, board.last_seq) == (1, 1)
    assert not BoardUpdate.objects.filter(board=board).exists()
    assert len(content_of(services.board_state(board))) == 1


def test_a_removed_participants_tabs_close_and_the_others_stay() -> None:
    lesson = make_lesson(students=1)
    student_profile = lesson.students[0]

    def remove() -> None:
        with transaction.atomic():
            target = Participant.objects.select_for_update().get(call=lesson.call, profile=student_profile)
            target.removed_at = timezone.now()
            target.save(update_fields=["removed_at"])  # what calls' `remove_participant` saves (among others)

    async def scenario() -> None:
        teacher = await join(lesson.board, lesson.teacher)
        student = await join(lesson.board, student_profile)
        await db(remove)()
        assert await student.socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
        await teacher.send_update(draw(teacher.doc, author=lesson.teacher.pk))
        assert await teacher.socket.receive_nothing(timeout=0.3)
        await teacher.socket.disconnect()
        socket = await open_board_socket(lesson.board, student_profile)  # and cannot come back
        assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4404}

    run(scenario)


def test_an_oversized_frame_is_refused_unread(settings: Any) -> None:
    settings.BOARDS_MAX_UPDATE_BYTES = 1_000
    lesson = make_lesson(students=1)

    async def scenario() -> None:
        teacher = await join(lesson.board, lesson.teacher)
        student = await join(lesson.board, lesson.students[0])
        await teacher.send_update(draw(teacher.doc, author=lesson.teacher.pk, points=[n + 0.5 for n in range(300)]))
        assert (await teacher.text())["code"] == "board_update_too_large"
        assert await student.socket.receive_nothing(timeout=0.3)
        await teacher.socket.disconnect()
        await student.socket.disconnect()

    run(scenario)
    assert not BoardUpdate.objects.filter(board=lesson.board).exists()
