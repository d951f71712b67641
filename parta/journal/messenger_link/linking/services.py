"""Writes for linking (L1, L2, L6): asking the messenger to link or unlink a person, and keeping what it confirmed."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.db import transaction
from django.utils import timezone

from parta.common.integration.schemas import LinkResult, WebhookEvent
from parta.journal.accounts.models import User
from parta.journal.messenger_link import client
from parta.journal.messenger_link.client import Config, Refused
from parta.journal.messenger_link.linking import selectors
from parta.journal.messenger_link.models import MessengerLink
from parta.journal.messenger_link.refs import person_ref

NOT_LINKED = "not_linked"


async def alink_account(
    *, user: User, access_token: str, subject: str, profile_name: str, replace: bool
) -> MessengerLink | None:
    """POST /link with the person's token and keep the link the messenger confirmed.

    None when the account has no role in any school (nothing to link). Raises client.Unavailable or client.Refused
    (e.g. `linked_to_another_profile` when `replace` is False and the profile is linked with another account).
    """
    request = await sync_to_async(selectors.link_request)(user=user)
    if request is None:
        return None
    request.replace_existing = replace
    result = await client.alink(Config.from_settings(), access_token=access_token, request=request)
    return await sync_to_async(record_link)(user=user, subject=subject, profile_name=profile_name, result=result)


async def aunlink_account(*, user: User) -> None:
    """The messenger first; the journal forgets the link once the messenger agreed (or had no link).

    Raises client.Unavailable, or client.Refused for a refusal other than `not_linked`.
    """
    try:
        await client.aunlink(Config.from_settings(), person_id=person_ref(user.pk))
    except Refused as error:
        if error.error.code != NOT_LINKED:
            raise
    await sync_to_async(forget_link)(user_id=user.pk)


@transaction.atomic
def record_link(*, user: User, subject: str, profile_name: str, result: LinkResult) -> MessengerLink:
    """Keeps what the messenger confirmed: this account is linked with that profile (replacing an older link)."""
    link, _created = MessengerLink.objects.update_or_create(
        user=user,
        defaults={
            "profile_id": result.profile_id,
            "subject": subject,
            "profile_name": profile_name[:255],
            "roles": [role.model_dump(mode="json") for role in result.confirmed_roles],
            "chats_url": result.chats_url,
            "linked_at": timezone.now(),
        },
    )
    return link


def forget_link(*, user_id: int) -> bool:
    """The link is gone on the messenger's side (unlinked here or there): the journal forgets it too."""
    deleted, _ = MessengerLink.objects.filter(user_id=user_id).delete()
    return bool(deleted)


def apply_link_removed(event: WebhookEvent) -> None:
    """The webhook `link.removed`: the person unlinked in the messenger (or a messenger admin did); the journal
    agrees (L6)."""
    person, profile = str(event.data.get("person_id") or ""), event.data.get("profile_id")
    if person.isdigit():
        MessengerLink.objects.filter(user_id=int(person)).delete()
    elif isinstance(profile, int):
        MessengerLink.objects.filter(profile_id=profile).delete()


def chats_url(link: MessengerLink) -> str:
    """Where «Перейти в чат» leads: the messenger's chat list the link names, else the configured one."""
    return link.chats_url or Config.from_settings().chats_url
