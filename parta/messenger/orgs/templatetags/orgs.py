"""`{% profile_roles profile as roles %}`: the profile page's «Роли в школах» section (an include of this app), so
the accounts app's page shows roles without importing the app above it."""

from __future__ import annotations

from django import template

from parta.messenger.accounts.models import Profile
from parta.messenger.orgs.models import Role
from parta.messenger.orgs.selectors import roles_of

register = template.Library()


@register.simple_tag
def profile_roles(profile: Profile) -> list[Role]:
    return roles_of(profile.pk)
