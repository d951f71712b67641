"""The outbox and the links in the Django admin, read-only: what was sent to the messenger, what is waiting, why."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from parta.journal.messenger_link.models import MessengerLink, OutboxItem, SubjectChat


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxItem)
class OutboxItemAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "school",
        "kind",
        "sequence",
        "full",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "failed_at",
    ]
    list_filter = ["kind", "full", ("delivered_at", admin.EmptyFieldListFilter)]
    list_select_related = ["school"]
    readonly_fields = [field.name for field in OutboxItem._meta.fields]


@admin.register(MessengerLink)
class MessengerLinkAdmin(ReadOnlyAdmin):
    list_display = ["user", "profile_id", "profile_name", "linked_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__last_name", "profile_name"]
    readonly_fields = [field.name for field in MessengerLink._meta.fields]


@admin.register(SubjectChat)
class SubjectChatAdmin(ReadOnlyAdmin):
    list_display = ["name", "school", "status", "include_parents", "created_at"]
    list_filter = ["status"]
    list_select_related = ["school"]
    readonly_fields = [field.name for field in SubjectChat._meta.fields]
