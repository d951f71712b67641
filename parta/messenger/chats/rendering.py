"""Message text → safe HTML (C6): text is stored exactly as typed and rendered here for every reader.

Everything is escaped first; web addresses become links that open in a new tab and pass no referrer or ranking;
line breaks become <br>. The result then goes through nh3 with a two-tag allow-list, a last guard should the
escaping above ever be wrong.
"""

from __future__ import annotations

import re

import nh3
from django.utils.html import escape

LINK_REL = "noopener noreferrer nofollow"
URL_RE = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'«»]+")
TRAILING = ".,;:!?'\"»)]}"
ALLOWED_TAGS = {"a", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href", "target"}}


def _trim(url: str) -> str:
    """Drops punctuation that ends a sentence rather than the address; keeps a closing bracket the address opened
    (https://ru.wikipedia.org/wiki/Парта_(мебель))."""
    while url and url[-1] in TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _link(url: str) -> str:
    href = url if "://" in url else f"https://{url}"
    return f'<a href="{escape(href)}" target="_blank" rel="{LINK_REL}">{escape(url)}</a>'


def linkify(text: str) -> str:
    parts: list[str] = []
    position = 0
    for match in URL_RE.finditer(text):
        url = _trim(match.group(0))
        if not url or url.lower() in {"www.", "http://", "https://"}:
            continue
        parts.append(escape(text[position : match.start()]))
        parts.append(_link(url))
        position = match.start() + len(url)
    parts.append(escape(text[position:]))
    return "".join(parts)


def message_html(text: str) -> str:
    """The HTML a client shows for a message's text: escaped, links clickable, sanitized."""
    if not text:
        return ""
    html = linkify(text.replace("\r\n", "\n")).replace("\n", "<br>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
    )
