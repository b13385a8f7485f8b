from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Person, ReferenceSequence, SmartCard, StatusChange


class SmartCardInline(admin.TabularInline):
    model = SmartCard
    extra = 0
    fields = ("number", "kind", "issued_on", "expires_on", "status", "chip_status")


@admin.register(Person)
class PersonAdmin(UserAdmin):
    list_display = ("qid", "name_en", "name_ar", "nationality", "data_verified", "is_staff")
    list_filter = ("data_verified", "is_staff", "is_active", "sex", "preferred_language")
    search_fields = ("qid", "name_en", "name_ar", "mobile")
    ordering = ("qid",)
    readonly_fields = ("registered_at", "created_at", "last_login")
    inlines = [SmartCardInline]
    fieldsets = (
        (None, {"fields": ("qid", "password")}),
        (
            _("Register data"),
            {
                "fields": (
                    "name_ar",
                    "name_en",
                    "date_of_birth",
                    "sex",
                    "nationality",
                    "mobile",
                    "email",
                    "preferred_language",
                    "photo",
                    "data_verified",
                    "data_reviewed_at",
                )
            },
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("registered_at", "created_at", "last_login")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "qid",
                    "name_ar",
                    "name_en",
                    "date_of_birth",
                    "nationality",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )


@admin.register(SmartCard)
class SmartCardAdmin(admin.ModelAdmin):
    list_display = ("number", "person", "kind", "status", "chip_status", "expires_on")
    list_filter = ("kind", "status", "chip_status")
    search_fields = ("number", "person__qid", "person__name_en", "person__name_ar")
    list_select_related = ("person",)
    autocomplete_fields = ("person",)
    date_hierarchy = "expires_on"


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    """The history is evidence: staff read it, nobody edits it."""

    list_display = ("reference", "from_status", "to_status", "actor", "created_at")
    list_filter = ("to_status", "content_type")
    search_fields = ("reference", "actor__qid")
    list_select_related = ("actor",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReferenceSequence)
class ReferenceSequenceAdmin(admin.ModelAdmin):
    list_display = ("prefix", "year", "last_number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
