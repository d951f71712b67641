"""`python -m parta.messenger deliver_webhooks [--loop] [--interval 5]`: sends the journals' webhooks that are due.

run.sh starts it with --loop: every few seconds it retries what failed (the first attempt happens right after the
change commits). It also forgets idempotency keys older than a week, once an hour.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from parta.messenger.integration.models import IdempotencyRecord
from parta.messenger.integration.services.webhooks import deliver_due

KEEP_IDEMPOTENCY_KEYS = dt.timedelta(days=7)
PRUNE_EVERY = 3600.0


class Command(BaseCommand):
    help = "Delivers due webhooks to journals (once, or every few seconds with --loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep running, checking every --interval seconds")
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["loop"]:
            self._report(*deliver_due())
            return
        pruned_at = 0.0
        try:
            while True:
                close_old_connections()
                delivered, failed = deliver_due()
                if delivered or failed:
                    self._report(delivered, failed)
                if time.monotonic() - pruned_at > PRUNE_EVERY:
                    IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - KEEP_IDEMPOTENCY_KEYS).delete()
                    pruned_at = time.monotonic()
                time.sleep(options["interval"])
        except KeyboardInterrupt:
            return

    def _report(self, delivered: int, failed: int) -> None:
        self.stdout.write(f"webhooks: {delivered} delivered, {failed} failed (retried later)")
