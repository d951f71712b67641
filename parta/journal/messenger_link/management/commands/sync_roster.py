"""`python -m parta.journal sync_roster [--school ID] [--now]`: queue each school's whole roster for the messenger."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from parta.journal.messenger_link.roster.delivery import deliver_due
from parta.journal.messenger_link.roster.outbox import enqueue_full_sync_of_all
from parta.journal.school.models import School


class Command(BaseCommand):
    help = (
        "Queues a full roster batch of every school (or of one) in the outbox; the background worker delivers it to "
        "the messenger. Run after loading data in bulk, or whenever the messenger's mirror should be checked whole."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--school", help="Only this school: its id in the journal, or its external id.")
        parser.add_argument(
            "--now", action="store_true", help="Also deliver the outbox from this process instead of the worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school_ids: list[int] | None = None
        if options["school"]:
            wanted = str(options["school"])
            match = Q(external_id=wanted) | (Q(pk=int(wanted)) if wanted.isdigit() else Q(pk__in=[]))
            school_ids = list(School.objects.filter(match).values_list("pk", flat=True))
            if not school_ids:
                raise CommandError(f"No school with the id or external id {wanted!r}.")
        items = enqueue_full_sync_of_all(school_ids=school_ids)
        for item in items:
            self.stdout.write(f"school {item.school_id}: full roster queued as batch {item.sequence}")
        if options["now"]:
            report = deliver_due()
            self.stdout.write(f"delivered {report.delivered}, failed {report.failed}")
