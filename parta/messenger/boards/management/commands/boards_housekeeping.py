"""`python -m parta.messenger boards_housekeeping [--loop] [--every 30]`: posts into the call's chat the PDF of each
ended call's board whose posting failed or was cut short (a process stopped between the call's end and the post).

run.sh starts it with --loop. A round that fails (the database away) is logged and the loop goes on.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from parta.messenger.boards.exports import export_pending

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Boards housekeeping: posts the PDFs of ended calls' boards not yet in their chats (once or --loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep running, one round every --every seconds")
        parser.add_argument("--every", type=float, default=30.0)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["loop"]:
            self._round()
            return
        try:
            while True:
                close_old_connections()
                try:
                    self._round()
                except Exception:  # keep the loop alive: the next round tries again
                    log.exception("boards housekeeping round failed")
                time.sleep(options["every"])
        except KeyboardInterrupt:
            return

    def _round(self) -> None:
        posted, failed = export_pending()
        if posted or failed:
            self.stdout.write(f"boards: {posted} PDFs posted, {failed} failed")
