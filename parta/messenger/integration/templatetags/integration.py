"""`{% journal_links profile as links %}`: the profile page's «Электронный журнал» section (an include of this app)."""

from __future__ import annotations

from django import template

from parta.messenger.accounts.models import Profile
from parta.messenger.integration.models import PersonLink
from parta.messenger.integration.selectors import links_of

register = template.Library()


@register.simple_tag
def journal_links(profile: Profile) -> list[PersonLink]:
    return links_of(profile.pk)
