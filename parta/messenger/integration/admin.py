"""Journals for messenger admins: register one (its client id and secret are shown once), change its addresses,
issue a new secret, deactivate it; look at its schools, links and webhook deliveries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from parta.messenger.integration.models import Journal, LinkedRole, MirrorSchool, PersonLink, WebhookDelivery
from parta.messenger.integration.services.journals import new_application, new_client_secret, sync_application
from parta.messenger.integration.services.webhooks import retry_now


class JournalForm(forms.ModelForm):
    base_url = forms.URLField(
        label=_("site address"),
        max_length=300,
        assume_scheme="https",
        help_text=_(
            "The journal's site, e.g. https://journal.example.org. Linking returns to <site>/messenger/callback/; "
            "“Connect the journal” leads to <site>/messenger/link/."
        ),
    )
    webhook_url = forms.URLField(
        label=_("webhook address"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_("Empty: <site>/messenger/webhook/ is used."),
    )

    class Meta:
        model = Journal
        fields = ["name", "region", "base_url", "webhook_url", "webhook_secret", "is_active"]
        widgets = {"webhook_secret": forms.PasswordInput(render_value=True)}


class MirrorSchoolInline(admin.TabularInline):
    model = MirrorSchool
    extra = 0
    can_delete = False
    fields = ("external_id", "organization", "sequence", "synced_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _show_secret(request: HttpRequest, journal: Journal, secret: str) -> None:
    messages.warning(
        request,
        gettext("Client id: %(id)s. Client secret: %(secret)s — copy it now: it is not shown again.")
        % {"id": journal.application.client_id, "secret": secret},
    )


@admin.register(Journal)
class JournalAdmin(admin.ModelAdmin):
    form = JournalForm
    list_display = ["name", "region", "base_url", "client_id", "is_active"]
    list_filter = ["region", "is_active"]
    search_fields = ["name", "region"]
    readonly_fields = ["client_id", "redirect_uri", "created_at"]
    inlines = [MirrorSchoolInline]
    actions = ["issue_new_secret"]

    @admin.display(description=_("client id"))
    def client_id(self, journal: Journal) -> str:
        return journal.application.client_id if journal.application_id else "—"

    def save_model(self, request: HttpRequest, obj: Journal, form: forms.ModelForm, change: bool) -> None:
        if not obj.webhook_url:
            obj.webhook_url = f"{obj.base_url.rstrip('/')}/messenger/webhook/"
        if change:
            super().save_model(request, obj, form, change)
            sync_application(journal=obj)
            return
        application, secret = new_application(name=obj.name, region=obj.region, base_url=obj.base_url)
        obj.application = application
        super().save_model(request, obj, form, change)
        _show_secret(request, obj, secret)

    @admin.action(description=_("Issue a new client secret (the old one stops working)"))
    def issue_new_secret(self, request: HttpRequest, queryset: QuerySet[Journal]) -> None:
        for journal in queryset.select_related("application"):
            _show_secret(request, journal, new_client_secret(journal=journal))


class LinkedRoleInline(admin.TabularInline):
    model = LinkedRole
    extra = 0
    can_delete = False
    fields = ("school", "kind", "roster_id", "class_external_id", "children")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PersonLink)
class PersonLinkAdmin(admin.ModelAdmin):
    """Read-only: links change through the journal or the person's «Отвязать дневник» (never by hand)."""

    list_display = ["person_id", "last_name", "first_name", "journal", "profile", "created_at"]
    list_filter = ["journal"]
    search_fields = ["person_id", "last_name", "profile__last_name", "profile__identifier"]
    list_select_related = ["journal", "profile"]
    readonly_fields = [
        "journal",
        "person_id",
        "profile",
        "last_name",
        "first_name",
        "patronymic",
        "created_at",
        "updated_at",
    ]
    inlines = [LinkedRoleInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "type",
        "journal",
        "created_at",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "failed_at",
        "last_error",
    ]
    list_filter = ["type", "journal", ("delivered_at", admin.EmptyFieldListFilter)]
    readonly_fields = [
        "journal",
        "event_id",
        "type",
        "body",
        "created_at",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "failed_at",
        "last_error",
    ]
    list_select_related = ["journal"]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Retry now"))
    def retry(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = retry_now(delivery_ids=list(queryset.values_list("pk", flat=True)))
        messages.success(request, gettext("%(count)s deliveries are due again.") % {"count": count})
