"""`python -m parta.messenger prune_events --days 30`: deletes real-time events older than the retention period.

Run it daily (cron, a systemd timer). A client away for longer than the retention period is told `reset` when it
resumes and reloads its state over HTTP; nothing else depends on old events (messages live in their own table).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from parta.messenger.realtime.services import prune_events


class Command(BaseCommand):
    help = "Deletes real-time events older than --days (default 30)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30, help="Keep events of the last N days (default 30).")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days < 1:
            raise CommandError("--days must be 1 or more.")
        deleted = prune_events(older_than=timezone.now() - dt.timedelta(days=days))
        self.stdout.write(f"Deleted {deleted} events older than {days} days.")
