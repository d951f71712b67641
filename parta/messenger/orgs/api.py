"""People and roles (/api/v1/people/…): finding people one may reach (C7) and one's own roles (A4, L2)."""

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router

from parta.messenger.accounts.current import current_profile
from parta.messenger.errors import Refusal
from parta.messenger.orgs.schemas import MyRolesOut, PersonFoundOut, person_found_out, role_out
from parta.messenger.orgs.selectors import PEOPLE_QUERY_MIN_LENGTH, roles_of, search_people
from parta.messenger.webapi import answer_refusals, error_responses

router = Router(tags=["people"])


@router.get(
    "/",
    response={200: list[PersonFoundOut], **error_responses(400)},
    summary="Find people I may write to, by name (at least 2 letters)",
)
@answer_refusals
def find_people(request: HttpRequest, q: str) -> list[PersonFoundOut]:
    if len(q.strip()) < PEOPLE_QUERY_MIN_LENGTH:
        raise Refusal("query_too_short", _("Type at least two letters of the name."))
    return [person_found_out(person) for person in search_people(current_profile(request), q)]


@router.get("/me/roles/", response=MyRolesOut, summary="My organizations and roles")
def my_roles(request: HttpRequest) -> MyRolesOut:
    roles = roles_of(current_profile(request).pk)
    return MyRolesOut(roles=[role_out(r) for r in roles], has_confirmed_role=any(r.confirmed for r in roles))
