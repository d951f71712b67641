# covers: B1
"""«Импорт из CSV» in the admin: upload, a background job with progress, its report, and who may use it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from parta.journal.accounts.models import User
from parta.journal.imports.models import ImportJob, ImportStatus
from parta.journal.school.models import School, Student
from tests.journal.builders import SchoolBuilder, make_user
from tests.journal.imports.conftest import zip_folder

pytestmark = pytest.mark.django_db


def school_admin(b: SchoolBuilder, username: str) -> User:
    user = b.admin(username=username)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["add_importjob", "view_importjob"]))
    return user


@pytest.fixture
def gym2() -> SchoolBuilder:
    return SchoolBuilder.empty("Гимназия № 2")


@pytest.fixture
def archive(example_dir: Path, tmp_path: Path) -> Path:
    return zip_folder(example_dir, tmp_path / "gym2.zip")


def upload(client: Client, archive: Path, school: School | None) -> object:
    with archive.open("rb") as f:
        data = {"file": f, "school": school.pk if school else ""}
        return client.post(reverse("imports:upload"), data)


def test_upload_runs_a_job_that_reports(
    client: Client, gym2: SchoolBuilder, archive: Path, huey_immediate: None, django_capture_on_commit_callbacks
) -> None:
    client.force_login(school_admin(gym2, "admin2"))

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, archive, gym2.school)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[job.pk])
    assert (job.status, job.done, job.total, job.school_id) == (ImportStatus.DONE, 80, 80, gym2.school.pk)
    assert job.file.name.startswith("imports/")
    assert Student.objects.filter(school=gym2.school).count() == 9

    page = client.get(response["Location"]).content.decode()
    assert "Импорт завершён, часть строк пропущена" in page
    assert "«31.02.2014» — не дата." in page
    assert "<progress" not in page

    status = client.get(reverse("imports:job-status", args=[job.pk])).json()
    assert (status["status"], status["finished"], status["done"]) == ("done", True, 80)
    assert status["report"]["errors"][0] == {
        "file": "students.csv",
        "row": 11,
        "column": "birth_date",
        "message": "«31.02.2014» — не дата. Запишите её как 25.05.2014 или 2014-05-25.",
    }


def test_job_page_shows_progress_while_it_runs(client: Client, gym2: SchoolBuilder, archive: Path) -> None:
    client.force_login(school_admin(gym2, "admin2"))
    upload(client, archive, gym2.school)  # no commit in this test: the task is not started
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, done=30, total=80)

    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    status = client.get(reverse("imports:job-status", args=[job.pk])).json()

    assert '<progress id="import-bar" max="80" value="30">' in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert reverse("imports:job-status", args=[job.pk]) in page
    assert "30 из 80 строк" in page
    assert status == {
        "status": "running",
        "status_label": "выполняется",
        "done": 30,
        "total": 80,
        "finished": False,
        "report": None,
    }


def test_superuser_imports_a_new_school(
    client: Client, archive: Path, huey_immediate: None, django_capture_on_commit_callbacks
) -> None:
    client.force_login(User.objects.create_superuser("root", password="pw-for-tests"))

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, archive, None)

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.DONE
    assert job.school == School.objects.get(external_id="gym2-nsk")


def test_a_file_that_is_not_a_zip_is_refused_in_the_form(client: Client, gym2: SchoolBuilder, tmp_path: Path) -> None:
    client.force_login(school_admin(gym2, "admin2"))
    not_zip = tmp_path / "students.csv"
    not_zip.write_text("external_id,last_name\n", encoding="utf-8")

    response = upload(client, not_zip, gym2.school)

    assert response.status_code == 200
    assert "Это не ZIP-архив." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_files_of_another_school_fail_the_job(
    client: Client, gym2: SchoolBuilder, archive: Path, huey_immediate: None, django_capture_on_commit_callbacks
) -> None:
    School.objects.create(name="Гимназия № 2 (настоящая)", external_id="gym2-nsk")
    client.force_login(school_admin(gym2, "admin2"))

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, archive, gym2.school)

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert "другую школу" in client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert not Student.objects.exists()


def test_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("imports:upload"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("who", ["teacher", "staff_without_permission", "permission_without_school"])
def test_people_without_the_right_are_refused(client: Client, gym2: SchoolBuilder, archive: Path, who: str) -> None:
    if who == "teacher":
        user = gym2.teacher("Соколова", "Ирина").user
    else:
        user = make_user("Петров", "Иван")
        user.is_staff = True
        user.save()
        if who == "permission_without_school":
            user.user_permissions.add(Permission.objects.get(codename="add_importjob"))
    client.force_login(user)

    assert client.get(reverse("imports:upload")).status_code == 403
    assert upload(client, archive, gym2.school).status_code == 403  # type: ignore[attr-defined]
    assert not ImportJob.objects.exists()


def test_admin_of_another_school_is_refused(
    client: Client, gym2: SchoolBuilder, archive: Path, huey_immediate: None, django_capture_on_commit_callbacks
) -> None:
    client.force_login(school_admin(gym2, "admin2"))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, archive, gym2.school)
    job = ImportJob.objects.get()
    other = SchoolBuilder.empty("Школа № 5")
    client.force_login(school_admin(other, "admin5"))

    assert client.get(reverse("imports:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("imports:job-status", args=[job.pk])).status_code == 404
    response = upload(client, archive, gym2.school)  # a school that is not theirs
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert ImportJob.objects.count() == 1
    changelist = client.get(reverse("admin:journal_imports_importjob_changelist")).content.decode()
    assert reverse("imports:job", args=[job.pk]) not in changelist


def test_admin_lists_jobs_and_links_the_upload(client: Client, gym2: SchoolBuilder) -> None:
    client.force_login(school_admin(gym2, "admin2"))

    changelist = client.get(reverse("admin:journal_imports_importjob_changelist"))
    add = client.get(reverse("admin:journal_imports_importjob_add"))

    assert changelist.status_code == 200
    assert f'href="{reverse("imports:upload")}"' in changelist.content.decode()
    assert "Импорт из CSV" in changelist.content.decode()
    assert add["Location"] == reverse("imports:upload")
