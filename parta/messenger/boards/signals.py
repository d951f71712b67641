"""The board listens to its call (calls knows nothing of boards): when the call ends, its board's log is compacted,
its tabs learn that it is read-only now and its PDF is posted into the call's chat; when the organizer removes a
participant, their tabs of the board close. Both after the call's change commits."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from parta.messenger.calls.models import Call, CallStatus, Participant

log = logging.getLogger(__name__)


def compact_when_call_ends(sender: type[Call], instance: Call, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if instance.status != CallStatus.ENDED or (update_fields is not None and "status" not in update_fields):
        return
    call_id = instance.pk

    def compact_quietly() -> None:
        from parta.messenger.boards.exports import export_quietly
        from parta.messenger.boards.models import Board
        from parta.messenger.boards.services import call_ended

        board = None
        try:
            board = Board.objects.select_related("call").filter(call_id=call_id).first()
            if board is not None:
                call_ended(board=board)
        except Exception:  # the call has ended whatever happens to its board; the next compaction will catch up
            log.warning("call %s: compacting its board failed", call_id, exc_info=True)
        if board is not None:
            export_quietly(board_id=board.pk)  # its PDF into the call's chat; housekeeping retries a failure

    transaction.on_commit(compact_quietly)


def close_when_removed(sender: type[Participant], instance: Participant, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if instance.removed_at is None or (update_fields is not None and "removed_at" not in update_fields):
        return
    call_id, participant_id = instance.call_id, instance.pk

    def close_quietly() -> None:
        from parta.messenger.boards.models import Board
        from parta.messenger.boards.services import close_participant_tabs

        try:
            board_id = Board.objects.filter(call_id=call_id).values_list("pk", flat=True).first()
            if board_id is not None:
                close_participant_tabs(board_id=board_id, participant_id=participant_id)
        except Exception:  # their next change is refused anyway (apply_update checks the participant)
            log.warning("call %s: closing the board tabs of participant %s failed", call_id, participant_id)

    transaction.on_commit(close_quietly)
