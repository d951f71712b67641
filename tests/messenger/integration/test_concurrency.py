"""Concurrent links and roster batches of one school on PostgreSQL: real threads, real transactions. Every writer
holds the school's row lock, so a reconcile never works from a stale picture and nobody's membership is lost."""

# covers: C1, L3

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from parta.common.integration.schemas import LinkRequest, RosterBatch
from parta.messenger.chats.models import Membership
from parta.messenger.integration.models import Journal, MirrorSchool
from parta.messenger.integration.services.linking import link_person
from parta.messenger.integration.services.roster import apply_roster
from tests.messenger.concurrency import at_once
from tests.messenger.integration.helpers import School, link_request, new_profile, person, register, student_role

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and concurrent writers: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_students_linking_at_once_all_land_in_their_class_chat() -> None:
    register()
    journal = Journal.objects.get()
    school = School()
    batch = school.full()
    batch["upserts"]["students"] += [person(f"x{n}", "Ученик", str(n), class_id="c7b") for n in range(6)]
    apply_roster(journal=journal, batch=RosterBatch.model_validate(batch), idempotency_key="full")
    students = {f"x{n}": new_profile("Ученик", str(n)) for n in range(6)}

    def linker(person_id: str) -> Callable[[], Any]:
        request = LinkRequest.model_validate(link_request(person_id, [student_role("c7b")]))
        return lambda: link_person(journal=journal, profile=students[person_id], request=request)

    results = at_once([linker(person_id) for person_id in students])

    assert not [r for r in results if isinstance(r, Exception)], results
    in_chat = set(Membership.objects.filter(chat__title="7Б — ученики").values_list("profile_id", flat=True))
    assert in_chat == {profile.pk for profile in students.values()}


def test_a_link_and_a_roster_change_at_once_both_take_effect() -> None:
    register()
    journal = Journal.objects.get()
    school = School()
    apply_roster(journal=journal, batch=RosterBatch.model_validate(school.full()), idempotency_key="full")
    petya, masha = new_profile("Иванов", "Петя"), new_profile("Смирнова", "Маша")
    link_person(
        journal=journal, profile=petya, request=LinkRequest.model_validate(link_request("st1", [student_role("c7b")]))
    )
    move = RosterBatch.model_validate(
        school.change(upserts={"students": [person("st1", "Иванов", "Петя", class_id="c8a")]})
    )
    masha_links = LinkRequest.model_validate(link_request("st2", [student_role("c7b")]))

    results = at_once(
        [
            lambda: apply_roster(journal=journal, batch=move, idempotency_key=str(uuid.uuid4())),
            lambda: link_person(journal=journal, profile=masha, request=masha_links),
        ]
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert MirrorSchool.objects.get().sequence == 2
    chats = dict(Membership.objects.filter(profile__in=[petya, masha]).values_list("profile_id", "chat__title"))
    assert chats == {petya.pk: "8А — ученики", masha.pk: "7Б — ученики"}
