"""The integration API v1 (/integration/v1/…): what journals call. OpenAPI at /integration/v1/openapi.json, prose in
docs/integration-api.md. A separate NinjaAPI from the web UI's /api/v1/: OAuth 2.0 bearer tokens, no cookies.

Two kinds of token, both from /o/token/ for the journal's one client:
- the person's (authorization code + PKCE, scopes `openid profile link`): POST and DELETE /link;
- the journal server's (client credentials, scope `roster`): /roster, /subject-chats, /calls, DELETE /link?person_id=….
Payloads are parta.common.integration.schemas; refusals are ApiError {"code", "message", "help_url"} with a 4xx.

This module holds the journals' authentication, the error answers and the integration's own endpoints (`router`);
the site composes the NinjaAPI from this router and the apps' (parta/messenger/integration_api.py: the lesson calls
are the calls app's), so the integration imports no app above it.
"""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from oauth2_provider.oauth2_backends import get_oauthlib_core

from parta.common.integration.schemas import (
    IDEMPOTENCY_HEADER,
    ApiError,
    ChatRef,
    LinkRequest,
    LinkResult,
    RosterBatch,
    RosterResult,
    SequenceConflict,
    SubjectChatRef,
    SubjectChatRequest,
)
from parta.messenger.accounts.models import Profile
from parta.messenger.errors import Refusal
from parta.messenger.integration import errors, selectors
from parta.messenger.integration.errors import IntegrationError
from parta.messenger.integration.models import Journal
from parta.messenger.integration.services.linking import link_person, unlink_person
from parta.messenger.integration.services.roster import apply_roster
from parta.messenger.integration.services.subject_chats import ensure_subject_chat
from parta.messenger.webapi import error_responses, install_error_handlers

DESCRIPTION = """The messenger's public API for electronic journals (linking people, rosters, subject chats).

Read docs/integration-api.md: registration, OAuth 2.0 + PKCE + OpenID Connect at /o/, ordering and idempotency of
roster batches, webhooks and their signature, error codes. Bearer tokens come from /o/token/."""


@dataclass(frozen=True)
class Caller:
    journal: Journal
    profile: Profile | None  # the person's token; None: the journal server's token
    scopes: frozenset[str]


class JournalBearer(HttpBearer):
    """A valid access token of an active journal's client (django-oauth-toolkit checks expiry and revocation)."""

    openapi_bearerFormat = "OAuth 2.0 access token from /o/token/"

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
        if not valid or oauth_request.client is None:
            return None
        journal = selectors.journal_for_application(oauth_request.client.pk)
        if journal is None:
            return None
        user = oauth_request.user
        return Caller(
            journal=journal,
            profile=user if isinstance(user, Profile) else None,
            scopes=frozenset(oauth_request.scopes or ()),
        )


def _caller(request: HttpRequest) -> Caller:
    return request.auth  # type: ignore[attr-defined]


def _person(request: HttpRequest) -> tuple[Journal, Profile]:
    caller = _caller(request)
    if caller.profile is None or "link" not in caller.scopes:
        raise errors.person_token_required()
    return caller.journal, caller.profile


def server_journal(request: HttpRequest) -> Journal:
    """The journal whose server's token (scope `roster`) made the request; refuses the person's token."""
    caller = _caller(request)
    if caller.profile is not None or "roster" not in caller.scopes:
        raise errors.server_token_required()
    return caller.journal


def api_errors(*statuses: int) -> dict[int, Any]:
    """The error part of an endpoint's `response=`: ApiError for these statuses and for 422 (invalid_request)."""
    return error_responses(*statuses, schema=ApiError)


def _answer(api: NinjaAPI, request: HttpRequest, refusal: Refusal) -> HttpResponse:
    """Every refusal as ApiError: an IntegrationError with its help_url (and extra fields), another with none."""
    return api.create_response(request, {"help_url": None, **refusal.body()}, status=refusal.status)


def new_integration_api() -> NinjaAPI:
    """The integration API v1 without its endpoints: journals' bearer tokens, every error answered as ApiError
    (a missing or bad token as 401 invalid_token with WWW-Authenticate). The site adds the routers."""
    api = NinjaAPI(
        title="Parta integration API",
        version="v1",
        description=DESCRIPTION,
        urls_namespace="integration-v1",
        auth=JournalBearer(),
    )
    install_error_handlers(api, respond=_answer)

    def unauthorized(request: HttpRequest, exc: Any) -> HttpResponse:
        refusal = IntegrationError("invalid_token", errors.INVALID_TOKEN, status=401)
        response = _answer(api, request, refusal)
        response["WWW-Authenticate"] = 'Bearer realm="integration", error="invalid_token"'
        return response

    api.add_exception_handler(AuthenticationError, unauthorized)
    return api


router = Router()


# --- linking (L1–L3, L6, A5) ----------------------------------------------------------------------------------------


@router.post(
    "/link",
    response={200: LinkResult, **api_errors(401, 403, 409, 422)},
    summary="Link the signed-in person's journal account and confirm their roles",
    tags=["linking"],
)
def link(request: HttpRequest, payload: LinkRequest) -> LinkResult:
    """With the person's token. Confirms the roles in their schools (L3) and puts them into their chats at once.
    Idempotent. Refusals: child_on_adult_profile, adult_on_child_profile (A5), student_and_adult_roles,
    linked_to_another_profile (send replace_existing=true when the person chose to move the link, L6)."""
    journal, profile = _person(request)
    return link_person(journal=journal, profile=profile, request=payload)


@router.delete(
    "/link",
    response={204: None, **api_errors(400, 401, 403, 404)},
    summary="Unlink a journal account",
    tags=["linking"],
)
def unlink(request: HttpRequest, person_id: str | None = None) -> Status:
    """With the person's token (their own link; `person_id` optional) or the server's token (`person_id`
    required). The roles from this journal become unconfirmed and the person leaves its chats."""
    caller = _caller(request)
    if caller.profile is not None:
        journal, profile = _person(request)
        person_ids = (
            [person_id]
            if person_id
            else [link.person_id for link in selectors.links_of(profile.pk) if link.journal_id == journal.pk]
        )
        if not person_ids:
            raise errors.not_linked()
        for one in person_ids:
            unlink_person(journal=journal, person_id=one, profile=profile, notify_journal=False)
        return Status(204, None)
    journal = server_journal(request)
    if not person_id:
        raise errors.person_id_required()
    unlink_person(journal=journal, person_id=person_id, notify_journal=False)
    return Status(204, None)


# --- roster (C1) ------------------------------------------------------------------------------------------------------


@router.post(
    "/roster",
    response={200: RosterResult, 409: SequenceConflict, **api_errors(400, 401, 403, 422)},
    summary="Apply a roster batch of one school (full or a change)",
    tags=["roster"],
)
def roster(
    request: HttpRequest, batch: RosterBatch, idempotency_key: str = Header(default="", alias=IDEMPOTENCY_HEADER)
) -> RosterResult:
    """With the server's token and an Idempotency-Key header. Batches of a school apply in `sequence` order; a gap
    answers 409 sequence_gap with `expected_sequence`; a repeat answers the first result with `duplicate`."""
    journal = server_journal(request)
    return apply_roster(journal=journal, batch=batch, idempotency_key=idempotency_key)


# --- subject chats (C2, C3) ---------------------------------------------------------------------------------------


@router.post(
    "/subject-chats",
    response={200: ChatRef, **api_errors(401, 403, 404, 422)},
    summary="Create a subject chat (or get the existing one)",
    tags=["subject chats"],
)
def create_subject_chat(request: HttpRequest, payload: SubjectChatRequest) -> ChatRef:
    """With the server's token. Idempotent on (school, class, subject, group). `url` is the chat's deep link."""
    journal = server_journal(request)
    return ensure_subject_chat(journal=journal, request=payload)


@router.get(
    "/subject-chats",
    response={200: list[SubjectChatRef], **api_errors(401, 403)},
    summary="List a school's subject chats, or a teacher's",
    tags=["subject chats"],
)
def list_subject_chats(request: HttpRequest, school_id: str, teacher_id: str | None = None) -> list[SubjectChatRef]:
    journal = server_journal(request)
    return selectors.list_subject_chats(journal=journal, school_id=school_id, teacher_id=teacher_id)


# --- registered journals (L2) -----------------------------------------------------------------------------------


class JournalOut(Schema):
    name: str
    region: str
    base_url: str
    link_url: str  # where «Подключить дневник» sends a person


class RegionOut(Schema):
    region: str
    journals: list[JournalOut]


@router.get(
    "/journals", auth=None, response=list[RegionOut], summary="Registered journals by region", tags=["journals"]
)
def journals(request: HttpRequest) -> list[RegionOut]:
    """Public. What the messenger's «Подключить дневник» lists: regions, and each region's journals."""
    return [
        RegionOut(
            region=region.name,
            journals=[
                JournalOut(name=j.name, region=j.region, base_url=j.base_url, link_url=j.link_start_url)
                for j in region.journals
            ],
        )
        for region in selectors.journals_by_region()
    ]
