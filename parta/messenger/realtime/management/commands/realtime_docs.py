"""`python -m parta.messenger realtime_docs [--check]`: writes the event list of docs/realtime-protocol.md from the
registry of event types (between `<!-- events:begin -->` and `<!-- events:end -->`); `--check` only tells whether
the document is up to date (exit status 1 when not), for CI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parta.messenger.realtime.docs import DOCUMENT, REGENERATE, update_document


class Command(BaseCommand):
    help = "Writes the real-time event list of docs/realtime-protocol.md from the registry of event types."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=DOCUMENT, help="The protocol document (default: the repo's).")
        parser.add_argument("--check", action="store_true", help="Only check that the document is up to date.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        text = path.read_text(encoding="utf-8")
        try:
            updated = update_document(text)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["check"]:
            if updated != text:
                raise CommandError(f"{path} is out of date: run `{REGENERATE}`.")
            self.stdout.write(f"{path} is up to date.")
            return
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            self.stdout.write(f"Wrote the event list of {path}.")
        else:
            self.stdout.write(f"{path} was up to date.")
