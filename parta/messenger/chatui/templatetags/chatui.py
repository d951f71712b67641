"""The chat list's first paint on the server: the same words and times the ES module draws (list.js) afterwards."""

from __future__ import annotations

import datetime

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parta.messenger.chats.schemas import ChatOut

register = template.Library()

ICONS = {"pencil": "M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4"}  # the same drawings as dom.js


@register.simple_tag
def chat_icon(name: str) -> SafeString:
    return format_html(
        '<svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false" class="chat-icon">'
        '<path d="{}"></path></svg>',
        ICONS[name],
    )


@register.filter
def chat_initials(name: str) -> str:
    parts = str(name or "").split()[:2]
    return "".join(part[0].upper() for part in parts) or "?"


@register.filter
def chat_list_time(moment: datetime.datetime | None) -> str:
    """Today: the time; this week: the weekday; earlier: the date."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    days = (timezone.localdate() - local.date()).days
    if days <= 0:
        return formats.time_format(local, "H:i")
    if days < 7:
        return formats.date_format(local, "D")
    return formats.date_format(local, "d.m.y")


def _attachment_word(kind: str) -> str:
    words = {"image": _("Photo"), "audio": _("Audio"), "video": _("Video"), "file": _("File")}
    return words.get(kind, words["file"])


@register.simple_tag
def chat_preview(chat: ChatOut, me_id: int) -> str:
    """«Вы: …», «Аня: …», «Фото», «Сообщение удалено» — what the row says about the last message."""
    last = chat.last_message
    if last is None:
        return _("No messages yet")
    if last.is_deleted:
        return _("Message deleted")
    text = " ".join(last.text.split())
    if not text and last.attachment_kind:
        text = _attachment_word(last.attachment_kind)
    if last.sender is not None and last.sender.id == me_id:
        return _("You: %(text)s") % {"text": text}
    if not chat.is_direct and last.sender is not None:
        return _("%(name)s: %(text)s") % {"name": last.sender.short_name.split(" ")[0], "text": text}
    return text


@register.simple_tag
def chat_unread_label(count: int) -> str:
    return ngettext("%(count)s unread message", "%(count)s unread messages", count) % {"count": count}
