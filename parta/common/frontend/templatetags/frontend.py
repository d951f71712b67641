"""`{% load frontend %}{% entry_script "messenger/chat/app" %}`: a page's module from the build's manifest, with a
modulepreload link for each chunk it imports, so the browser fetches them in parallel."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from parta.common.frontend.manifest import bundle_url, get_entry

register = template.Library()


@register.simple_tag
def entry_script(name: str) -> SafeString:
    entry = get_entry(name)
    preloads = format_html_join(
        "", '<link rel="modulepreload" href="{}">', ((bundle_url(chunk),) for chunk in entry.imports)
    )
    return format_html('{}<script type="module" src="{}"></script>', preloads, bundle_url(entry.file))
