"""What the integration API refuses: a stable code for the journal's program and a Russian message for the person.

Services raise `IntegrationError` (a kind of `Refusal`); the API answers it as `ApiError`
(parta.common.integration.schemas) with its status. The codes are listed in docs/integration-api.md; never rename one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from parta.messenger.errors import Refusal

HELP_PATH = "/help/"


def help_url(anchor: str) -> str:
    """The «Помощник» page of the messenger, at the section about this problem."""
    return f"{settings.MESSENGER_URL}{HELP_PATH}#{anchor}"


class IntegrationError(Refusal):
    """A refusal of the integration API: a `Refusal` whose answer also links the «Помощник» page (`help_url`) and may
    carry more fields (`extra`, e.g. `expected_sequence`)."""

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        status: int = 400,
        help_anchor: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(code, message, status=status)
        self.help_anchor = help_anchor
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        url = help_url(self.help_anchor) if self.help_anchor else None
        return {**super().body(), "help_url": url, **self.extra}


CHILD_ON_ADULT_PROFILE = _(
    "This educational profile belongs to an adult: it already has the role of a teacher, a parent or a school admin. "
    "Do not register a child's profile on a parent's phone — it mixes up the roles, and the child would see the "
    "parent's chats. The child needs an educational profile of their own: with their own phone number or, for a "
    "child under 14, with an e-mail address. Sign out, sign in with the child's phone or e-mail and link again."
)
ADULT_ON_CHILD_PROFILE = _(
    "This educational profile belongs to a student. A parent or a teacher cannot be linked to a child's profile: "
    "sign in to the messenger with your own phone number and link again."
)
MIXED_ROLES = _(
    "One journal account cannot be a student and an adult (a teacher, a parent or an admin) at once. Ask the school "
    "to check the account in the journal."
)
LINKED_ELSEWHERE = _(
    "This journal account is already linked with another educational profile. To move the link to the profile you "
    "are signed in with now, confirm it in the journal: the other profile will lose the roles and chats of this "
    "account."
)


def child_on_adult_profile() -> IntegrationError:
    return IntegrationError(
        "child_on_adult_profile", CHILD_ON_ADULT_PROFILE, status=403, help_anchor="child-on-parent-phone"
    )


def adult_on_child_profile() -> IntegrationError:
    return IntegrationError(
        "adult_on_child_profile", ADULT_ON_CHILD_PROFILE, status=403, help_anchor="child-on-parent-phone"
    )


def mixed_roles() -> IntegrationError:
    return IntegrationError("student_and_adult_roles", MIXED_ROLES, status=422, help_anchor="child-on-parent-phone")


def linked_elsewhere() -> IntegrationError:
    return IntegrationError("linked_to_another_profile", LINKED_ELSEWHERE, status=409, help_anchor="relink")


def sequence_gap(expected: int) -> IntegrationError:
    return IntegrationError(
        "sequence_gap",
        _("A roster batch of this school is missing: send the batches from number %(expected)s on, in order.")
        % {"expected": expected},
        status=409,
        extra={"expected_sequence": expected},
    )


def unknown_reference(problems: list[str]) -> IntegrationError:
    listed = "; ".join(problems[:20])
    return IntegrationError(
        "unknown_reference",
        _("The batch refers to what the roster does not have: %(problems)s") % {"problems": listed},
        status=422,
    )


def unknown_lesson_reference(problems: list[str]) -> IntegrationError:
    """A lesson call names a class (or another thing) the school's roster does not have."""
    return IntegrationError(
        "unknown_reference",
        _("The roster of the school does not have: %(problems)s") % {"problems": "; ".join(problems[:20])},
        status=404,
    )


def unknown_call() -> IntegrationError:
    return IntegrationError("call_not_found", _("This journal has no such online lesson."), status=404)


def unknown_school(school_id: str) -> IntegrationError:
    return IntegrationError(
        "unknown_school",
        _("The messenger has no roster of school %(school)s yet: send its full roster first.") % {"school": school_id},
        status=404,
    )


def not_linked() -> IntegrationError:
    return IntegrationError(
        "not_linked", _("This journal account is not linked with an educational profile."), status=404
    )


def person_token_required() -> IntegrationError:
    return IntegrationError(
        "person_token_required",
        _("This call needs the person's access token (the authorization code flow), not the server's."),
        status=403,
    )


def server_token_required() -> IntegrationError:
    return IntegrationError(
        "server_token_required",
        _("This call needs the journal server's access token (the client credentials grant with scope roster)."),
        status=403,
    )


def idempotency_key_required() -> IntegrationError:
    return IntegrationError(
        "idempotency_key_required", _("Send the Idempotency-Key header with every roster batch."), status=400
    )


def idempotency_key_reused() -> IntegrationError:
    return IntegrationError(
        "idempotency_key_reused",
        _("This Idempotency-Key was already used for a different request. Use a new key for every new batch."),
        status=422,
    )


INVALID_TOKEN = _(
    "The access token is missing, expired or revoked, or its journal is not registered. Get a new token at /o/token/."
)


def person_id_required() -> IntegrationError:
    return IntegrationError(
        "person_id_required", _("With the server's token, say whose link to remove: ?person_id=…"), status=400
    )
