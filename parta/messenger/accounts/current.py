"""The signed-in profile of a request, for the views and API endpoints of every app (one helper, not one per app)."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from parta.messenger.accounts.models import Profile


def current_profile(request: HttpRequest) -> Profile:
    """The request's profile, once `login_required` or ninja's `django_auth` has let only a signed-in one through.

    Narrows the type; a request without a profile (a view that forgot the check) answers 404, never another's data.
    """
    user = request.user
    if not isinstance(user, Profile):
        raise Http404
    return user
