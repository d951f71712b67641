"""django-oauth-toolkit, fitted to journals: one client per journal, two grants, scopes by grant.

- The authorization code grant (PKCE required, S256) links a person: scopes `openid`, `profile`, `link`.
- The client credentials grant of the same client is the journal's server: scope `roster` (rosters, subject chats,
  unlinking by person id). A person's token never carries `roster`, a server token never acts for a person.
- The ID token's `sub` is the profile's id; `profile` adds the names (what the consent screen lists).
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

SCOPES = {
    "openid": "OpenID Connect: the profile's id (sub)",
    "profile": "The profile's names",
    "link": "Link the journal account with the profile and confirm its roles",
    "roster": "Server to server: rosters, subject chats, unlinking",
}
PERSON_SCOPES = ["openid", "profile", "link"]
SERVER_SCOPES = ["roster"]


def _is_server_request(request: Any) -> bool:
    return getattr(request, "grant_type", None) == "client_credentials"


class IntegrationScopes(BaseScopes):
    def get_all_scopes(self) -> dict[str, str]:
        return SCOPES

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        if request is None:  # the discovery document: everything the server knows
            return list(SCOPES)
        return SERVER_SCOPES if _is_server_request(request) else PERSON_SCOPES

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list[str]:
        return SERVER_SCOPES if _is_server_request(request) else PERSON_SCOPES


class IntegrationValidator(OAuth2Validator):
    # Claims and the scope that releases them (OIDC Core 5.4): the toolkit's standard table (`sub` with `openid`).
    oidc_claim_scope = OAuth2Validator.oidc_claim_scope

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        """A journal's client (registered as authorization code) may also use client credentials: its server."""
        if grant_type == "client_credentials" and _has_journal(request.client):
            return True
        return bool(super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs))

    # Every client is a journal; a journal a messenger admin deactivated gets no codes and no tokens.
    def validate_client_id(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> bool:
        return bool(super().validate_client_id(client_id, request, *args, **kwargs)) and _has_journal(request.client)

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        return bool(super().authenticate_client(request, *args, **kwargs)) and _has_journal(request.client)

    def get_additional_claims(self, request: Any) -> dict[str, str]:
        profile = request.user
        return {
            "name": profile.full_name,
            "family_name": profile.last_name,
            "given_name": profile.first_name,
            "middle_name": profile.patronymic,
        }


def _has_journal(application: Any) -> bool:
    from parta.messenger.integration.models import Journal

    return application is not None and Journal.objects.filter(application_id=application.pk, is_active=True).exists()
