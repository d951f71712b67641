"""Writes of the CSV import (B1): importing a school's files, and the admin's background import jobs."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parta.journal.accounts.models import User
from parta.journal.imports.models import ImportJob, ImportStatus
from parta.journal.imports.parser import CsvFile, FileLevelError, RowError, parse_csv, read_source
from parta.journal.imports.report import FileIssue, ImportProgress, ImportReport, ProgressCallback
from parta.journal.imports.steps import (
    SCHOOL_COLUMNS,
    SCHOOL_FILE,
    STEPS,
    ImportContext,
    Step,
    import_school_file,
)
from parta.journal.messenger_link.roster.outbox import enqueue_full_sync
from parta.journal.school.models import School

logger = logging.getLogger(__name__)
CHUNK_ROWS = 100
INTERNAL_ERROR = gettext_noop(
    "The import stopped because of an internal error. Rows imported before it are kept; "
    "run the import again, and if it repeats, send the file to the journal's support."
)


def import_school(
    *, source: Path, school: School | None = None, progress: ProgressCallback | None = None
) -> ImportReport:
    """Imports a school's CSV files from a folder or a ZIP (see docs/csv-import.md) and reports what it did.

    Every file is read and its columns checked before anything is written; a problem there (or in school.csv)
    is a file-level error and nothing is imported. Then each file's rows are upserted by their ids in the
    school, so running it again changes nothing; a bad row is reported and skipped. Rows are committed in
    chunks so another connection sees the progress: do not call this inside a transaction.
    `school`, when given, is the school the files must describe; otherwise school.csv names or creates it.
    """
    report = ImportReport()
    files = _read_files(source, report)
    if files is None:
        return report
    try:
        with transaction.atomic():
            target, year, result = import_school_file(files.pop(SCHOOL_FILE), school=school)
    except FileLevelError as exc:
        report.file_errors.append(FileIssue(file=exc.file, message=exc.message))
        return report
    report.school_id, report.school_name = target.pk, target.name
    stats = report.stats(SCHOOL_FILE)
    stats.rows = 1
    stats.count(result)
    ctx = ImportContext(school=target, year=year, report=report)
    total = sum(len(f.rows) for f in files.values())
    done = 0
    if progress:
        progress(ImportProgress(file=SCHOOL_FILE, done=0, total=total))
    for step_class in STEPS:
        csv_file = files.get(step_class.file_name)
        if csv_file is not None:
            done = _run_step(step_class(ctx), csv_file, done=done, total=total, progress=progress)
    enqueue_full_sync(school_id=target.pk)  # some rows were bulk-created (no signals): the messenger gets it all
    return report


def _read_files(source: Path, report: ImportReport) -> dict[str, CsvFile] | None:
    """Every file parsed, or None with all file-level errors in the report, so they can be fixed in one go."""
    specs = {SCHOOL_FILE: SCHOOL_COLUMNS} | {step.file_name: step.columns for step in STEPS}
    try:
        found, warnings = read_source(source, specs)
    except FileLevelError as exc:
        report.file_errors.append(FileIssue(file=exc.file, message=exc.message))
        return None
    report.warnings.extend(warnings)
    if SCHOOL_FILE not in found:
        report.file_errors.append(
            FileIssue(file=SCHOOL_FILE, message=_("The file is missing; the import starts from it."))
        )
    files: dict[str, CsvFile] = {}
    for name, spec in specs.items():
        if name not in found:
            continue
        try:
            files[name] = parse_csv(name, found[name], spec)
        except FileLevelError as exc:
            report.file_errors.append(FileIssue(file=exc.file, message=exc.message))
            continue
        report.warnings.extend(files[name].warnings)
    return None if report.file_errors else files


def _run_step(step: Step, csv_file: CsvFile, *, done: int, total: int, progress: ProgressCallback | None) -> int:
    report = step.ctx.report
    stats = report.stats(csv_file.name)
    stats.rows = len(csv_file.rows)
    for start in range(0, len(csv_file.rows), CHUNK_ROWS):
        chunk = csv_file.rows[start : start + CHUNK_ROWS]
        with transaction.atomic():
            for row in chunk:
                try:
                    if row.extra_cells:
                        raise RowError(
                            "",
                            _(
                                "The row has more cells than the header has columns; "
                                "a value with a comma or semicolon must be in quotes."
                            ),
                        )
                    with transaction.atomic():  # a savepoint: a row that fails half-way leaves nothing behind
                        stats.count(step.import_row(row))
                except RowError as exc:
                    report.add_error(file=csv_file.name, row=row.number, column=exc.column, message=exc.message)
                except IntegrityError:
                    step.forget()
                    message = _("The row conflicts with data already in the journal; check its ids and names.")
                    report.add_error(file=csv_file.name, row=row.number, column="", message=message)
        done += len(chunk)
        if progress:
            progress(ImportProgress(file=csv_file.name, done=done, total=total))
    step.finish()
    return done


@transaction.atomic
def start_import_job(*, upload: UploadedFile, school: School | None, user: User, language: str) -> ImportJob:
    """Stores the uploaded ZIP with the storage API and queues its import once this transaction commits."""
    from parta.journal.imports.tasks import run_import_job_task  # the task module imports this one

    job = ImportJob(school=school, created_by=user, original_name=(upload.name or "")[:255], language=language)
    job.file.save("import.zip", upload, save=False)
    job.save()
    transaction.on_commit(lambda: run_import_job_task(job.pk))
    return job


def run_import_job(*, job_id: int) -> None:
    """Runs a queued job once (a second delivery of the task finds it no longer queued and does nothing)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("school").get(pk=job_id)

    def progress(step: ImportProgress) -> None:
        ImportJob.objects.filter(pk=job_id).update(done=step.done, total=step.total)

    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            report = _import_stored_file(job, progress)
        except Exception:
            logger.exception("Import job %s crashed", job_id)
            report = ImportReport(file_errors=[FileIssue(file=job.original_name, message=_(INTERNAL_ERROR))])
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.FAILED if report.failed else ImportStatus.DONE,
        report=report.to_dict(),
        school_id=report.school_id or job.school_id,
        finished_at=timezone.now(),
    )


def _import_stored_file(job: ImportJob, progress: ProgressCallback) -> ImportReport:
    """Copies the stored upload to a local file: the storage may be remote (S3), and ZIP needs seeking."""
    with tempfile.TemporaryDirectory(prefix="parta-import-") as folder:
        path = Path(folder) / "import.zip"
        with job.file.open("rb") as stored, path.open("wb") as local:
            shutil.copyfileobj(stored, local)
        return import_school(source=path, school=job.school, progress=progress)
