"""The board listens to its call: when the call ends, its board's log is compacted and its tabs learn that it is
read-only now (after the end commits)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from parta.messenger.calls.models import Call, CallStatus

log = logging.getLogger(__name__)


def compact_when_call_ends(sender: type[Call], instance: Call, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if instance.status != CallStatus.ENDED or (update_fields is not None and "status" not in update_fields):
        return
    call_id = instance.pk

    def compact_quietly() -> None:
        from parta.messenger.boards.models import Board
        from parta.messenger.boards.services import call_ended

        try:
            board = Board.objects.select_related("call").filter(call_id=call_id).first()
            if board is not None:
                call_ended(board=board)
        except Exception:  # the call has ended whatever happens to its board; the next compaction will catch up
            log.warning("call %s: compacting its board failed", call_id, exc_info=True)

    transaction.on_commit(compact_quietly)
