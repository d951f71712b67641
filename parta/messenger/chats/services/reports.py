"""«Пожаловаться» (C7): a member reports a message to the organization's admins, who read and resolve reports."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parta.messenger.accounts.models import Profile
from parta.messenger.chats.errors import ChatRefusal
from parta.messenger.chats.models import Message, Report
from parta.messenger.chats.selectors import get_membership, get_message
from parta.messenger.orgs.selectors import admin_organization_ids, confirmed_roles


def _organization_for(message: Message, reporter: Profile) -> int | None:
    """Whose admins get the report: the chat's organization; else one the sender and the reporter share; else the
    sender's; else the reporter's."""
    if message.chat.organization_id:
        return message.chat.organization_id
    sender_orgs = (
        list(confirmed_roles(message.sender_id).values_list("organization_id", flat=True)) if message.sender_id else []
    )
    reporter_orgs = list(confirmed_roles(reporter.pk).values_list("organization_id", flat=True))
    shared = [org for org in sender_orgs if org in reporter_orgs]
    for candidates in (shared, sender_orgs, reporter_orgs):
        if candidates:
            return min(candidates)
    return None


def report_message(*, reporter: Profile, chat_id: int, message_id: int, reason: str = "") -> Report:
    """Reports a message of one's chat; reporting it again returns the first report."""
    get_membership(profile=reporter, chat_id=chat_id)
    message = get_message(chat_id=chat_id, message_id=message_id)
    if message.deleted_at is not None:
        raise ChatRefusal("message_deleted", _("This message has been deleted."), status=409)
    if message.sender_id == reporter.pk:
        raise ChatRefusal("report_own_message", _("You cannot report your own message."))
    existing = Report.objects.filter(message=message, reporter=reporter).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Report.objects.create(
                message=message,
                reporter=reporter,
                organization_id=_organization_for(message, reporter),
                reason=reason.strip()[:500],
                text_snapshot=message.text,
            )
    except IntegrityError:  # the same person reported it twice at once
        return Report.objects.get(message=message, reporter=reporter)


def resolve_report(*, admin: Profile, report_id: int) -> Report:
    """Marks a report dealt with; only a confirmed admin of the report's organization may."""
    report = Report.objects.filter(pk=report_id, organization_id__in=admin_organization_ids(admin.pk)).first()
    if report is None:
        raise ChatRefusal("report_not_found", _("There is no such report among your organization's."), status=404)
    if report.resolved_at is None:
        report.resolved_at = timezone.now()
        report.save(update_fields=["resolved_at"])
    return report
