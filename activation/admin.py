"""Back office for e-services (PRODUCT.md section 8).

Staff read activations and decide chip, correction and photo requests. A
decision goes through the same service function the portal uses, from an
admin action or the small "Decide" page, and needs the model's custom
``decide_*`` permission. Status fields are never editable here.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import PersonDataViewMixin, ReadOnlyAdminMixin, StatusHistoryMixin
from accounts.admin_history import HistoryAdmin
from accounts.admin_scale import IndexedSearchMixin
from accounts.forms import StaffDecisionForm, refusal_shown_on
from activation import policies, services
from activation.constants import Decision
from activation.eligibility import eligibility_failures
from activation.models import (
    ActivationRequest,
    CardService,
    ChipRequest,
    CorrectionRequest,
    DeactivationRequest,
    EService,
    PhotoRequest,
)
from activation.selectors import eservice_list_offered


@admin.register(EService)
class EServiceAdmin(HistoryAdmin):
    list_display = ("code", "name_en", "name_ar", "minimum_age", "needs_photo", "is_active")
    list_filter = ("is_active", "needs_photo")
    search_fields = ("code", "name_en", "name_ar")
    ordering = ("position", "code")


class PortalRequestAdmin(
    IndexedSearchMixin, PersonDataViewMixin, StatusHistoryMixin, ReadOnlyAdminMixin, HistoryAdmin
):
    """Requests are evidence: staff read them; only services write them."""

    list_display = ("reference", "person", "status", "created_at")
    # A date filter, not a date hierarchy: the hierarchy reads every row's date.
    list_filter = ("status", "created_at")
    search_fields = ("reference", "person__qid", "person__name_en", "person__name_ar")
    reference_field = "reference"
    list_select_related = ("person",)


class CardServiceRequestAdmin(PortalRequestAdmin):
    list_display = ("reference", "person", "card", "service_names", "status", "created_at")
    search_fields = (*PortalRequestAdmin.search_fields, "card__number")
    number_fields = ("card__number",)
    list_select_related = ("person", "card")
    fields = ("reference", "person", "card", "service_names", "status", "created_at")
    readonly_fields = (*fields, "status_history")

    def get_fields(self, request, obj=None):
        return (*self.fields, "status_history", "eligibility_now")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("services")

    @admin.display(description=_("e-services"))
    def service_names(self, obj):
        return ", ".join(service.name_en for service in obj.services.all())

    @admin.display(description=_("eligibility now"))
    def eligibility_now(self, obj):
        """What the person could activate on this card today, rule by rule."""
        rows = []
        for service in eservice_list_offered():
            failures = eligibility_failures(person=obj.person, card=obj.card, service=service)
            rows.append((service.name_en, ", ".join(f.code for f in failures) or _("eligible")))
        return format_html_join("", "<div>{}: {}</div>", rows)


@admin.register(ActivationRequest)
class ActivationRequestAdmin(CardServiceRequestAdmin):
    pass


@admin.register(DeactivationRequest)
class DeactivationRequestAdmin(CardServiceRequestAdmin):
    pass


@admin.register(CardService)
class CardServiceAdmin(IndexedSearchMixin, ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ("card", "service", "activated_at", "deactivated_at", "activation")
    list_filter = ("service", ("deactivated_at", admin.EmptyFieldListFilter))
    search_fields = ("card__number", "card__person__qid", "activation__reference")
    qid_field = "card__person__qid"
    number_fields = ("card__number",)
    reference_field = "activation__reference"
    name_fields = ("card__person__name_en", "card__person__name_ar")
    list_select_related = ("card", "service", "activation")


class DecidedRequestAdmin(PortalRequestAdmin):
    """Adds "Approve selected" and a per-request "Decide" page, both behind ``decide_*``."""

    decide_service = None  # (function, keyword for the request)
    actions = ["approve_selected"]
    change_form_template = "activation/admin_change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + ["status_history"]

    def has_change_permission(self, request, obj=None):
        # Viewing uses the view permission; nothing is saved through the form.
        return False

    def has_decide_permission(self, request):
        return policies.can_decide(request.user, self.model)

    def _run_decision(self, request, obj, decision, note=""):
        function, keyword = self.decide_service
        function(**{keyword: obj, "decision": decision, "actor": request.user, "note": note})

    @admin.action(description=_("Approve selected requests"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        done = 0
        for obj in queryset:
            try:
                self._run_decision(request, obj, Decision.APPROVE)
                done += 1
            except ValidationError as refused:
                self.message_user(request, f"{obj}: {refused.messages[0]}", messages.WARNING)
        if done:
            self.message_user(
                request,
                ngettext("%(count)d request approved.", "%(count)d requests approved.", done)
                % {"count": done},
            )

    def get_urls(self):
        opts = self.model._meta
        decide = self.admin_site.admin_view(self.decide_view)
        return [
            path("<int:pk>/decide/", decide, name=f"{opts.app_label}_{opts.model_name}_decide"),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        obj = get_object_or_404(self.model, pk=pk)
        form = StaffDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with refusal_shown_on(form):
                self._run_decision(
                    request, obj, form.cleaned_data["decision"], form.cleaned_data["note"]
                )
                self.message_user(request, _("Decision recorded for %(ref)s.") % {"ref": obj})
                opts = self.model._meta
                return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "form": form,
            "title": _("Decide %(reference)s") % {"reference": obj.reference},
            **self.decide_context(obj),
        }
        return TemplateResponse(request, "activation/admin_decide.html", context)

    def decide_context(self, obj) -> dict:
        """What the decide page shows beside the form, besides the request's person and state."""
        return {}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_decide": self.has_decide_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(ChipRequest)
class ChipRequestAdmin(DecidedRequestAdmin):
    decide_service = (services.chip_request_decide, "chip_request")
    list_display = ("reference", "person", "card", "status", "created_at")
    search_fields = (*PortalRequestAdmin.search_fields, "card__number")
    number_fields = ("card__number",)
    list_select_related = ("person", "card")


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(DecidedRequestAdmin):
    decide_service = (services.correction_request_decide, "correction")
    list_display = ("reference", "person", "status", "old_mobile_confirmed", "created_at")


@admin.register(PhotoRequest)
class PhotoRequestAdmin(DecidedRequestAdmin):
    decide_service = (services.photo_request_decide, "photo_request")

    def get_readonly_fields(self, request, obj=None):
        fields = [name for name in super().get_readonly_fields(request, obj) if name != "photo"]
        return [*fields, "photo_preview"]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    def decide_context(self, obj) -> dict:
        # The photo itself, through the staff-only image view (private media),
        # beside the approved photo it would replace.
        return {
            "photo_url": reverse("activation:photo_request_image", args=[obj.reference]),
            "current_photo_url": reverse("activation:person_photo", args=[obj.person.qid])
            if obj.person.photo
            else "",
        }

    @admin.display(description=_("photo"))
    def photo_preview(self, obj):
        url = reverse("activation:photo_request_image", args=[obj.reference])
        return format_html('<img src="{}" alt="" width="300" height="300">', url)
