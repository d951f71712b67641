"""Chats in the messenger's admin: for support staff to look into a chat, its members, invites and reports.
Messages are read-only here: what people wrote is changed only by them (edit, delete)."""

from django.contrib import admin
from django.http import HttpRequest

from parta.messenger.chats.models import Attachment, Chat, InviteLink, Membership, Message, Report


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["profile", "role", "joined_at", "last_read_seq"]
    readonly_fields = ["joined_at", "last_read_seq"]
    autocomplete_fields = ["profile"]

    # A system chat's members follow the school's roster (C1): not even support staff change them by hand.
    def has_add_permission(self, request: HttpRequest, obj: Chat | None = None) -> bool:
        return not (obj and obj.is_system) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Chat | None = None) -> bool:
        return not (obj and obj.is_system) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Chat | None = None) -> bool:
        return not (obj and obj.is_system) and super().has_delete_permission(request, obj)


class InviteInline(admin.TabularInline):
    model = InviteLink
    extra = 0
    fields = ["token", "created_by", "created_at", "expires_at", "max_uses", "uses", "revoked_at"]
    readonly_fields = ["token", "created_by", "created_at", "uses"]


@admin.register(Chat)
class ChatAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "organization", "is_closed", "last_seq", "last_message_at"]
    list_filter = ["kind", "is_closed"]
    search_fields = ["title", "system_key"]
    readonly_fields = ["direct_key", "system_key", "last_seq", "last_message_at", "created_at", "created_by"]
    inlines = [MembershipInline, InviteInline]
    list_select_related = ["organization"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("kind", "original_name", "content_type", "size", "width", "height")
    readonly_fields = ("kind", "original_name", "content_type", "size", "width", "height")
    can_delete = False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "chat", "sender", "created_at", "edited_at", "deleted_at"]
    search_fields = ["text"]
    readonly_fields = [
        "chat",
        "sender",
        "seq",
        "client_id",
        "text",
        "reply_to",
        "created_at",
        "edited_at",
        "deleted_at",
    ]
    inlines = [AttachmentInline]
    list_select_related = ["chat", "sender"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "reporter", "created_at", "resolved_at"]
    list_filter = ["organization"]
    readonly_fields = ["message", "reporter", "organization", "reason", "text_snapshot", "created_at"]
    list_select_related = ["organization", "reporter"]
