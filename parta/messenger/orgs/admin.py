"""Organizations, classes, roles and families in the messenger's admin. The integration fills them (issue 4); the
admin is for support staff to look and correct."""

from django.contrib import admin

from parta.messenger.orgs.models import Family, Organization, OrgClass, Role


class OrgClassInline(admin.TabularInline):
    model = OrgClass
    extra = 0
    fields = ["name", "external_id"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "external_id", "recording_retention_days"]
    search_fields = ["name", "external_id"]
    inlines = [OrgClassInline]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["profile", "kind", "organization", "org_class", "confirmed"]
    list_filter = ["kind", "confirmed", "organization"]
    search_fields = ["profile__last_name", "profile__first_name", "organization__name"]
    autocomplete_fields = ["profile", "organization"]
    list_select_related = ["profile", "organization", "org_class"]


@admin.register(Family)
class FamilyAdmin(admin.ModelAdmin):
    list_display = ["parent", "child"]
    search_fields = ["parent__last_name", "child__last_name"]
    autocomplete_fields = ["parent", "child"]
    list_select_related = ["parent", "child"]
