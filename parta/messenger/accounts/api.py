"""HTTP API of sign-in, the profile and its devices (/api/v1/auth/): the web flow's steps, rules and limits.

The API uses the same session as the web UI: the code request is bound to the session cookie, and every unsafe
request, signed in or not, must carry the CSRF token (GET /auth/csrf gives it). Refusals answer with a stable
`code` and a Russian `message` (and `retry_after` in seconds when waiting helps).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, cast

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest
from django.middleware.csrf import get_token
from ninja import Router, Schema, Status
from ninja.security import APIKeyCookie, django_auth

from parta.messenger.accounts import flow, selectors, services
from parta.messenger.accounts.current import current_profile
from parta.messenger.accounts.errors import Refusal
from parta.messenger.accounts.models import Profile
from parta.messenger.orgs.selectors import has_confirmed_role
from parta.messenger.webapi import RetryErrorOut, error_responses


class AnonymousSession(APIKeyCookie):
    """For the sign-in steps: no profile needed, but the CSRF check runs (a forged sign-in is an attack too)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return True


anonymous = AnonymousSession()
router = Router(tags=["auth"], auth=django_auth)


class CsrfOut(Schema):
    csrf_token: str


class CodeRequestIn(Schema):
    contact: str
    birth_date: dt.date | None = None
    next: str | None = None


class CodeSentOut(Schema):
    contact: str
    channel: Literal["sms", "email"]
    resend_after: int
    expires_in: int


class CodeIn(Schema):
    code: str


class ProfileOut(Schema):
    id: int
    identifier: str
    contact_kind: str
    last_name: str
    first_name: str
    patronymic: str
    full_name: str
    birth_date: dt.date | None
    has_confirmed_role: bool


class VerifyOut(Schema):
    status: Literal["signed_in", "profile_required"]
    next: str
    profile: ProfileOut | None = None


class NamesIn(Schema):
    last_name: str
    first_name: str
    patronymic: str = ""


class NamesPatch(Schema):
    last_name: str | None = None
    first_name: str | None = None
    patronymic: str | None = None


class DeviceOut(Schema):
    id: int
    label: str
    ip: str | None
    created_at: dt.datetime
    last_seen_at: dt.datetime
    is_current: bool


class EndedOut(Schema):
    ended: int


ERRORS = error_responses(400, 404, 429, 503, schema=RetryErrorOut)


def _error(refusal: Refusal) -> Status[RetryErrorOut]:
    return Status(
        refusal.status, RetryErrorOut(code=refusal.code, message=refusal.message, retry_after=refusal.retry_after)
    )


def _profile_out(profile: Profile) -> ProfileOut:
    return ProfileOut(
        id=profile.pk,
        identifier=profile.identifier,
        contact_kind=profile.contact_kind,
        last_name=profile.last_name,
        first_name=profile.first_name,
        patronymic=profile.patronymic,
        full_name=profile.full_name,
        birth_date=profile.birth_date,
        has_confirmed_role=has_confirmed_role(profile.pk),
    )


def _sent_out(sent: services.CodeSent) -> CodeSentOut:
    channel: Literal["sms", "email"] = "email" if sent.contact.is_email else "sms"
    return CodeSentOut(
        contact=sent.contact.display, channel=channel, resend_after=sent.resend_after, expires_in=sent.expires_in
    )


@router.get("/csrf", auth=None, response=CsrfOut, summary="CSRF token for the unsafe requests")
def csrf(request: HttpRequest) -> CsrfOut:
    return CsrfOut(csrf_token=get_token(request))


@router.post("/code", auth=anonymous, response={200: CodeSentOut, **ERRORS}, summary="Send a one-time code")
def request_code(request: HttpRequest, payload: CodeRequestIn) -> Any:
    """Step 1. The answer is the same whether or not the contact has a profile. An e-mail needs `birth_date`."""
    try:
        sent = flow.start(request, raw_contact=payload.contact, birth_date=payload.birth_date, next_url=payload.next)
    except Refusal as refusal:
        return _error(refusal)
    return _sent_out(sent)


@router.post("/code/resend", auth=anonymous, response={200: CodeSentOut, **ERRORS}, summary="Send a new code")
def resend_code(request: HttpRequest) -> Any:
    try:
        return _sent_out(flow.resend(request))
    except Refusal as refusal:
        return _error(refusal)


@router.post("/code/verify", auth=anonymous, response={200: VerifyOut, **ERRORS}, summary="Check the code")
def verify_code(request: HttpRequest, payload: CodeIn) -> Any:
    """Step 2. An existing profile is signed in; for a new contact the answer is `profile_required`."""
    try:
        outcome = flow.verify(request, code=payload.code)
    except Refusal as refusal:
        return _error(refusal)
    if outcome.profile is None:
        return VerifyOut(status="profile_required", next=outcome.next_url)
    return VerifyOut(status="signed_in", next=outcome.next_url, profile=_profile_out(outcome.profile))


@router.post("/profile", auth=anonymous, response={201: ProfileOut, **ERRORS}, summary="Create the profile")
def create_profile(request: HttpRequest, payload: NamesIn) -> Any:
    """Step 3, only after `profile_required`: surname and given name required, patronymic optional."""
    try:
        outcome = flow.create_profile(request, **payload.dict())
    except Refusal as refusal:
        return _error(refusal)
    return Status(201, _profile_out(cast(Profile, outcome.profile)))  # create_profile always returns one


@router.get("/me", response=ProfileOut, summary="My profile")
def me(request: HttpRequest) -> ProfileOut:
    return _profile_out(current_profile(request))


@router.patch("/me", response={200: ProfileOut, **ERRORS}, summary="Change my names")
def update_me(request: HttpRequest, payload: NamesPatch) -> Any:
    profile = current_profile(request)
    names = {"last_name": profile.last_name, "first_name": profile.first_name, "patronymic": profile.patronymic}
    names.update(payload.dict(exclude_none=True))
    try:
        return _profile_out(services.update_names(profile=profile, **names, chosen_by_person=True))
    except Refusal as refusal:
        return _error(refusal)


@router.get("/devices", response=list[DeviceOut], summary="My signed-in devices")
def devices(request: HttpRequest) -> list[DeviceOut]:
    rows = selectors.list_devices(profile=current_profile(request), current_session_key=request.session.session_key)
    return [DeviceOut(**row.__dict__) for row in rows]


@router.delete("/devices/{int:device_id}", response={204: None, **ERRORS}, summary="End a session on a device")
def end_device(request: HttpRequest, device_id: int) -> Any:
    try:
        services.end_device(
            profile=current_profile(request), device_id=device_id, current_session_key=request.session.session_key or ""
        )
    except Refusal as refusal:
        return _error(refusal)
    return Status(204, None)


@router.post("/devices/end-others", response=EndedOut, summary="Sign out on all other devices")
def end_other_devices(request: HttpRequest) -> EndedOut:
    ended = services.end_other_devices(
        profile=current_profile(request), current_session_key=request.session.session_key or ""
    )
    return EndedOut(ended=ended)


@router.post("/logout", response={204: None}, summary="Sign out on this device")
def sign_out(request: HttpRequest) -> Any:
    logout(request)
    return Status(204, None)
