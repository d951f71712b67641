"""The admin's «Импорт из CSV» pages: upload a ZIP, then watch the job and read its report."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from parta.journal.accounts.models import User
from parta.journal.imports.forms import ImportUploadForm
from parta.journal.imports.models import ImportJob
from parta.journal.imports.report import ImportReport
from parta.journal.imports.selectors import get_import_job, list_import_schools, may_import
from parta.journal.imports.services import start_import_job
from parta.journal.school.selectors import roles_for_request

View = Callable[..., HttpResponse]


def import_permission_required(view: View) -> View:
    """Sends a visitor to the admin's sign-in; refuses signed-in people without the import permission."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not may_import(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
@import_permission_required
def upload(request: HttpRequest) -> HttpResponse:
    roles = roles_for_request(request)
    schools = list_import_schools(roles=roles)
    if not roles.is_superuser and not schools.exists():
        raise PermissionDenied
    kwargs = {"schools": schools, "allow_new_school": roles.is_superuser}
    form = ImportUploadForm(request.POST or None, request.FILES or None, **kwargs)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)  # noqa: S101 - checked by the decorator
        job = start_import_job(
            upload=form.cleaned_data["file"],
            school=form.cleaned_data["school"],
            user=request.user,
            language=get_language() or "",
        )
        return redirect("imports:job", pk=job.pk)
    context = {**admin.site.each_context(request), "title": _("Import from CSV"), "form": form}
    return render(request, "imports/upload.html", context)


def _job(request: HttpRequest, pk: int) -> ImportJob:
    assert isinstance(request.user, User)  # noqa: S101 - checked by the decorator
    job = get_import_job(user=request.user, roles=roles_for_request(request), pk=pk)
    if job is None:
        raise Http404
    return job


@require_GET
@import_permission_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    report = ImportReport.from_dict(job.report) if job.is_finished else None
    context = {
        **admin.site.each_context(request),
        "title": _("Import from CSV: %(name)s") % {"name": job.original_name},
        "job": job,
        "report": report,
    }
    return render(request, "imports/job.html", context)


@require_GET
@import_permission_required
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the job page polls every second; the report comes with it once the job has finished."""
    job = _job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "done": job.done,
            "total": job.total,
            "finished": job.is_finished,
            "report": job.report if job.is_finished else None,
        }
    )
