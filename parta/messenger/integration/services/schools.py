"""The school row lock: everything that changes a school's mirror, its links' roles or its chats holds it first."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from parta.messenger.integration.models import Journal, MirrorSchool
from parta.messenger.orgs.models import Organization


def _create_school(*, journal: Journal, external_id: str, name: str, region: str) -> None:
    """Creates the school's mirror and organization unless a concurrent call did (the unique key decides)."""
    try:
        with transaction.atomic():
            organization = Organization.objects.create(
                name=name or external_id, region=region or journal.region, external_id=external_id
            )
            MirrorSchool.objects.create(journal=journal, external_id=external_id, organization=organization)
    except IntegrityError:
        pass


def lock_schools(*, journal: Journal, external_ids: Iterable[str], create: bool) -> dict[str, MirrorSchool]:
    """The journal's schools with these ids, locked (select_for_update) in id order, so two writers never deadlock.

    With `create`, a school the messenger does not know yet gets a placeholder (its name is its id until the
    roster arrives): a person may link before the journal's first roster batch. Must run inside a transaction.
    """
    wanted = sorted(set(external_ids))
    if create:
        known = set(
            MirrorSchool.objects.filter(journal=journal, external_id__in=wanted).values_list("external_id", flat=True)
        )
        for external_id in wanted:
            if external_id not in known:
                _create_school(journal=journal, external_id=external_id, name="", region="")
    locked = (
        MirrorSchool.objects.select_for_update(of=("self",))
        .filter(journal=journal, external_id__in=wanted)
        .select_related("organization")
        .order_by("pk")
    )
    return {school.external_id: school for school in locked}


def lock_school(
    *, journal: Journal, external_id: str, create: bool, name: str = "", region: str = ""
) -> MirrorSchool | None:
    """One school, locked (see `lock_schools`); created with this name and region when missing and `create`."""
    if create and not MirrorSchool.objects.filter(journal=journal, external_id=external_id).exists():
        _create_school(journal=journal, external_id=external_id, name=name, region=region)
    return lock_schools(journal=journal, external_ids=[external_id], create=False).get(external_id)
