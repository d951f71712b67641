# covers: C1, B1 (the whole roster reaches the messenger after bulk loads: sync_roster, the CSV import)
"""`sync_roster`, and the full batch the CSV import queues when it is done."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from parta.journal.imports.services import import_school
from parta.journal.messenger_link.models import OutboxItem
from tests.journal.builders import SchoolBuilder, SmallSchool
from tests.journal.messenger_link.fake_messenger import FakeMessenger

EXAMPLE = Path(__file__).resolve().parents[4] / "docs" / "examples" / "csv-import"


def test_sync_roster_queues_a_full_batch_of_every_school(school: SmallSchool) -> None:
    other = SchoolBuilder.empty("Школа № 2")
    out = StringIO()
    call_command("sync_roster", stdout=out)
    items = list(OutboxItem.objects.order_by("school_id"))
    assert [(i.school_id, i.full, i.sequence) for i in items] == [
        (school.builder.school.pk, True, 1),
        (other.school.pk, True, 1),
    ]
    assert "full roster queued as batch 1" in out.getvalue()


def test_sync_roster_of_one_school_by_its_id_or_external_id(school: SmallSchool) -> None:
    SchoolBuilder.empty("Школа № 2")
    school.builder.school.external_id = "sch-1"
    school.builder.school.save()
    call_command("sync_roster", "--school", "sch-1", stdout=StringIO())
    call_command("sync_roster", "--school", str(school.builder.school.pk), stdout=StringIO())
    assert list(OutboxItem.objects.values_list("school_id", "sequence")) == [
        (school.builder.school.pk, 1),
        (school.builder.school.pk, 2),
    ]
    with pytest.raises(CommandError):
        call_command("sync_roster", "--school", "no-such-school", stdout=StringIO())


def test_sync_roster_now_delivers_from_the_command(school: SmallSchool, messenger: FakeMessenger) -> None:
    out = StringIO()
    call_command("sync_roster", "--now", stdout=out)
    assert "delivered 1, failed 0" in out.getvalue()
    assert [b["full"] for b in messenger.roster_batches()] == [True]


def test_an_import_ends_with_a_full_batch(db: None) -> None:
    report = import_school(source=EXAMPLE)
    assert not report.failed
    full = OutboxItem.objects.filter(school_id=report.school_id, full=True).order_by("-sequence").first()
    assert full is not None
    assert len(full.payload["upserts"]["students"]) == report.stats("students.csv").created
    assert full.payload["upserts"]["load"]
