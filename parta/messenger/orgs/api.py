"""People and roles (/api/v1/people/…): finding people one may reach (C7) and one's own roles (A4, L2)."""

from typing import cast

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router

from parta.messenger.accounts.models import Profile
from parta.messenger.chats.errors import ChatRefusal, answer_refusals
from parta.messenger.chats.schemas import ErrorOut
from parta.messenger.orgs.schemas import MyRolesOut, PersonFoundOut, person_found_out, role_out
from parta.messenger.orgs.selectors import PEOPLE_QUERY_MIN_LENGTH, roles_of, search_people

router = Router(tags=["people"])


@router.get(
    "/",
    response={200: list[PersonFoundOut], 400: ErrorOut},
    summary="Find people I may write to, by name (at least 2 letters)",
)
@answer_refusals
def find_people(request: HttpRequest, q: str) -> list[PersonFoundOut]:
    if len(q.strip()) < PEOPLE_QUERY_MIN_LENGTH:
        raise ChatRefusal("query_too_short", _("Type at least two letters of the name."))
    return [person_found_out(person) for person in search_people(cast(Profile, request.user), q)]


@router.get("/me/roles/", response=MyRolesOut, summary="My organizations and roles")
def my_roles(request: HttpRequest) -> MyRolesOut:
    roles = roles_of(cast(Profile, request.user).pk)
    return MyRolesOut(roles=[role_out(r) for r in roles], has_confirmed_role=any(r.confirmed for r in roles))
