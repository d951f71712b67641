"""Registering journals (a messenger admin's job; `register_journal` does it for the built-in one)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import AbstractApplication, get_application_model

from parta.messenger.integration.models import Journal


def _configure(application: AbstractApplication, *, name: str, region: str, base_url: str, client_secret: str) -> None:
    """A journal's client: confidential, authorization code (client credentials allowed by the validator), one
    redirect URI, ID tokens signed with RS256. Saves it; the secret is hashed when saved."""
    application.name = f"{name} ({region})"[:255]
    application.client_type = AbstractApplication.CLIENT_CONFIDENTIAL
    application.authorization_grant_type = AbstractApplication.GRANT_AUTHORIZATION_CODE
    application.redirect_uris = f"{base_url}/messenger/callback/"
    application.algorithm = AbstractApplication.RS256_ALGORITHM
    application.skip_authorization = False
    application.hash_client_secret = True
    application.client_secret = client_secret
    application.save()


@dataclass(frozen=True)
class Registered:
    journal: Journal
    created: bool


def register_journal(
    *,
    name: str,
    region: str,
    base_url: str,
    client_id: str,
    client_secret: str,
    webhook_secret: str = "",
    webhook_url: str | None = None,
) -> Registered:
    """Registers a journal under `client_id`, or brings its registration up to date (idempotent: run it again with
    the same client id to change anything, the secret included). The client's one redirect URI is
    `<base_url>/messenger/callback/`; the webhook address defaults to `<base_url>/messenger/webhook/`.
    Locks the client's row."""
    base_url = base_url.rstrip("/")
    application_model = get_application_model()
    with transaction.atomic():
        application = application_model.objects.select_for_update().filter(client_id=client_id).first()
        created = application is None
        if application is None:
            application = application_model(client_id=client_id)
        _configure(application, name=name, region=region, base_url=base_url, client_secret=client_secret)
        journal = Journal.objects.filter(application=application).first() or Journal(application=application)
        journal.name = name
        journal.region = region
        journal.base_url = base_url
        journal.webhook_url = webhook_url if webhook_url is not None else f"{base_url}/messenger/webhook/"
        journal.webhook_secret = webhook_secret
        journal.is_active = True
        journal.save()
    return Registered(journal=journal, created=created)


def new_application(*, name: str, region: str, base_url: str) -> tuple[AbstractApplication, str]:
    """A new client for a journal the admin adds: its id, and its secret to be shown once (only its hash is kept)."""
    application_model = get_application_model()
    client_secret = generate_client_secret()
    application = application_model(client_id=generate_client_id())
    _configure(application, name=name, region=region, base_url=base_url.rstrip("/"), client_secret=client_secret)
    return application, client_secret


def new_client_secret(*, journal: Journal) -> str:
    """Issues the journal a new client secret (the old one stops working at once); returns it, to be shown once."""
    secret = generate_client_secret()
    application = journal.application
    application.client_secret = secret
    application.save(update_fields=["client_secret", "updated"])
    return secret


def sync_application(*, journal: Journal) -> None:
    """After the admin changed a journal: its client's redirect URI and name follow."""
    application = journal.application
    application.redirect_uris = journal.redirect_uri
    application.name = f"{journal.name} ({journal.region})"[:255]
    application.save(update_fields=["redirect_uris", "name", "updated"])
