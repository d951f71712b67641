"""The import jobs in the admin: a read-only list whose «Add» leads to the «Импорт из CSV» upload page."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from parta.journal.accounts.models import User
from parta.journal.imports.models import ImportJob
from parta.journal.imports.selectors import list_import_jobs
from parta.journal.school.selectors import roles_for_request


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "original_name",
        "school",
        "status",
        "progress",
        "row_errors",
        "created_by",
        "open",
    )
    list_filter = ("status",)
    list_display_links = None
    change_list_template = "imports/admin/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportJob]:
        assert isinstance(request.user, User)  # noqa: S101 - the admin serves signed-in staff only
        return list_import_jobs(user=request.user, roles=roles_for_request(request))

    def has_change_permission(self, request: HttpRequest, obj: ImportJob | None = None) -> bool:
        return False  # a job is a record of what happened

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        return redirect("imports:upload")

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        return (
            HttpResponseRedirect(reverse("imports:job", args=[object_id]))
            if object_id.isdigit()
            else redirect("admin:journal_imports_importjob_changelist")
        )

    def delete_model(self, request: HttpRequest, obj: ImportJob) -> None:
        obj.file.delete(save=False)  # the stored upload goes with its job
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ImportJob]) -> None:
        for job in queryset:
            job.file.delete(save=False)
        super().delete_queryset(request, queryset)

    @admin.display(description=_("progress"))
    def progress(self, obj: ImportJob) -> str:
        return f"{obj.done} / {obj.total}" if obj.total else "—"

    @admin.display(description=_("rows with errors"))
    def row_errors(self, obj: ImportJob) -> int:
        return obj.row_error_count

    @admin.display(description="")
    def open(self, obj: ImportJob) -> str:
        return format_html('<a href="{}">{}</a>', reverse("imports:job", args=[obj.pk]), _("Open"))
