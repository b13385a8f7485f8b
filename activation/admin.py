from django.contrib import admin

from activation.models import EService


@admin.register(EService)
class EServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_ar", "minimum_age", "needs_photo", "is_active")
    list_editable = ()
    list_filter = ("is_active", "needs_photo")
    search_fields = ("code", "name_en", "name_ar")
    ordering = ("position", "code")
