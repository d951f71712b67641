"""Background work of the import: the admin's uploads run here, not in the web request."""

from huey.contrib.djhuey import db_task

from parta.journal.imports.services import run_import_job


@db_task()
def run_import_job_task(job_id: int) -> None:
    run_import_job(job_id=job_id)
