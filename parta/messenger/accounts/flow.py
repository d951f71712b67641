"""The sign-in flow as one browser (one session) walks it; the web views and the API share these steps.

The session holds only the id of this browser's code request (LoginCode.id), so a code typed in another session
meets another request (or none) and fails. The contact and the date of birth are kept for the resend button; the
verified contact itself is always read back from the LoginCode row, never trusted from the session.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from parta.messenger.accounts import selectors, services
from parta.messenger.accounts.contacts import Contact, parse_contact
from parta.messenger.accounts.errors import Refusal
from parta.messenger.accounts.models import Profile

SESSION_KEY = "accounts.sign_in"
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass
class SignInFlow:
    code_id: str
    identifier: str
    kind: str
    next_url: str
    birth_date: str | None = None  # ISO date, e-mail only
    verified: bool = False  # the code matched and nobody has the contact yet: the new-profile form is open

    @property
    def contact(self) -> Contact:
        return Contact(kind=self.kind, identifier=self.identifier)

    @property
    def request_id(self) -> uuid.UUID:
        return uuid.UUID(self.code_id)


def load(request: HttpRequest) -> SignInFlow | None:
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    try:
        return SignInFlow(**data)
    except TypeError:  # a session written by an older version of this class
        return None


def save(request: HttpRequest, flow: SignInFlow) -> None:
    request.session[SESSION_KEY] = asdict(flow)


def clear(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a forwarded-for header is whatever the client wants it to be unless a trusted proxy sets it.
    return request.META.get("REMOTE_ADDR") or None


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """Where to go after sign-in: `candidate` if it points into this site, else the chats."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return str(settings.LOGIN_REDIRECT_URL)


def start(
    request: HttpRequest, *, raw_contact: str, birth_date: dt.date | None, next_url: str | None
) -> services.CodeSent:
    """Step 1: a phone or e-mail (with a date of birth for an e-mail) → a code is sent; the request id is kept."""
    contact = parse_contact(raw_contact)
    previous = load(request)
    if (
        previous is not None
        and not previous.verified
        and previous.identifier == contact.identifier
        and selectors.code_is_open(previous.request_id)
    ):
        # The same browser asking again for the same contact (the back button): its code is still on the way.
        wait = selectors.seconds_until_resend(identifier=contact.identifier)
        expires_in = settings.ACCOUNTS_CODE_TTL_SECONDS
        return services.CodeSent(code_id=previous.request_id, contact=contact, resend_after=wait, expires_in=expires_in)
    sent = services.request_code(
        contact=contact,
        birth_date=birth_date,
        client_ip=client_ip(request),
        replaces=previous.request_id if previous else None,
    )
    save(
        request,
        SignInFlow(
            code_id=str(sent.code_id),
            identifier=contact.identifier,
            kind=contact.kind,
            next_url=safe_next(request, next_url),
            birth_date=birth_date.isoformat() if birth_date and contact.is_email else None,
        ),
    )
    return sent


def resend(request: HttpRequest) -> services.CodeSent:
    """Sends a new code to the same contact ("Send the code again"); the previous code stops working."""
    flow = require(request)
    birth_date = dt.date.fromisoformat(flow.birth_date) if flow.birth_date else None
    sent = services.request_code(
        contact=flow.contact, birth_date=birth_date, client_ip=client_ip(request), replaces=flow.request_id
    )
    flow.code_id = str(sent.code_id)
    flow.verified = False
    save(request, flow)
    return sent


@dataclass(frozen=True)
class Outcome:
    profile: Profile | None  # signed in; None: the new-profile form is next
    next_url: str


def verify(request: HttpRequest, *, code: str) -> Outcome:
    """Step 2: the code. An existing profile is signed in; otherwise the new-profile form opens for this session."""
    flow = load(request)
    verified = services.verify_code(code_id=flow.request_id if flow else None, code=code)
    if flow is None:  # verify_code has refused already; this tells the type checker
        raise Refusal("no_code_request", _("First enter your phone number or e-mail and request a code."))
    if verified.profile is not None:
        sign_in(request, verified.profile)
        return Outcome(profile=verified.profile, next_url=flow.next_url)
    flow.verified = True
    save(request, flow)
    return Outcome(profile=None, next_url=flow.next_url)


def create_profile(request: HttpRequest, *, last_name: str, first_name: str, patronymic: str) -> Outcome:
    """Step 3 for a new contact: the profile form. Signs the new profile in."""
    flow = load(request)
    if flow is None or not flow.verified:
        raise Refusal("signup_expired", _("The time to create the profile has run out. Please sign in again."))
    profile = services.create_profile(
        code_id=flow.request_id, last_name=last_name, first_name=first_name, patronymic=patronymic
    )
    sign_in(request, profile)
    return Outcome(profile=profile, next_url=flow.next_url)


def require(request: HttpRequest) -> SignInFlow:
    flow = load(request)
    if flow is None:
        raise Refusal("no_code_request", _("First enter your phone number or e-mail and request a code."))
    return flow


def sign_in(request: HttpRequest, profile: Profile) -> None:
    """Signs the profile in on this device; the device's session row is written by the user_logged_in receiver."""
    login(request, profile, backend=AUTH_BACKEND)  # a new session key: the old one may be known to someone else
    clear(request)
