"""The residency back office (PRODUCT.md sections 6.4, 6.6 and 8).

Reviewers (``residency.review_application``) work the queue, most urgent
first, open the documents and decide; service-centre clerks
(``residency.record_collection``) record collection and rebook no-shows.
Status fields are read-only: every decision is a small admin page that calls
the same service as the portal.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.admin import PersonDataViewMixin, ReadOnlyAdminMixin
from accounts.admin_history import HistoryAdmin
from accounts.admin_scale import IndexedSearchMixin
from accounts.forms import refusal_shown_on
from accounts.models import StatusChange
from residency import payments, policies, services
from residency.constants import AWAITING_DECISION, ApplicationStatus, FeeKind
from residency.forms import CollectionForm, DecisionForm
from residency.models import (
    Application,
    Appointment,
    AppointmentSlot,
    Document,
    Fee,
    Payment,
    PublicHoliday,
    ServiceCentre,
)

S = ApplicationStatus


class ReadOnlyInlineMixin(ReadOnlyAdminMixin):
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return policies.is_residency_staff(request.user) or super().has_view_permission(
            request, obj
        )


class DocumentInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Document
    fields = ("kind", "version", "is_current", "content_type", "size", "uploaded_at", "open_link")
    readonly_fields = fields
    ordering = ("kind", "-version")

    def has_view_permission(self, request, obj=None):
        return policies.can_view_documents_of_others(request.user)

    @admin.display(description=_("file"))
    def open_link(self, document):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("residency:document", args=[document.pk]),
            gettext("Open document"),
        )


class HistoryInline(ReadOnlyInlineMixin, GenericTabularInline):
    model = StatusChange
    fields = ("created_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    ordering = ("created_at", "pk")
    verbose_name_plural = _("history")


class AppointmentInline(ReadOnlyInlineMixin, admin.StackedInline):
    model = Appointment
    fields = ("slot", "reschedules", "reminder_sent_for", "collected_at")
    readonly_fields = fields


class PaymentInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Payment
    fields = ("reference", "kind", "amount", "status", "created_at", "refunded_at")
    readonly_fields = fields
    show_change_link = True


class DueFilter(admin.SimpleListFilter):
    title = _("decision due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("today", _("Due today")),
            ("later", _("Due later")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.overdue(today)
        if self.value() == "today":
            return queryset.due_today(today)
        if self.value() == "later":
            return queryset.due_later(today)
        return queryset


@admin.register(Application)
class ApplicationAdmin(IndexedSearchMixin, PersonDataViewMixin, ReadOnlyAdminMixin, HistoryAdmin):
    data_access_what = gettext_noop("Permanent residency application %(reference)s")

    # Four short columns, so the list fits a 1280-pixel screen beside the
    # navigation and the filters: the person shows as "QID name", the due date
    # and whether it is overdue share one column; basis and centre are filters.
    list_display = ("reference", "applicant", "status", "due")
    list_filter = (DueFilter, "status", "preferred_centre", "basis")
    list_select_related = ("person", "preferred_centre")
    search_fields = ("reference", "person__qid", "person__name_en", "person__name_ar")
    reference_field = "reference"
    ordering = ("decision_due_on", "pk")
    actions = ["start_review"]
    inlines = [DocumentInline, AppointmentInline, PaymentInline, HistoryInline]
    change_form_template = "residency/admin/application_change_form.html"
    fields = (
        "reference",
        "person",
        "status",
        "basis",
        "days_abroad_table",
        "employer",
        "occupation",
        "income",
        "preferred_centre",
        "declared_at",
        "submitted_at",
        "clock_started_on",
        "decision_due_on",
        "decided_at",
    )
    readonly_fields = fields

    def has_module_permission(self, request):
        return policies.is_residency_staff(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return policies.is_residency_staff(request.user) or super().has_view_permission(
            request, obj
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not policies.can_review(request.user):
            actions.pop("start_review", None)
        return actions

    @admin.display(description=_("days outside Qatar"))
    def days_abroad_table(self, application):
        if not application.days_abroad:
            return "—"
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td></tr>",
            (
                (year, number_format(days))
                for year, days in sorted(application.days_abroad.items(), reverse=True)
            ),
        )
        return format_html(
            '<table class="days-abroad"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            gettext("Year"),
            gettext("Days outside Qatar"),
            rows,
        )

    @admin.display(description=_("monthly income"))
    def income(self, application):
        if application.monthly_income is None:
            return "—"
        return gettext("QAR %(amount)s") % {
            "amount": number_format(application.monthly_income, force_grouping=True)
        }

    @admin.display(description=_("person"), ordering="person__qid")
    def applicant(self, application):
        # A method, not the foreign key: admin would keep "QID name" on one line.
        return str(application.person)

    @admin.display(description=_("decision due"), ordering="decision_due_on")
    def due(self, application):
        if application.decision_due_on is None:
            return "—"
        day = date_format(application.decision_due_on, "SHORT_DATE_FORMAT")
        if application.status not in AWAITING_DECISION:
            return day
        today = timezone.localdate()
        if application.decision_due_on < today:
            state = gettext("Overdue")
        elif application.decision_due_on == today:
            state = gettext("Due today")
        else:
            state = gettext("Due later")
        return format_html(
            '<span class="due">{}</span> <span class="due__state">{}</span>', day, state
        )

    def decision_links(self, request, application) -> list[tuple[str, str]]:
        """The decisions this staff member may take now: reviewers decide, clerks
        record collection and rebook."""
        links = []
        user = request.user
        if application.status in AWAITING_DECISION and policies.can_review(user):
            links.append(("decide", gettext("Decide")))
        if policies.can_record_collection(user):
            if application.status == S.APPOINTMENT_BOOKED:
                links += [
                    ("collect", gettext("Record collection")),
                    ("rebook", gettext("Rebook after a no-show")),
                ]
            if application.status == S.APPROVED:
                links.append(("rebook", gettext("Book appointment")))
        return [
            (reverse(f"admin:residency_application_{name}", args=[application.pk]), label)
            for name, label in links
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        if application is not None:
            extra_context = {
                **(extra_context or {}),
                "decision_links": self.decision_links(request, application),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Start review of the selected applications"))
    def start_review(self, request, queryset):
        started = 0
        for application in queryset:
            try:
                services.application_review_start(application=application, actor=request.user)
            except ValidationError:
                continue
            started += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d application is now under review.",
                "%(count)d applications are now under review.",
                started,
            )
            % {"count": started},
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/decide/", wrap(self.decide_view), name="residency_application_decide"),
            path(
                "<int:pk>/collect/", wrap(self.collect_view), name="residency_application_collect"
            ),
            path("<int:pk>/rebook/", wrap(self.rebook_view), name="residency_application_rebook"),
            *super().get_urls(),
        ]

    # The back-office pages about one application: residency/admin/<page>.html, and its title.
    PAGE_TITLES = {
        "decision": _("Decide on %(reference)s"),
        "collection": _("Record collection for %(reference)s"),
        "rebook": _("Book a new appointment for %(reference)s"),
    }

    def _page(self, request, application, page, *, form=None, **extra):
        context = {
            **extra,
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": self.PAGE_TITLES[page] % {"reference": application.reference},
            "application": application,
            "form": form,
            "documents": application.documents.filter(is_current=True),
        }
        return TemplateResponse(request, f"residency/admin/{page}.html", context)

    def _back(self, application):
        return redirect("admin:residency_application_change", application.pk)

    def _staff_page_open(self, request, pk, *, allowed, form_class):
        """The application a decision page is about and its form, for staff ``allowed`` lets in."""
        if not allowed(request.user):
            raise PermissionDenied
        application = get_object_or_404(Application.objects.select_related("person"), pk=pk)
        return application, form_class(request.POST or None)

    def decide_view(self, request, pk):
        application, form = self._staff_page_open(
            request, pk, allowed=policies.can_review, form_class=DecisionForm
        )
        if request.method == "POST" and form.is_valid():
            decision, message = form.cleaned_data["decision"], form.cleaned_data["message"]
            try:
                if decision == DecisionForm.APPROVE:
                    services.application_approve(
                        application=application, actor=request.user, note=message
                    )
                elif decision == DecisionForm.REJECT:
                    services.application_reject(
                        application=application, actor=request.user, reason=message
                    )
                else:
                    services.application_request_information(
                        application=application, actor=request.user, message=message
                    )
            except ValidationError as error:
                application.refresh_from_db()
                self.message_user(
                    request,
                    gettext("Your decision was not recorded: %(error)s Current status: %(status)s.")
                    % {
                        "error": " ".join(error.messages),
                        "status": application.get_status_display(),
                    },
                    level=messages.ERROR,
                )
            else:
                self.message_user(request, gettext("The decision was recorded."))
            return self._back(application)
        return self._page(request, application, "decision", form=form)

    def collect_view(self, request, pk):
        application, form = self._staff_page_open(
            request, pk, allowed=policies.can_record_collection, form_class=CollectionForm
        )
        if request.method == "POST" and form.is_valid():
            with refusal_shown_on(form):
                services.application_record_collection(
                    application=application,
                    actor=request.user,
                    card_number=form.cleaned_data["card_number"],
                )
                self.message_user(request, gettext("The card was issued."))
                return self._back(application)
        return self._page(
            request,
            application,
            "collection",
            form=form,
            fee_unpaid=payments.fee_unpaid_error(application=application, kind=FeeKind.CARD),
        )

    def rebook_view(self, request, pk):
        if not policies.can_book_appointment(request.user):
            raise PermissionDenied
        application = get_object_or_404(Application, pk=pk)
        if request.method != "POST":
            return self._page(request, application, "rebook")
        try:
            if application.status == S.APPROVED:
                appointment = services.appointment_book(application=application, actor=request.user)
                if appointment is None:
                    raise ValidationError(gettext("No free slot in the coming weeks."))
            else:
                services.appointment_rebook(application=application, actor=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), level=messages.ERROR)
        else:
            self.message_user(request, gettext("A new appointment was booked."))
        return self._back(application)


@admin.register(Appointment)
class AppointmentAdmin(IndexedSearchMixin, ReadOnlyAdminMixin, HistoryAdmin):
    """The clerk's list: who comes when, at which centre."""

    list_display = ("application", "slot", "reschedules", "collected_at")
    list_filter = ("slot__centre", "collected_at")
    list_select_related = ("application", "slot__centre")
    ordering = ("slot__starts_at",)
    search_fields = ("application__reference", "application__person__qid")
    qid_field = "application__person__qid"
    reference_field = "application__reference"
    name_fields = ("application__person__name_en", "application__person__name_ar")
    date_hierarchy = "slot__starts_at"
    readonly_fields = ("application", "slot", "reschedules", "reminder_sent_for", "collected_at")

    def has_module_permission(self, request):
        return policies.is_residency_staff(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return policies.is_residency_staff(request.user) or super().has_view_permission(
            request, obj
        )


@admin.register(ServiceCentre)
class ServiceCentreAdmin(HistoryAdmin):
    list_display = ("name_en", "name_ar", "opens_at", "closes_at", "slot_minutes", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name_en", "name_ar", "code")


@admin.register(AppointmentSlot)
class AppointmentSlotAdmin(admin.ModelAdmin):
    list_display = ("centre", "starts_at", "capacity", "booked")
    list_filter = ("centre",)
    date_hierarchy = "starts_at"
    readonly_fields = ("booked",)


@admin.register(PublicHoliday)
class PublicHolidayAdmin(HistoryAdmin):
    list_display = ("date", "name_en", "name_ar")
    date_hierarchy = "date"
    search_fields = ("name_en", "name_ar")


@admin.register(Fee)
class FeeAdmin(HistoryAdmin):
    """The fee schedule. A new amount is a new row from a later day; a row that
    has taken effect is history and can be neither changed nor deleted."""

    list_display = ("kind", "amount", "effective_from", "in_force", "created_by", "created_at")
    list_filter = ("kind",)
    fields = ("kind", "amount", "effective_from")

    def get_queryset(self, request):
        return payments.fees_with_in_force(super().get_queryset(request))

    @admin.display(description=_("in force today"), boolean=True)
    def in_force(self, fee):
        return fee.in_force_pk == fee.pk

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.has_taken_effect():
            return self.fields
        return ()

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.has_taken_effect():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.has_taken_effect():
            return False
        return super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "effective_from" in form.base_fields:
            form.base_fields["effective_from"].validators.append(_not_in_the_past)
        return form

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


def _not_in_the_past(day):
    if day < timezone.localdate():
        raise ValidationError(
            gettext("A new amount takes effect today or later; earlier days keep their fee."),
            code="fee_in_the_past",
        )


class RefundForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the refund"),
        max_length=300,
        help_text=_("Shown in the payment's history, e.g. the applicant's request."),
    )


@admin.register(Payment)
class PaymentAdmin(IndexedSearchMixin, ReadOnlyAdminMixin, HistoryAdmin):
    """Payments, to read; an unused fee of a withdrawn application is refunded by an action."""

    list_display = ("reference", "person", "application", "kind", "amount", "status", "created_at")
    list_filter = ("status", "kind")
    list_select_related = ("person", "application")
    search_fields = ("reference", "application__reference", "person__qid")
    qid_field = "person__qid"
    reference_field = "reference"
    name_fields = ("person__name_en", "person__name_ar")
    date_hierarchy = "created_at"
    fields = (
        "reference",
        "person",
        "application",
        "kind",
        "amount",
        "fee",
        "card",
        "status",
        "created_at",
        "refunded_at",
        "refund_reason",
        "refund_state",
    )
    readonly_fields = fields
    inlines = [HistoryInline]
    actions = ["refund"]

    @admin.display(description=_("refund"))
    def refund_state(self, payment):
        return payments.payment_unused_refusal(payment) or gettext("Can be refunded.")

    def has_refund_permission(self, request):
        return request.user.has_perm("residency.refund_payment")

    @admin.action(description=_("Refund the selected unused fees"), permissions=["refund"])
    def refund(self, request, queryset):
        form = RefundForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            refunded = 0
            for payment in queryset:
                try:
                    payments.payment_refund(
                        payment=payment, actor=request.user, reason=form.cleaned_data["reason"]
                    )
                except ValidationError as error:
                    self.message_user(
                        request, f"{payment.reference}: {' '.join(error.messages)}", messages.ERROR
                    )
                else:
                    refunded += 1
            if refunded:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d payment was refunded.",
                        "%(count)d payments were refunded.",
                        refunded,
                    )
                    % {"count": refunded},
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Refund unused fees"),
            "rows": [(payment, payments.payment_unused_refusal(payment)) for payment in queryset],
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "residency/admin/refund.html", context)
