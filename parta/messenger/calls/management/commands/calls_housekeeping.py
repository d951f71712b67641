"""`python -m parta.messenger calls_housekeeping [--loop] [--every 10]`: ends lessons past their time and empty chat
calls, marks people whose page stopped reporting as left, takes stale room tokens off the rooms' lists.

run.sh starts it with --loop. A round that fails (the database or Janus away) is logged and the loop goes on.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from parta.messenger.calls.services import housekeeping

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Calls housekeeping: ends expired and empty calls, marks vanished participants as left (once or --loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep running, one round every --every seconds")
        parser.add_argument("--every", type=float, default=10.0)

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
                    log.exception("calls housekeeping round failed")
                time.sleep(options["every"])
        except KeyboardInterrupt:
            return

    def _round(self) -> None:
        result = housekeeping()
        if result.ended or result.left or result.tokens_removed or result.janus_failures:
            self.stdout.write(
                f"calls: {len(result.ended)} ended, {result.left} left, {result.tokens_removed} tokens removed, "
                f"{result.janus_failures} Janus failures"
            )
