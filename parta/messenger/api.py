"""The messenger's HTTP API (B3): everything the web UI does, typed and documented (OpenAPI at /api/v1/docs).

Each app adds its own router here. Session authentication (ninja checks CSRF for it), as the web UI uses it.
Every error answers `{"code", "message"}` (parta/messenger/webapi.py), ninja's own too.
"""

from ninja import NinjaAPI
from ninja.security import django_auth

from parta.messenger.webapi import install_error_handlers

api = NinjaAPI(
    title="Parta messenger API",
    version="1",
    urls_namespace="api-v1",
    auth=django_auth,
)
install_error_handlers(api)

# Each app registers its router below: api.add_router("/<prefix>/", "<dotted path to the router>").
api.add_router("/events/", "parta.messenger.realtime.api.router")
api.add_router("/auth/", "parta.messenger.accounts.api.router")
api.add_router("/chats/", "parta.messenger.chats.api.router")
api.add_router("/people/", "parta.messenger.orgs.api.router")
api.add_router("/calls/", "parta.messenger.calls.api.router")
api.add_router("/boards/", "parta.messenger.boards.api.router")
api.add_router("/recordings/", "parta.messenger.recordings.api.router")
