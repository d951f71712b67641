"""`python -m parta.messenger register_journal --name … --region … --base-url … --client-id … --client-secret …
--webhook-secret …`: registers a journal, or updates its registration (idempotent: run.sh runs it on every start)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from parta.messenger.integration.services.journals import register_journal


class Command(BaseCommand):
    help = "Registers an electronic journal as a client of the integration API, or updates its registration."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="the journal's name, shown to people")
        parser.add_argument("--region", required=True, help="the region, for «Подключить дневник»")
        parser.add_argument("--base-url", required=True, help="the journal's site, e.g. http://127.0.0.1:8000")
        parser.add_argument("--client-id", required=True, help="the OAuth client id (the registration's key)")
        parser.add_argument("--client-secret", required=True, help="the OAuth client secret (stored hashed)")
        parser.add_argument("--webhook-secret", default="", help="the key of the webhooks' HMAC signature")
        parser.add_argument("--webhook-url", default=None, help="default: <base-url>/messenger/webhook/")

    def handle(self, *args: Any, **options: Any) -> None:
        registered = register_journal(
            name=options["name"],
            region=options["region"],
            base_url=options["base_url"],
            client_id=options["client_id"],
            client_secret=options["client_secret"],
            webhook_secret=options["webhook_secret"],
            webhook_url=options["webhook_url"],
        )
        journal = registered.journal
        verb = "registered" if registered.created else "updated"
        self.stdout.write(f"journal {verb}: {journal.name} ({journal.region}), client id {options['client_id']}")
