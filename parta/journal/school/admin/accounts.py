"""Journal accounts in the admin: a school admin sees the accounts of people of their schools only.

Registered here, not in `accounts`: which accounts a school admin sees is a question of the school's role rows, so
this admin sits above both apps (accounts knows nothing of schools; school reads accounts' User).

A school admin may correct names, e-mail, the active flag and the password of their school's people; staff
flags, groups and permissions are a superuser's business, and so are other staff members' accounts (changing
another admin's password would hand over that admin's other schools).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from parta.journal.accounts.models import User
from parta.journal.school.admin.kit import AccountScope, SchoolScopedAdmin

PERSONAL: Any = (_("Personal info"), {"fields": ("last_name", "first_name", "patronymic", "email")})


@admin.register(User)
class UserAdmin(SchoolScopedAdmin, DjangoUserAdmin):
    school_scope = AccountScope()
    form = UserChangeForm  # the mixin's default form would lose the password widget
    list_display = ("username", "last_name", "first_name", "patronymic", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("username", "last_name", "first_name", "patronymic", "email")
    ordering = ("last_name", "first_name", "patronymic")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        PERSONAL,
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        PERSONAL,
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return ((None, {"fields": ("username", "password")}), PERSONAL, (_("Permissions"), {"fields": ("is_active",)}))

    def get_list_filter(self, request: HttpRequest) -> Any:
        return self.list_filter if request.user.is_superuser else ("is_active",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not request.user.is_superuser and obj.is_staff and obj.pk != request.user.pk:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not request.user.is_superuser and obj.is_staff:
            return False
        return super().has_delete_permission(request, obj)
