from urllib.parse import urlencode

from axes.models import AccessAttempt, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import audit
from accounts.admin_history import HistoryAdmin
from accounts.admin_import import RegisterImportAdminMixin
from accounts.admin_scale import IndexedSearchMixin
from accounts.changes import AccountChangeRefused, account_change_decide, account_change_propose
from accounts.forms import (
    AccountChangeProposeForm,
    PersonAddForm,
    StaffDecisionForm,
    refusal_shown_on,
)
from accounts.lockout import qid_locked_until
from accounts.models import (
    AccountChangeRequest,
    OTPEvent,
    Person,
    PersonDataAccess,
    ReferenceSequence,
    SmartCard,
    StaffAction,
    StatusChange,
)
from accounts.otp import OTPRefused
from accounts.policies import account_change_refusal, can_edit_person, password_reset_hold
from accounts.validators import mask_mobile
from messaging.models import Notification

# What sign-in, one-time codes and password reset depend on. Nobody edits these
# in a form, superusers included: a mobile changes only through a two-person
# account change request, cards only through the register import.
PERSON_IDENTITY_FIELDS = ("qid", "mobile")
CARD_IDENTITY_FIELDS = ("number", "expires_on", "status")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open personal records?"),
        help_text=_("For example the support ticket number. Asked once per session."),
        max_length=200,
    )


class PersonDataViewMixin:
    """Opening one of a person's requests or applications in admin is written
    to that person's "who viewed your data" log, as opening their record is."""

    data_access_what = gettext_noop("Request %(reference)s")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        shown = getattr(response, "context_data", None) or {}
        obj = shown.get("original")
        if request.method == "GET" and response.status_code == 200 and obj is not None:
            what, reference = self.data_access_what, obj.reference
            audit.data_access_record(
                actor=request.user,
                person=obj.person,
                what=lambda: gettext(what) % {"reference": reference},
                reason=request.session.get(audit.REASON_SESSION_KEY, ""),
            )
        return response


class NoRevertMixin:
    """Earlier versions are read, never saved back.

    simple-history's version page saves the old row on POST for anyone who
    may view it, which would bring back an old mobile number or a request's
    old status behind the services' back.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdminMixin(NoRevertMixin):
    """For evidence (histories, logs, requests): staff read it, only services write it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatusHistoryMixin:
    """A request's status changes, oldest first, in local time, as a read-only field."""

    @admin.display(description=_("status history"))
    def status_history(self, obj):
        changes = StatusChange.objects.filter(reference=obj.reference).select_related("actor")
        return (
            format_html_join(
                "",
                "<div>{} · {} → {} · {} {}</div>",
                (
                    (
                        date_format(timezone.localtime(change.created_at), "SHORT_DATETIME_FORMAT"),
                        change.from_status or "—",
                        change.to_status,
                        change.actor.qid if change.actor else _("system"),
                        change.note,
                    )
                    for change in changes
                ),
            )
            or "—"
        )


class CheckboxChoicesMixin:
    """Many-to-many choices (groups, permissions) as labelled checkboxes.

    The stock two-box picker is built by script with unnamed controls and an
    aria-label on a span (WCAG 4.1.2); a list of checkboxes, each with its own
    label, works by keyboard and screen reader alike.
    """

    filter_horizontal = ()
    filter_vertical = ()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class SmartCardInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The person's cards, to read. Cards are added in the smart card admin."""

    model = SmartCard
    extra = 0
    fields = ("number", "kind", "issued_on", "expires_on", "status", "chip_status")
    readonly_fields = fields


@admin.register(Person)
class PersonAdmin(
    CheckboxChoicesMixin,
    IndexedSearchMixin,
    NoRevertMixin,
    RegisterImportAdminMixin,
    HistoryAdmin,
    UserAdmin,
):
    list_display = ("qid", "name_en", "name_ar", "nationality_name", "data_verified", "is_staff")
    list_filter = ("data_verified", "is_staff", "is_active", "sex", "preferred_language")
    search_fields = ("qid", "name_en", "name_ar", "mobile")
    qid_field = "qid"
    name_fields = ("name_en", "name_ar")
    ordering = ("qid",)
    readonly_fields = ("registered_at", "created_at", "last_login", "has_photo")
    inlines = [SmartCardInline]
    change_form_template = "admin/accounts/person/change_form.html"

    @admin.display(description=_("nationality"), ordering="nationality")
    def nationality_name(self, person):
        # The field's own display walks every country's choice for each row.
        return person.nationality.name

    @admin.display(boolean=True, description=_("approved photo on file"))
    def has_photo(self, person):
        return bool(person.photo)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/support/", wrap(self.support_view), name="accounts_person_support"),
            path("reason/", wrap(self.reason_view), name="accounts_person_reason"),
            *super().get_urls(),
        ]

    add_form = PersonAddForm
    add_form_template = "admin/change_form.html"

    def get_inlines(self, request, obj):
        # Cards are added in the smart card admin once the person exists.
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        """Identity fields are never edited in a form; only superusers grant groups,
        permissions, staff or superuser status; nobody changes their own."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += PERSON_IDENTITY_FIELDS
        if not request.user.is_superuser:
            fields += ["is_superuser", "is_staff", "groups", "user_permissions"]
        if obj is not None and obj.pk == request.user.pk:
            fields += ["is_staff", "groups", "is_active"]
        return list(dict.fromkeys(fields))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_edit_person(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_edit_person(request.user, obj)

    def user_change_password(self, request, id, form_url=""):
        # Nobody sets another person's password, superusers included: people
        # reset it with a code, staff change their own with the current one
        # (admin:password_change).
        raise PermissionDenied

    def _needs_reason(self, request):
        if audit.needs_reason(request.user) and not request.session.get(audit.REASON_SESSION_KEY):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('admin:accounts_person_reason')}?{query}")
        return None

    def _log_view(self, request, object_id, what):
        person = Person.objects.filter(pk=object_id).first()
        if person is not None:
            audit.data_access_record(
                actor=request.user,
                person=person,
                what=what,
                reason=request.session.get(audit.REASON_SESSION_KEY, ""),
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = self._needs_reason(request) or super().change_view(
            request, object_id, form_url, extra_context
        )
        if request.method == "GET" and response.status_code == 200:
            self._log_view(request, object_id, lambda: gettext("Personal record"))
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = self._needs_reason(request) or super().history_view(
            request, object_id, extra_context
        )
        if response.status_code == 200:
            self._log_view(request, object_id, lambda: gettext("Record history"))
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = self._needs_reason(request) or super().history_form_view(
            request, object_id, version_id, extra_context
        )
        if response.status_code == 200:
            self._log_view(request, object_id, lambda: gettext("Earlier version of the record"))
        return response

    def reason_view(self, request):
        form = ReasonForm(request.POST or None)
        if form.is_valid():
            request.session[audit.REASON_SESSION_KEY] = form.cleaned_data["reason"]
            next_url = request.GET.get("next", "")
            safe = url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            return redirect(next_url if safe else "admin:index")
        context = {**self.admin_site.each_context(request), "form": form, "title": _("Reason")}
        return TemplateResponse(request, "admin/accounts/person/reason.html", context)

    def support_view(self, request, pk):
        if not request.user.has_perm("accounts.support_account"):
            raise PermissionDenied
        needs_reason = self._needs_reason(request)
        if needs_reason:
            return needs_reason
        person = get_object_or_404(Person, pk=pk)
        if request.method == "GET":
            self._log_view(request, pk, lambda: gettext("Sign-in and code events"))
        if request.method == "POST":
            self._support_action(request, person, request.POST.get("action"))
            return redirect("admin:accounts_person_support", pk=pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Account support"),
            "person": person,
            "locked_until": qid_locked_until(person.qid),
            "attempts": AccessAttempt.objects.filter(username=person.qid)[:20],
            "logins": AccessLog.objects.filter(username=person.qid).order_by("-attempt_time")[:20],
            "otp_events": OTPEvent.objects.filter(person=person)[:50],
            "actions": StaffAction.objects.filter(person=person).select_related("staff")[:20],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/accounts/person/support.html", context)

    def _support_action(self, request, person, action):
        handlers = {
            "unlock": (audit.support_unlock, _("The sign-in lock was lifted.")),
            "end_sessions": (audit.support_end_sessions, _("All sessions were ended.")),
            "resend_registration_code": (
                audit.support_resend_registration_code,
                _("A registration code was sent."),
            ),
        }
        if action not in handlers:
            messages.error(request, _("Unknown action."))
            return
        handler, done = handlers[action]
        try:
            handler(actor=request.user, person=person)
        except OTPRefused as refused:
            messages.error(request, refused.messages[0])
        else:
            messages.success(request, done)

    fieldsets = (
        (None, {"fields": ("qid",)}),
        (
            _("Register data"),
            {
                "fields": (
                    *Person.REGISTER_FIELDS,
                    "email",
                    "preferred_language",
                    "has_photo",
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
                "fields": ("qid", "name_ar", "name_en", "date_of_birth", "sex", "nationality"),
            },
        ),
    )


@admin.register(SmartCard)
class SmartCardAdmin(IndexedSearchMixin, NoRevertMixin, HistoryAdmin):
    list_display = ("number", "person", "kind", "status", "chip_status", "expires_on")
    # A date filter, not a date hierarchy: the hierarchy reads every row's date.
    list_filter = ("kind", "status", "chip_status", "expires_on")
    search_fields = ("number", "person__qid", "person__name_en", "person__name_ar")
    number_fields = ("number",)
    list_select_related = ("person",)
    # The person by number with a search link: the autocomplete box has no
    # accessible name (WCAG 4.1.2).
    raw_id_fields = ("person",)
    # Chip status changes through chip requests (activation.services), never by hand.
    readonly_fields = ("chip_status",)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["person", *CARD_IDENTITY_FIELDS]
        return fields

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_edit_person(
            request.user, obj and obj.person
        )


@admin.register(StatusChange)
class StatusChangeAdmin(IndexedSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The history is evidence: staff read it, nobody edits it."""

    list_display = ("reference", "from_status", "to_status", "actor", "created_at")
    list_filter = ("to_status", "content_type")
    search_fields = ("reference", "actor__qid")
    qid_field = "actor__qid"
    reference_field = "reference"
    name_fields = ()
    list_select_related = ("actor",)


@admin.register(ReferenceSequence)
class ReferenceSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("prefix", "year", "last_number")


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(OTPEvent)
class OTPEventAdmin(IndexedSearchMixin, ReadOnlyAdmin):
    """Code events for support: never the codes themselves."""

    list_display = ("created_at", "person", "purpose", "kind", "masked_number")
    list_filter = ("kind", "purpose")
    search_fields = ("person__qid",)
    name_fields = ()
    list_select_related = ("person",)

    @admin.display(description=_("mobile number"))
    def masked_number(self, event):

        return mask_mobile(event.number)


@admin.register(Notification)
class NotificationAdmin(IndexedSearchMixin, ReadOnlyAdmin):
    list_display = ("created_at", "person", "template", "status", "attempts")
    # No filter by template: listing the templates in use reads every row.
    list_filter = ("status", "sms", "created_at")
    search_fields = ("person__qid", "provider_id")
    name_fields = ()
    exact_fields = ("provider_id",)
    list_select_related = ("person",)
    exclude = ("body", "number")


@admin.register(PersonDataAccess)
class PersonDataAccessAdmin(IndexedSearchMixin, ReadOnlyAdmin):
    list_display = ("at", "office", "staff", "person", "what", "reason")
    list_filter = ("office",)
    search_fields = ("person__qid", "staff__qid")
    name_fields = ()
    list_select_related = ("person", "staff")
    show_full_result_count = False


@admin.register(AccountChangeRequest)
class AccountChangeRequestAdmin(
    PersonDataViewMixin, StatusHistoryMixin, NoRevertMixin, HistoryAdmin
):
    """Two-person account changes: one staff member proposes, another decides.

    Nothing is saved through the model form: "Add" opens the proposal page and
    a request is decided on its "Decide" page, both through ``accounts.changes``.
    """

    list_display = (
        "reference",
        "person",
        "kind",
        "status",
        "proposed_by",
        "decided_by",
        "created_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("reference", "person__qid", "person__name_en", "person__name_ar")
    list_select_related = ("person", "proposed_by", "decided_by")
    date_hierarchy = "created_at"
    fields = (
        "reference",
        "person",
        "kind",
        "masked_new_mobile",
        "reason",
        "status",
        "proposed_by",
        "decided_by",
        "created_at",
        "status_history",
    )
    readonly_fields = fields
    change_form_template = "admin/accounts/accountchangerequest/change_form.html"
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("new mobile number"))
    def masked_new_mobile(self, obj):
        return obj.masked_new_mobile or "—"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/decide/",
                wrap(self.decide_view),
                name="accounts_accountchangerequest_decide",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """The proposal page."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {}
        person = Person.objects.filter(pk=request.GET.get("person") or None).first()
        if person is not None:
            initial["qid"] = person.qid
        form = AccountChangeProposeForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            with refusal_shown_on(form, AccountChangeRefused):
                change = account_change_propose(
                    person=form.person,
                    kind=form.cleaned_data["kind"],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    new_mobile=form.cleaned_data["new_mobile"],
                )
                self.message_user(
                    request,
                    _("Request %(reference)s waits for approval by another staff member.")
                    % {"reference": change.reference},
                    messages.SUCCESS,
                )
                return redirect("admin:accounts_accountchangerequest_change", change.pk)
        context = {
            "reset_pause": password_reset_hold.duration,
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Propose an account change"),
        }
        template = "admin/accounts/accountchangerequest/propose.html"
        return TemplateResponse(request, template, context)

    def decide_view(self, request, pk):
        change = get_object_or_404(AccountChangeRequest.objects.select_related("person"), pk=pk)
        refusal = account_change_refusal(request.user, change)
        if refusal and not self.has_view_permission(request, change):
            raise PermissionDenied
        form = StaffDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with refusal_shown_on(form):
                account_change_decide(
                    change=change,
                    approve=form.cleaned_data["decision"] == "approve",
                    actor=request.user,
                    note=form.cleaned_data["note"],
                )
                self.message_user(
                    request,
                    _("Decision recorded for %(reference)s.") % {"reference": change.reference},
                    messages.SUCCESS,
                )
                return redirect("admin:accounts_accountchangerequest_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": change,
            "form": form,
            "refusal": refusal,
            "title": _("Decide %(reference)s") % {"reference": change.reference},
        }
        return TemplateResponse(request, "admin/accounts/accountchangerequest/decide.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        change = self.get_object(request, unquote(object_id))  # None for a malformed id
        extra_context = {
            **(extra_context or {}),
            "can_decide": change is not None
            and change.is_open
            and account_change_refusal(request.user, change) is None,
        }
        return super().change_view(request, object_id, form_url, extra_context)


# --- Staff authenticators (django-otp's devices) -----------------------------------------
# The device's own counters (clock drift, failed attempts and when the last one
# was) are kept by the code checks; they are shown, never typed over, so an
# edit cannot lift a throttle or skew the clock window.
DEVICE_STATE_FIELDS = ("drift", "throttling_failure_timestamp", "throttling_failure_count")


class PortalTOTPDeviceAdmin(TOTPDeviceAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *DEVICE_STATE_FIELDS]


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, PortalTOTPDeviceAdmin)


class PortalGroupAdmin(CheckboxChoicesMixin, GroupAdmin):
    pass


admin.site.unregister(Group)
admin.site.register(Group, PortalGroupAdmin)
