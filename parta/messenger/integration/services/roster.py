"""Roster batches (POST /integration/v1/roster): the journal's school into the mirror, then its chats (C1).

A batch of one school is applied in that school's sequence order, once: the school's row is locked, a batch whose
sequence is already applied is a duplicate (answered, not applied), a gap is refused with the sequence expected. A
full batch replaces the school's mirror and may skip ahead (it carries everything). Writes are set-based (bulk
upserts keyed by the journal's ids), so a school of thousands of people costs a few dozen statements.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TypeVar

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parta.common.integration.schemas import ClassIn, LoadIn, RosterBatch, RosterDeletes, RosterResult
from parta.messenger.integration import errors
from parta.messenger.integration.models import (
    IdempotencyRecord,
    Journal,
    MirrorClass,
    MirrorFamily,
    MirrorGroup,
    MirrorLoad,
    MirrorPerson,
    MirrorSchool,
    MirrorSubject,
    PersonKind,
)
from parta.messenger.integration.services.provisioning import reconcile_school
from parta.messenger.integration.services.schools import lock_school
from parta.messenger.orgs.models import OrgClass

T = TypeVar("T")
BATCH_SIZE = 500


def _last_by_id(items: Iterable[T]) -> list[T]:
    """One item per external id (the last wins): a bulk upsert may not touch one row twice."""
    return list({item.external_id: item for item in items}.values())  # type: ignore[attr-defined]


class RosterWriter:
    """Applies one batch to one school's mirror. Collects references to what the roster lacks and refuses the whole
    batch with them (unknown_reference, 422): the transaction rolls back, nothing half-applied stays."""

    def __init__(self, school: MirrorSchool, batch: RosterBatch) -> None:
        self.school = school
        self.batch = batch
        self.problems: list[str] = []

    def apply(self) -> None:
        self._update_school()
        self._delete(self._full_deletes() if self.batch.full else self.batch.deletes)
        self._upsert_classes()
        self._upsert_subjects()
        self._upsert_people()
        self._set_class_teachers()
        self._set_families()
        self._upsert_groups()
        self._upsert_load()
        if self.problems:
            raise errors.unknown_reference(self.problems)

    # --- lookups --------------------------------------------------------------------------------------------------

    def _ids(self, model: type[MirrorClass | MirrorSubject | MirrorGroup]) -> dict[str, int]:
        return dict(model.objects.filter(school=self.school).values_list("external_id", "pk"))

    def _people_ids(self, kind: str) -> dict[str, int]:
        return dict(MirrorPerson.objects.filter(school=self.school, kind=kind).values_list("external_id", "pk"))

    def _resolve(self, ids: dict[str, int], external_id: str, what: str) -> int | None:
        pk = ids.get(external_id)
        if pk is None:
            self.problems.append(f"{what} {external_id}")
        return pk

    # --- school and deletes ---------------------------------------------------------------------------------------

    def _update_school(self) -> None:
        organization = self.school.organization
        school = self.batch.school
        region = school.region or organization.region
        if (organization.name, organization.region, organization.external_id) != (
            school.name,
            region,
            school.external_id,
        ):
            organization.name, organization.region, organization.external_id = school.name, region, school.external_id
            organization.save(update_fields=["name", "region", "external_id"])

    def _full_deletes(self) -> RosterDeletes:
        """What the mirror has and a full batch lacks (plus what the batch deletes explicitly)."""
        upserts, explicit = self.batch.upserts, self.batch.deletes

        def gone(existing: Iterable[str], kept: Iterable[str], also: list[str]) -> list[str]:
            return sorted((set(existing) - set(kept)) | set(also))

        people = MirrorPerson.objects.filter(school=self.school)
        kept_load = {(x.teacher_id, x.class_id, x.subject_id, x.group_id) for x in upserts.load}
        existing_load = MirrorLoad.objects.filter(school=self.school).values_list(
            "teacher__external_id", "school_class__external_id", "subject__external_id", "group__external_id"
        )
        return RosterDeletes(
            classes=gone(self._ids(MirrorClass), [x.external_id for x in upserts.classes], explicit.classes),
            subjects=gone(self._ids(MirrorSubject), [x.external_id for x in upserts.subjects], explicit.subjects),
            teachers=gone(
                people.filter(kind=PersonKind.TEACHER).values_list("external_id", flat=True),
                [x.external_id for x in upserts.teachers],
                explicit.teachers,
            ),
            students=gone(
                people.filter(kind=PersonKind.STUDENT).values_list("external_id", flat=True),
                [x.external_id for x in upserts.students],
                explicit.students,
            ),
            parents=gone(
                people.filter(kind=PersonKind.PARENT).values_list("external_id", flat=True),
                [x.external_id for x in upserts.parents],
                explicit.parents,
            ),
            groups=gone(self._ids(MirrorGroup), [x.external_id for x in upserts.groups], explicit.groups),
            load=[
                LoadIn(teacher_id=t, class_id=c, subject_id=s, group_id=g)
                for t, c, s, g in existing_load
                if (t, c, s, g) not in kept_load
            ],
        )

    def _delete(self, deletes: RosterDeletes) -> None:
        self._delete_load(deletes.load)
        MirrorGroup.objects.filter(school=self.school, external_id__in=deletes.groups).delete()
        for kind, ids in (
            (PersonKind.PARENT, deletes.parents),
            (PersonKind.STUDENT, deletes.students),
            (PersonKind.TEACHER, deletes.teachers),
        ):
            if ids:
                MirrorPerson.objects.filter(school=self.school, kind=kind, external_id__in=ids).delete()
        MirrorSubject.objects.filter(school=self.school, external_id__in=deletes.subjects).delete()
        if deletes.classes:
            # The class itself (OrgClass) goes; its mirror row, groups, load and subject chats go with it.
            OrgClass.objects.filter(mirror__school=self.school, mirror__external_id__in=deletes.classes).delete()

    def _delete_load(self, rows: list[LoadIn]) -> None:
        if not rows:
            return
        condition = Q()
        for row in rows:
            condition |= (
                Q(
                    teacher__external_id=row.teacher_id,
                    school_class__external_id=row.class_id,
                    subject__external_id=row.subject_id,
                    group__external_id=row.group_id,
                )
                if row.group_id
                else Q(
                    teacher__external_id=row.teacher_id,
                    school_class__external_id=row.class_id,
                    subject__external_id=row.subject_id,
                    group=None,
                )
            )
        MirrorLoad.objects.filter(Q(school=self.school) & condition).delete()

    # --- classes ----------------------------------------------------------------------------------------------------

    def _upsert_classes(self) -> None:
        items = _last_by_id(self.batch.upserts.classes)
        if not items:
            return
        organization = self.school.organization
        existing = {
            mirror.external_id: mirror
            for mirror in MirrorClass.objects.filter(school=self.school).select_related("org_class")
        }
        renamed = [
            (existing[item.external_id].org_class, item.name)
            for item in items
            if item.external_id in existing and existing[item.external_id].org_class.name != item.name
        ]
        self._rename(renamed)
        for item in items:
            if item.external_id not in existing:
                self._create_class(organization.pk, item)

    def _rename(self, renamed: list[tuple[OrgClass, str]]) -> None:
        """Renames through a temporary name first: a batch may swap two classes' names (unique per school)."""
        if not renamed:
            return
        taken = self._names_kept_by_others({org_class.pk for org_class, _ in renamed})
        clashes = [name for _, name in renamed if name in taken]
        if clashes:
            self.problems.extend(f"class name {name} (already taken)" for name in clashes)
            return
        for org_class, _ in renamed:
            org_class.name = f"~{org_class.pk}"
        OrgClass.objects.bulk_update([org_class for org_class, _ in renamed], ["name"])
        for org_class, name in renamed:
            org_class.name = name
        OrgClass.objects.bulk_update([org_class for org_class, _ in renamed], ["name"])

    def _names_kept_by_others(self, moving: set[int]) -> set[str]:
        return set(
            OrgClass.objects.filter(organization=self.school.organization)
            .exclude(pk__in=moving)
            .values_list("name", flat=True)
        )

    def _create_class(self, organization_id: int, item: ClassIn) -> None:
        """A new class: a free OrgClass of that name is adopted (e.g. made by hand before the journal came)."""
        org_class = OrgClass.objects.filter(organization_id=organization_id, name=item.name, mirror=None).first()
        if org_class is None:
            if OrgClass.objects.filter(organization_id=organization_id, name=item.name).exists():
                self.problems.append(f"class name {item.name} (already taken)")
                return
            org_class = OrgClass.objects.create(organization_id=organization_id, name=item.name)
        org_class.external_id = item.external_id
        org_class.save(update_fields=["external_id"])
        MirrorClass.objects.create(school=self.school, external_id=item.external_id, org_class=org_class)

    def _set_class_teachers(self) -> None:
        items = _last_by_id(self.batch.upserts.classes)
        if not items:
            return
        classes = {m.external_id: m for m in MirrorClass.objects.filter(school=self.school)}
        teachers = self._people_ids(PersonKind.TEACHER)
        changed = []
        for item in items:
            mirror = classes.get(item.external_id)
            if mirror is None:
                continue  # refused above
            teacher = self._resolve(teachers, item.class_teacher_id, "class teacher") if item.class_teacher_id else None
            if mirror.class_teacher_id != teacher:
                mirror.class_teacher_id = teacher
                changed.append(mirror)
        MirrorClass.objects.bulk_update(changed, ["class_teacher"])

    # --- subjects, people, families ---------------------------------------------------------------------------------

    def _upsert_subjects(self) -> None:
        rows = [
            MirrorSubject(school=self.school, external_id=item.external_id, name=item.name)
            for item in _last_by_id(self.batch.upserts.subjects)
        ]
        MirrorSubject.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["school", "external_id"],
            update_fields=["name"],
            batch_size=BATCH_SIZE,
        )

    def _upsert_people(self) -> None:
        upserts = self.batch.upserts
        classes = self._ids(MirrorClass)
        rows = [
            MirrorPerson(
                school=self.school,
                kind=PersonKind.TEACHER,
                external_id=item.external_id,
                last_name=item.last_name,
                first_name=item.first_name,
                patronymic=item.patronymic,
            )
            for item in _last_by_id(upserts.teachers)
        ]
        for student in _last_by_id(upserts.students):
            class_pk = self._resolve(classes, student.class_id, f"class of student {student.external_id}:")
            rows.append(
                MirrorPerson(
                    school=self.school,
                    kind=PersonKind.STUDENT,
                    external_id=student.external_id,
                    last_name=student.last_name,
                    first_name=student.first_name,
                    patronymic=student.patronymic,
                    school_class_id=class_pk,
                    birth_date=student.birth_date,
                )
            )
        rows.extend(
            MirrorPerson(
                school=self.school,
                kind=PersonKind.PARENT,
                external_id=item.external_id,
                last_name=item.last_name,
                first_name=item.first_name,
                patronymic=item.patronymic,
            )
            for item in _last_by_id(upserts.parents)
        )
        MirrorPerson.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["school", "kind", "external_id"],
            update_fields=["last_name", "first_name", "patronymic", "school_class", "birth_date"],
            batch_size=BATCH_SIZE,
        )

    def _set_families(self) -> None:
        """Each parent in the batch has exactly the children it lists."""
        parents = _last_by_id(self.batch.upserts.parents)
        if not parents:
            return
        parent_ids = self._people_ids(PersonKind.PARENT)
        student_ids = self._people_ids(PersonKind.STUDENT)
        MirrorFamily.objects.filter(parent_id__in=[parent_ids[p.external_id] for p in parents]).delete()
        rows = []
        for parent in parents:
            for child in dict.fromkeys(parent.children):
                child_pk = self._resolve(student_ids, child, f"child of parent {parent.external_id}: student")
                if child_pk is not None:
                    rows.append(MirrorFamily(parent_id=parent_ids[parent.external_id], child_id=child_pk))
        MirrorFamily.objects.bulk_create(rows, batch_size=BATCH_SIZE)

    # --- groups and load ---------------------------------------------------------------------------------------------

    def _upsert_groups(self) -> None:
        groups = _last_by_id(self.batch.upserts.groups)
        if not groups:
            return
        classes = self._ids(MirrorClass)
        rows = []
        for group in groups:
            class_pk = self._resolve(classes, group.class_id, f"class of group {group.external_id}:")
            if class_pk is not None:
                rows.append(
                    MirrorGroup(
                        school=self.school, external_id=group.external_id, school_class_id=class_pk, name=group.name
                    )
                )
        MirrorGroup.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["school", "external_id"],
            update_fields=["school_class", "name"],
            batch_size=BATCH_SIZE,
        )
        group_ids, student_ids = self._ids(MirrorGroup), self._people_ids(PersonKind.STUDENT)
        through = MirrorGroup.students.through
        saved = [g for g in groups if g.external_id in group_ids]
        through.objects.filter(mirrorgroup_id__in=[group_ids[g.external_id] for g in saved]).delete()
        members = []
        for group in saved:
            for student in dict.fromkeys(group.student_ids):
                pk = self._resolve(student_ids, student, f"student of group {group.external_id}:")
                if pk is not None:
                    members.append(through(mirrorgroup_id=group_ids[group.external_id], mirrorperson_id=pk))
        through.objects.bulk_create(members, batch_size=BATCH_SIZE)

    def _upsert_load(self) -> None:
        items = self.batch.upserts.load
        if not items:
            return
        teachers, classes = self._people_ids(PersonKind.TEACHER), self._ids(MirrorClass)
        subjects, groups = self._ids(MirrorSubject), self._ids(MirrorGroup)
        rows = []
        for item in items:
            teacher = self._resolve(teachers, item.teacher_id, "teacher of load:")
            class_pk = self._resolve(classes, item.class_id, "class of load:")
            subject = self._resolve(subjects, item.subject_id, "subject of load:")
            group = self._resolve(groups, item.group_id, "group of load:") if item.group_id else None
            if teacher is None or class_pk is None or subject is None or (item.group_id and group is None):
                continue
            rows.append(
                MirrorLoad(
                    school=self.school, teacher_id=teacher, school_class_id=class_pk, subject_id=subject, group_id=group
                )
            )
        MirrorLoad.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH_SIZE)


def _request_hash(batch: RosterBatch) -> str:
    return hashlib.sha256(batch.model_dump_json().encode()).hexdigest()


def apply_roster(*, journal: Journal, batch: RosterBatch, idempotency_key: str) -> RosterResult:
    """Applies a roster batch of one school (see the module doc) and answers what was applied.

    Locks the school's row for the whole transaction: batches of one school, links and subject chats of its people
    never interleave. A repeat of an Idempotency-Key gets the first answer with `duplicate` set; the key with a
    different body is refused. A refused batch (gap, unknown references) leaves no trace, so it can be fixed and
    sent again under the same key.
    """
    if not idempotency_key:
        raise errors.idempotency_key_required()
    request_hash = _request_hash(batch)
    with transaction.atomic():
        school = lock_school(
            journal=journal,
            external_id=batch.school.external_id,
            create=True,
            name=batch.school.name,
            region=batch.school.region,
        )
        if school is None:  # created above when missing; this tells the type checker
            raise RuntimeError("school not created")
        record = IdempotencyRecord.objects.filter(journal=journal, key=idempotency_key).first()
        if record is not None:
            if record.request_hash != request_hash:
                raise errors.idempotency_key_reused()
            return RosterResult.model_validate({**record.response, "duplicate": True})
        result = _apply_in_order(school, batch)
        IdempotencyRecord.objects.create(
            journal=journal, key=idempotency_key, request_hash=request_hash, response=result.model_dump(mode="json")
        )
    return result


def _apply_in_order(school: MirrorSchool, batch: RosterBatch) -> RosterResult:
    expected = school.sequence + 1
    if batch.sequence < expected:  # applied before (under another key): answering is enough
        return RosterResult(school_id=school.external_id, applied_sequence=school.sequence, duplicate=True)
    if batch.sequence > expected and not batch.full:
        raise errors.sequence_gap(expected)
    RosterWriter(school, batch).apply()
    school.sequence = batch.sequence
    school.synced_at = timezone.now()
    school.save(update_fields=["sequence", "synced_at"])
    reconcile_school(school)
    return RosterResult(school_id=school.external_id, applied_sequence=batch.sequence)
