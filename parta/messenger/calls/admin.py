"""Calls in the messenger's admin: for support staff to look into a call, its participants and their presence.
Read-mostly: what happens in a call is changed by its organizer and the services, not here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from parta.messenger.calls.models import Call, Participant, Presence

SHOWN = [
    "display_name",
    "profile",
    "is_admin",
    "is_present",
    "microphone_on",
    "camera_on",
    "screen_on",
    "hand_raised_at",
    "last_seen_at",
    "removed_at",
]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    can_delete = False
    fields = tuple(SHOWN)
    readonly_fields = SHOWN

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "created_by", "starts_at", "ends_at", "ended_at", "server_name"]
    list_filter = ["kind", "status", "end_reason"]
    search_fields = ["title", "public_id", "lesson_external_id"]
    list_select_related = ["created_by"]
    readonly_fields = [
        "public_id",
        "kind",
        "status",
        "chat",
        "created_by",
        "created_at",
        "starts_at",
        "ends_at",
        "ended_at",
        "end_reason",
        "allow_anonymous",
        "allow_screen",
        "allow_microphone",
        "allow_camera",
        "server_name",
        "room_id",
        "journal",
        "school_external_id",
        "lesson_external_id",
        "class_external_id",
        "teacher_external_id",
    ]
    exclude = ["room_secret"]
    inlines = [ParticipantInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Presence)
class PresenceAdmin(admin.ModelAdmin):
    list_display = ["participant", "joined_at", "left_at"]
    list_select_related = ["participant"]
    readonly_fields = ["participant", "joined_at", "left_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
