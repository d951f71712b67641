"""Admin of profiles and their devices. One-time codes are shown without anything that would reveal a code."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from parta.messenger.accounts.models import DeviceSession, DevMessage, LoginCode, Profile


class DeviceInline(admin.TabularInline):
    model = DeviceSession
    fields = ["user_agent", "ip", "created_at", "last_seen_at"]
    readonly_fields = ["user_agent", "ip", "created_at", "last_seen_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Profile | None = None) -> bool:
        return False


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["identifier", "last_name", "first_name", "patronymic", "contact_kind", "is_active", "created_at"]
    list_filter = ["contact_kind", "is_active", "is_staff"]
    search_fields = ["identifier", "last_name", "first_name"]
    fields = [
        "identifier",
        "contact_kind",
        "last_name",
        "first_name",
        "patronymic",
        "birth_date",
        "is_active",
        "is_staff",
        "is_superuser",
        "created_at",
        "last_login",
    ]
    readonly_fields = ["created_at", "last_login"]
    inlines = [DeviceInline]


@admin.register(LoginCode)
class LoginCodeAdmin(admin.ModelAdmin):
    """Read-only: for looking into a complaint ("the code never came"), not for issuing codes."""

    list_display = ["identifier", "contact_kind", "created_at", "expires_at", "attempts", "used_at", "client_ip"]
    list_filter = ["contact_kind"]
    search_fields = ["identifier", "client_ip"]
    exclude = ["code_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: LoginCode | None = None) -> bool:
        return False


@admin.register(DeviceSession)
class DeviceSessionAdmin(admin.ModelAdmin):
    list_display = ["profile", "user_agent", "ip", "created_at", "last_seen_at"]
    search_fields = ["profile__identifier", "profile__last_name", "ip"]
    list_select_related = ["profile"]
    exclude = ["session_key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DeviceSession | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: DeviceSession | None = None) -> bool:
        return False  # deleting the row would not end the session; the profile ends its devices itself


@admin.register(DevMessage)
class DevMessageAdmin(admin.ModelAdmin):
    list_display = ["recipient", "channel", "created_at"]
    search_fields = ["recipient"]
