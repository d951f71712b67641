"""Writes of the accounts app: one-time codes (A1, A6), new profiles (A2), device sessions (A6).

Codes are never stored, only their HMAC-SHA256 keyed from SECRET_KEY. Nothing here looks a contact up before its
code is verified, so every answer up to that point is the same whether or not the contact has a profile.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
import secrets
import uuid
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parta.messenger.accounts.contacts import Contact, check_email_allowed, clean_name
from parta.messenger.accounts.errors import Refusal
from parta.messenger.accounts.gateways import deliver_email, deliver_sms
from parta.messenger.accounts.models import CodeThrottle, DeviceSession, LoginCode, Profile
from parta.messenger.realtime.services import end_session_connections

HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class CodeSent:
    code_id: uuid.UUID
    contact: Contact
    resend_after: int  # seconds until another code may be requested
    expires_in: int  # seconds the code stays valid


@dataclass(frozen=True)
class VerifiedContact:
    code_id: uuid.UUID
    contact: Contact
    profile: Profile | None  # None: nobody has this contact yet, the new-profile form comes next


def generate_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def hash_code(code_id: uuid.UUID, code: str) -> str:
    """HMAC-SHA256 of the code, keyed from SECRET_KEY; the request id in the message makes each hash unique."""
    return salted_hmac("parta.messenger.accounts.LoginCode", f"{code_id}:{code}", algorithm="sha256").hexdigest()


def request_code(
    *, contact: Contact, birth_date: dt.date | None, client_ip: str | None, replaces: uuid.UUID | None = None
) -> CodeSent:
    """Issues a code for `contact` and sends it; `replaces` is the caller's previous request, closed by this one.

    Locks the contact's and the client address's CodeThrottle rows (select_for_update), so simultaneous requests
    are counted one after another against the limits. Delivery happens after the commit, outside any transaction.
    """
    now = timezone.now()
    if contact.is_email:
        birth_date = check_email_allowed(
            birth_date=birth_date, today=timezone.localdate(now), max_age=settings.ACCOUNTS_EMAIL_MAX_AGE
        )
    else:
        birth_date = None  # a phone needs no age check, and the profile form does not ask for one
    code = generate_code()
    with transaction.atomic():
        _lock_throttles([f"contact:{contact.identifier}", *([f"ip:{client_ip}"] if client_ip else [])])
        _check_limits(contact=contact, client_ip=client_ip, now=now)
        if replaces is not None:
            LoginCode.objects.filter(id=replaces, used_at=None).update(used_at=now)
        login_code = LoginCode(
            identifier=contact.identifier,
            contact_kind=contact.kind,
            birth_date=birth_date,
            client_ip=client_ip,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=settings.ACCOUNTS_CODE_TTL_SECONDS),
        )
        login_code.code_hash = hash_code(login_code.id, code)
        login_code.save(force_insert=True)
    _deliver(contact=contact, code=code)
    return CodeSent(
        code_id=login_code.id,
        contact=contact,
        resend_after=settings.ACCOUNTS_CODE_RESEND_SECONDS,
        expires_in=settings.ACCOUNTS_CODE_TTL_SECONDS,
    )


def _lock_throttles(keys: list[str]) -> None:
    CodeThrottle.objects.bulk_create([CodeThrottle(key=key) for key in keys], ignore_conflicts=True)
    list(CodeThrottle.objects.select_for_update().filter(key__in=keys).order_by("key").values_list("id", flat=True))


def _check_limits(*, contact: Contact, client_ip: str | None, now: dt.datetime) -> None:
    recent = LoginCode.objects.filter(created_at__gt=now - HOUR)
    if client_ip:
        by_ip = recent.filter(client_ip=client_ip).aggregate(count=Count("id"), first=Min("created_at"))
        if by_ip["count"] >= settings.ACCOUNTS_CODES_PER_IP_HOUR:
            minutes = _minutes_left(by_ip["first"] + HOUR - now)
            raise Refusal(
                "ip_hourly_limit",
                _("Too many codes were requested from your network. Try again in %(minutes)s min.")
                % {"minutes": minutes},
                status=429,
                retry_after=minutes * 60,
            )
    mine = recent.filter(identifier=contact.identifier).aggregate(
        count=Count("id"), first=Min("created_at"), last=Max("created_at")
    )
    if mine["count"] >= settings.ACCOUNTS_CODES_PER_CONTACT_HOUR:
        minutes = _minutes_left(mine["first"] + HOUR - now)
        message = (
            _("Too many codes were sent to this address. Try again in %(minutes)s min.")
            if contact.is_email
            else _("Too many codes were sent to this number. Try again in %(minutes)s min.")
        )
        raise Refusal("contact_hourly_limit", message % {"minutes": minutes}, status=429, retry_after=minutes * 60)
    if mine["last"] is not None:
        wait = settings.ACCOUNTS_CODE_RESEND_SECONDS - (now - mine["last"]).total_seconds()
        if wait > 0:
            seconds = math.ceil(wait)
            raise Refusal(
                "resend_too_early",
                _("A code has just been sent. You can request a new one in %(seconds)s s.") % {"seconds": seconds},
                status=429,
                retry_after=seconds,
            )


def _minutes_left(delta: dt.timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds() / 60))


def _deliver(*, contact: Contact, code: str) -> None:
    minutes = settings.ACCOUNTS_CODE_TTL_SECONDS // 60
    if contact.is_email:
        body = ngettext(
            "Your code to sign in to Parta: %(code)s\n\nIt is valid for %(minutes)s minute.",
            "Your code to sign in to Parta: %(code)s\n\nIt is valid for %(minutes)s minutes.",
            minutes,
        ) % {"code": code, "minutes": minutes}
        body += "\n\n" + _(
            "Never tell this code to anyone, not even to a teacher. If you did not ask for it, ignore this letter."
        )
        deliver_email(address=contact.identifier, subject=_("Your code to sign in to Parta"), text=body)
    else:
        text = _("Parta code: %(code)s. Never tell it to anyone.") % {"code": code}
        deliver_sms(phone=contact.identifier, text=text)


def verify_code(*, code_id: uuid.UUID | None, code: str) -> VerifiedContact:
    """Checks `code` against the request `code_id` (the caller's own); a wrong try is counted even though it fails.

    Locks the LoginCode row (select_for_update): two simultaneous tries are counted one after the other.
    """
    digits = "".join(code.split()).replace("-", "")
    if code_id is None:
        raise Refusal("no_code_request", _("First enter your phone number or e-mail and request a code."))
    if len(digits) != 6 or not digits.isascii() or not digits.isdigit():
        raise Refusal("code_format", _("Enter the 6 digits of the code."), field="code")
    now = timezone.now()
    with transaction.atomic():
        login_code = LoginCode.objects.select_for_update().filter(id=code_id).first()
        refusal = _check_code(login_code, digits, now)
    # Raised after the block: the counted wrong try must be committed, not rolled back with the error.
    if refusal is not None or login_code is None:
        raise refusal or Refusal("no_code_request", _("Request a new code."))
    contact = Contact(kind=login_code.contact_kind, identifier=login_code.identifier)
    profile = Profile.objects.filter(identifier=login_code.identifier).first()
    if profile is not None and not profile.is_active:
        raise Refusal("profile_blocked", _("This profile is blocked. Please contact your school's administrator."))
    return VerifiedContact(code_id=login_code.id, contact=contact, profile=profile)


def _check_code(login_code: LoginCode | None, digits: str, now: dt.datetime) -> Refusal | None:
    max_attempts = settings.ACCOUNTS_CODE_MAX_ATTEMPTS
    if login_code is None:
        return Refusal("no_code_request", _("This code request was not found. Request a new code."))
    if login_code.used_at is not None:
        return Refusal("code_used", _("This code has already been used. Request a new one."))
    if login_code.attempts >= max_attempts:
        return Refusal("code_attempts_exhausted", _("Too many wrong tries. Request a new code."), status=429)
    if login_code.expires_at <= now:
        return Refusal("code_expired", _("The code has expired. Request a new one."))
    if hmac.compare_digest(login_code.code_hash, hash_code(login_code.id, digits)):
        login_code.used_at = now
        login_code.save(update_fields=["used_at"])
        return None
    login_code.attempts += 1
    login_code.save(update_fields=["attempts"])
    left = max_attempts - login_code.attempts
    if left <= 0:
        return Refusal(
            "code_attempts_exhausted", _("Wrong code, and no tries are left. Request a new code."), status=429
        )
    return Refusal("code_wrong", _("Wrong code. Tries left: %(left)s.") % {"left": left}, field="code")


def create_profile(*, code_id: uuid.UUID, last_name: str, first_name: str, patronymic: str) -> Profile:
    """Creates the profile for the contact proven by the verified request `code_id` (one contact, one profile).

    Locks the LoginCode row. If the contact got a profile meanwhile (the same person in another tab), that profile
    is returned: the verified code proves the contact is theirs.
    """
    names = {
        "last_name": clean_name(last_name, field="last_name", required=True),
        "first_name": clean_name(first_name, field="first_name", required=True),
        "patronymic": clean_name(patronymic, field="patronymic", required=False),
    }
    window = dt.timedelta(seconds=settings.ACCOUNTS_SIGNUP_WINDOW_SECONDS)
    with transaction.atomic():
        login_code = LoginCode.objects.select_for_update().filter(id=code_id, used_at__isnull=False).first()
        if login_code is None or login_code.used_at is None or login_code.used_at < timezone.now() - window:
            raise Refusal("signup_expired", _("The time to create the profile has run out. Please sign in again."))
        try:
            with transaction.atomic():
                return Profile.objects.create_user(
                    login_code.identifier,
                    contact_kind=login_code.contact_kind,
                    birth_date=login_code.birth_date,
                    **names,
                )
        except IntegrityError:
            return Profile.objects.get(identifier=login_code.identifier)


def update_names(
    *, profile: Profile, last_name: str, first_name: str, patronymic: str, chosen_by_person: bool
) -> Profile:
    """Sets the profile's names as typed. `chosen_by_person`: the person corrected their own name (the profile page,
    PATCH /api/v1/auth/me), and that choice sticks: journals' links no longer set it (`take_names_from_journal`)."""
    profile.last_name = clean_name(last_name, field="last_name", required=True)
    profile.first_name = clean_name(first_name, field="first_name", required=True)
    profile.patronymic = clean_name(patronymic, field="patronymic", required=False)
    fields = ["last_name", "first_name", "patronymic"]
    if chosen_by_person:
        profile.name_chosen_by_person = True
        fields.append("name_chosen_by_person")
    profile.save(update_fields=fields)
    return profile


def take_names_from_journal(*, profile: Profile, last_name: str, first_name: str, patronymic: str) -> bool:
    """Linking (L3): the profile's name becomes the one the journal passed (the consent screen lists it), unless the
    person has chosen their own. One conditional UPDATE, so a concurrent edit by the person wins. True if set."""
    names = {"last_name": last_name.strip(), "first_name": first_name.strip(), "patronymic": patronymic.strip()}
    if not names["last_name"] or not names["first_name"]:
        return False  # a journal without the person's name leaves the profile's as it is
    if not Profile.objects.filter(pk=profile.pk, name_chosen_by_person=False).update(**names):
        return False
    for field, value in names.items():
        setattr(profile, field, value)
    return True


def start_device_session(*, profile: Profile, session_key: str, user_agent: str, ip: str | None) -> DeviceSession:
    now = timezone.now()
    device, _created = DeviceSession.objects.update_or_create(
        session_key=session_key,
        defaults={"profile": profile, "user_agent": user_agent[:300], "ip": ip, "last_seen_at": now},
        create_defaults={"profile": profile, "user_agent": user_agent[:300], "ip": ip, "created_at": now},
    )
    return device


def touch_device_session(*, session_key: str) -> bool:
    """Marks the device as seen now; False when the device was ended (its row is gone)."""
    return DeviceSession.objects.filter(session_key=session_key).update(last_seen_at=timezone.now()) > 0


def forget_device_session(*, session_key: str) -> None:
    """The device signed out by itself: Django flushes its session; the row and open WebSockets are left to end."""
    with transaction.atomic():
        DeviceSession.objects.filter(session_key=session_key).delete()
        end_session_connections(session_keys=[session_key])


def end_device(*, profile: Profile, device_id: int, current_session_key: str) -> None:
    """Ends one of the profile's other devices: its Django session and its row. Locks the row."""
    with transaction.atomic():
        device = DeviceSession.objects.select_for_update().filter(id=device_id, profile_id=profile.pk).first()
        if device is None:
            raise Refusal("device_not_found", _("This device is not signed in any more."), status=404)
        if device.session_key == current_session_key:
            raise Refusal("current_device", _("This is the device you are using. To end it, sign out."))
        _delete_sessions([device.session_key])
        device.delete()
        end_session_connections(session_keys=[device.session_key])


def end_other_devices(*, profile: Profile, current_session_key: str) -> int:
    """Ends every session of the profile except the current one; returns how many were ended. Locks the rows."""
    with transaction.atomic():
        others = DeviceSession.objects.select_for_update().filter(profile_id=profile.pk)
        keys = list(others.exclude(session_key=current_session_key).values_list("session_key", flat=True))
        _delete_sessions(keys)
        DeviceSession.objects.filter(session_key__in=keys).delete()
        end_session_connections(session_keys=keys)  # their open WebSockets close after the commit
    return len(keys)


def _delete_sessions(session_keys: list[str]) -> None:
    # Through the session engine, not the Session model: cached sessions must leave the cache too.
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    for key in session_keys:
        store_class().delete(key)
