"""Applicant pages of the permanent residency service (PRODUCT.md section 6).

Views read input through a form and call one service or selector. A person
only ever reaches their own application: drafts are looked up by the signed-in
person, status pages by the person and reference (404 for anyone else).
"""

import icalendar
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from accounts import audit, conf
from accounts.bidi import bdi_format
from accounts.constants import OTPPurpose
from accounts.forms import refusal_shown_on
from accounts.security_log import visible_or_404
from accounts.stepup import StepUpRequiredMixin, stepup_clear
from residency import payments, policies, selectors, services
from residency.constants import (
    AWAITING_DECISION,
    DECISION_WORKING_DAYS,
    MAX_RESCHEDULES,
    WITHDRAWABLE,
    ApplicationStatus,
    FeeKind,
    Step,
)
from residency.eligibility import eligibility_to_apply
from residency.forms import (
    BasisForm,
    CentreForm,
    DeclarationForm,
    DocumentUploadForm,
    EmploymentForm,
    RescheduleForm,
    ResidenceForm,
)

S = ApplicationStatus
# How many booking days the reschedule picker offers.
RESCHEDULE_DAYS = 10


def _error_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _own_application(request, reference: str):
    """The signed-in person's application; another person's reference is a logged 404."""
    return visible_or_404(
        request,
        selectors.application_get(reference=reference),
        policies.can_view_application,
        ref=reference,
    )


def step_url(step: str) -> str:
    return reverse(f"residency:step_{step}")


@method_decorator(never_cache, name="dispatch")
class HomeView(View):
    """Residency services: who may apply, the open application, earlier applications."""

    def get(self, request):
        context = {"decision_working_days": DECISION_WORKING_DAYS}
        if request.user.is_authenticated:
            person = request.user
            applications = list(selectors.applications_for(person=person))
            context |= {
                "failures": eligibility_to_apply(person=person, today=timezone.localdate()),
                "open_application": selectors.application_open_among(applications),
                "applications": applications,
            }
        return render(request, "residency/home.html", context)


class ApplyView(LoginRequiredMixin, View):
    """Resume the draft where it was left, or start at the first page."""

    def get(self, request):
        draft = selectors.application_draft_for(person=request.user)
        step = selectors.application_next_step(draft) if draft else Step.PERSONAL
        return redirect(step_url(step))


@method_decorator(never_cache, name="dispatch")
class DraftStepView(LoginRequiredMixin, View):
    """One page of the application form: validates, saves into the draft, moves on."""

    step: str = ""
    template_name = "residency/step_form.html"
    needs_draft = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.application = selectors.application_draft_for(person=request.user)
        if self.application is None and self.needs_draft:
            return redirect("residency:home")
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None, files=None):
        raise NotImplementedError

    def save(self, form) -> None:
        raise NotImplementedError

    def next_url(self) -> str:
        if self.request.GET.get("return") == "review":
            return step_url(Step.REVIEW)
        steps = selectors.application_steps(self.application)
        return step_url(steps[steps.index(self.step) + 1])

    def get_context(self, **extra):
        steps = selectors.application_steps(self.application)
        missing = (
            set(selectors.application_missing_steps(self.application))
            if self.application
            else set(steps)
        )
        # The review has no answers of its own: it is done once every earlier
        # page is answered and the person has gone on to the declaration.
        if missing - {Step.DECLARATION} or self.step != Step.DECLARATION:
            missing.add(Step.REVIEW)
        nav = [
            {
                "step": step,
                "label": Step(step).label,
                "url": step_url(step),
                "done": step not in missing,
                "current": step == self.step,
            }
            for step in steps
        ]
        return {
            "application": self.application,
            "steps": nav,
            "step_label": Step(self.step).label,
            "step_number": steps.index(self.step) + 1,
            "step_count": len(steps),
            "decision_working_days": DECISION_WORKING_DAYS,
            **extra,
        }

    def get(self, request):
        return render(request, self.template_name, self.get_context(form=self.get_form()))

    def post(self, request):
        form = self.get_form(request.POST, request.FILES)
        if form.is_valid():
            with refusal_shown_on(form):
                self.save(form)
                return redirect(self.next_url())
        return render(request, self.template_name, self.get_context(form=form), status=400)


class PersonalStepView(DraftStepView):
    """The register data, read-only; continuing opens the draft."""

    step = Step.PERSONAL
    template_name = "residency/step_personal.html"
    needs_draft = False

    def get(self, request):
        if self.application is None:
            failures = eligibility_to_apply(person=request.user, today=timezone.localdate())
            if failures:
                return redirect("residency:home")
        return render(request, self.template_name, self.get_context(person=request.user))

    def post(self, request):
        if self.application is None:
            try:
                self.application = services.application_start(person=request.user)
            except ValidationError as error:
                _error_messages(request, error)
                return redirect("residency:home")
        return redirect(self.next_url())


class DraftFieldsStepView(DraftStepView):
    """A page whose model form answers fields of the draft; the answers are saved as given."""

    form_class: type[forms.ModelForm]

    def get_form(self, data=None, files=None):
        return self.form_class(data, instance=self.application, **self.get_form_kwargs())

    def get_form_kwargs(self) -> dict:
        return {}

    def save(self, form):
        self.application = services.application_draft_update(
            application=self.application, actor=self.request.user, **form.cleaned_data
        )


class BasisStepView(DraftFieldsStepView):
    step = Step.BASIS
    form_class = BasisForm

    def get_form_kwargs(self) -> dict:
        return {"today": timezone.localdate()}


class ResidenceStepView(DraftStepView):
    step = Step.RESIDENCE

    def get(self, request):
        if not self.application.needs_residence_history:
            return redirect(step_url(Step.BASIS))
        return super().get(request)

    def get_form(self, data=None, files=None):
        return ResidenceForm(
            data,
            person=self.request.user,
            basis=self.application.basis,
            today=timezone.localdate(),
            initial_days=self.application.days_abroad,
        )

    def save(self, form):
        self.application = services.application_draft_update(
            application=self.application, actor=self.request.user, days_abroad=form.days_abroad()
        )


class EmploymentStepView(DraftFieldsStepView):
    step = Step.EMPLOYMENT
    form_class = EmploymentForm


class CentreStepView(DraftFieldsStepView):
    step = Step.CENTRE
    form_class = CentreForm


class DocumentUploadMixin:
    """Upload one document at a time; each upload is saved at once."""

    def get_upload_form(self, data=None, files=None):
        return DocumentUploadForm(data, files, kinds=self.application.required_document_kinds)

    def upload(self, form) -> bool:
        try:
            services.document_add(
                application=self.application,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["upload"],
                actor=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return False
        messages.success(self.request, _("The document was uploaded."))
        return True

    def documents_context(self):
        current = selectors.documents_current(self.application)
        return [
            {"kind": kind, "label": label, "document": current.get(kind)}
            for kind, label in self.get_upload_form().fields["kind"].choices
        ]


class DocumentsStepView(DocumentUploadMixin, DraftStepView):
    step = Step.DOCUMENTS
    template_name = "residency/step_documents.html"

    def get(self, request):
        if not self.application.basis:
            return redirect(step_url(Step.BASIS))
        return self._render(self.get_upload_form())

    def _render(self, form, status=200):
        return render(
            request=self.request,
            template_name=self.template_name,
            context=self.get_context(form=form, documents=self.documents_context()),
            status=status,
        )

    def post(self, request):
        if "continue" in request.POST:
            if Step.DOCUMENTS in selectors.application_missing_steps(self.application):
                messages.error(request, _("Upload every required document before continuing."))
                return redirect(step_url(Step.DOCUMENTS))
            return redirect(self.next_url())
        form = self.get_upload_form(request.POST, request.FILES)
        if form.is_valid() and self.upload(form):
            return redirect(step_url(Step.DOCUMENTS))
        return self._render(form, status=400)


class ReviewStepView(DraftStepView):
    step = Step.REVIEW
    template_name = "residency/step_review.html"

    def get(self, request):
        missing = [
            step
            for step in selectors.application_missing_steps(self.application)
            if step != Step.DECLARATION
        ]
        return render(
            request,
            self.template_name,
            self.get_context(
                documents=selectors.documents_current(self.application),
                missing=[Step(step).label for step in missing],
                person=request.user,
                fee=payments.fee_state(application=self.application, kind=FeeKind.APPLICATION),
            ),
        )

    def post(self, request):
        return redirect(step_url(Step.DECLARATION))


@method_decorator(never_cache, name="dispatch")
class DeclarationView(StepUpRequiredMixin, DraftStepView):
    """Declaration and submission, confirmed with a one-time code (PRODUCT.md section 6.2)."""

    step = Step.DECLARATION
    template_name = "residency/step_declaration.html"
    stepup_purpose = OTPPurpose.RESIDENCY_SUBMISSION

    @property
    def stepup_max_age(self) -> int:
        """A submission must follow its code within five minutes (``accounts.conf``)."""
        return conf.settings.ACCOUNTS_STEPUP_SUBMISSION_MAX_AGE

    def get_stepup_scope(self) -> str:
        draft = selectors.application_draft_for(person=self.request.user)
        return f"application:{draft.reference}" if draft else "application"

    def dispatch(self, request, *args, **kwargs):
        """No code is sent for a draft that cannot be submitted yet."""
        if request.user.is_authenticated:
            draft = selectors.application_draft_for(person=request.user)
            if draft is None:
                return redirect("residency:home")
            if set(selectors.application_missing_steps(draft)) - {Step.DECLARATION}:
                return redirect(step_url(Step.REVIEW))
            if not payments.fee_is_paid(application=draft, kind=FeeKind.APPLICATION):
                return redirect(step_url(Step.REVIEW))
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None, files=None):
        return DeclarationForm(data)

    def save(self, form):
        services.application_submit(application=self.application, actor=self.request.user)
        stepup_clear(
            self.request,
            purpose=self.stepup_purpose,
            scope=f"application:{self.application.reference}",
        )
        messages.success(
            self.request,
            bdi_format(
                _("Your application %(reference)s was submitted."),
                reference=self.application.reference,
            ),
        )

    def next_url(self):
        return reverse("residency:status", args=[self.application.reference])


@method_decorator(never_cache, name="dispatch")
class StatusView(LoginRequiredMixin, View):
    """Status, timeline, expected decision date, reviewer messages and documents."""

    def get(self, request, reference):
        application = _own_application(request, reference)
        timeline = selectors.application_timeline(application)
        return render(
            request,
            "residency/status.html",
            {
                "application": application,
                "timeline": timeline,
                "reviewer_messages": selectors.reviewer_messages(timeline),
                "documents": selectors.documents_all(application),
                "appointment": selectors.appointment_of(application),
                "can_withdraw": application.status in WITHDRAWABLE,
                "awaiting_decision": application.status in AWAITING_DECISION,
                "decision_working_days": DECISION_WORKING_DAYS,
                "person": request.user,
                "payments": list(payments.payments_of_application(application)),
            },
        )


class WithdrawView(LoginRequiredMixin, View):
    """Asks for confirmation, then withdraws."""

    def get(self, request, reference):
        application = _own_application(request, reference)
        return render(request, "residency/withdraw.html", {"application": application})

    def post(self, request, reference):
        application = _own_application(request, reference)
        try:
            services.application_withdraw(application=application, actor=request.user)
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("Your application was withdrawn."))
        return redirect("residency:status", reference=reference)


@method_decorator(never_cache, name="dispatch")
class MoreInformationView(DocumentUploadMixin, LoginRequiredMixin, View):
    """When a reviewer asked for more: upload documents, then resubmit."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.application = _own_application(request, kwargs["reference"])
        if self.application.status != S.MORE_INFO_REQUESTED:
            return redirect("residency:status", reference=self.application.reference)
        return super().dispatch(request, *args, **kwargs)

    def _render(self, form, status=200):
        timeline = selectors.application_timeline(self.application)
        context = {
            "application": self.application,
            "form": form,
            "documents": self.documents_context(),
            "reviewer_messages": selectors.reviewer_messages(timeline),
        }
        return render(self.request, "residency/more_information.html", context, status=status)

    def get(self, request, reference):
        return self._render(self.get_upload_form())

    def post(self, request, reference):
        if "resubmit" in request.POST:
            try:
                services.application_resubmit(application=self.application, actor=request.user)
            except ValidationError as error:
                _error_messages(request, error)
            else:
                messages.success(request, _("Your application was sent back to the reviewers."))
            return redirect("residency:status", reference=reference)
        form = self.get_upload_form(request.POST, request.FILES)
        if form.is_valid() and self.upload(form):
            return redirect("residency:more_information", reference=reference)
        return self._render(form, status=400)


@method_decorator(never_cache, name="dispatch")
class DocumentDownloadView(LoginRequiredMixin, View):
    """Streams a document to its owner or to authorised staff only."""

    def get(self, request, pk):
        document = visible_or_404(
            request, selectors.document_get(document_id=pk), policies.can_view_document
        )
        audit.data_access_record(
            actor=request.user,
            person=document.application.person,
            what=lambda: ": ".join((_("Residency document"), str(document.get_kind_display()))),
        )
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.download_name,
            content_type=document.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class AppointmentMixin(LoginRequiredMixin):
    def load(self, request, reference):
        self.application = _own_application(request, reference)
        self.appointment = selectors.appointment_of(self.application)


@method_decorator(never_cache, name="dispatch")
class AppointmentView(AppointmentMixin, View):
    """The printable appointment page."""

    def get(self, request, reference):
        self.load(request, reference)
        if self.appointment is None:
            return redirect("residency:status", reference=reference)
        return render(
            request,
            "residency/appointment.html",
            {
                "application": self.application,
                "appointment": self.appointment,
                "reschedules_left": MAX_RESCHEDULES - self.appointment.reschedules,
                "person": request.user,
                "fee": payments.fee_state(application=self.application, kind=FeeKind.CARD),
            },
        )


class AppointmentCalendarView(AppointmentMixin, View):
    """The appointment as an iCalendar file for the applicant's calendar."""

    def get(self, request, reference):
        self.load(request, reference)
        if self.appointment is None:
            return redirect("residency:status", reference=reference)
        slot = self.appointment.slot
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Ministry of Interior, State of Qatar//E-services//EN")
        calendar.add("version", "2.0")
        event = icalendar.Event()
        event.add("uid", f"{self.application.reference}@moi-eservices")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", slot.starts_at)
        event.add("dtend", slot.ends_at)
        event.add(
            "summary",
            _("Collect your permanent residency card (%(reference)s)")
            % {"reference": self.application.reference},
        )
        event.add("location", f"{slot.centre.name}, {slot.centre.address}")
        event.add(
            "description",
            _("Bring your passport and your residence permit. Reference: %(reference)s")
            % {"reference": self.application.reference},
        )
        calendar.add_component(event)
        response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{self.application.reference}-appointment.ics"'
        )
        return response


@method_decorator(never_cache, name="dispatch")
class RescheduleView(AppointmentMixin, View):
    """Move the appointment (at most twice): a centre, then a day, then a free time.

    Each step is a plain link or form, so it works without JavaScript and by
    keyboard; the query string carries the choices made so far.
    """

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.load(request, kwargs["reference"])
        if self.appointment is None or self.application.status != S.APPOINTMENT_BOOKED:
            return redirect("residency:status", reference=kwargs["reference"])
        self.days = services.booking_days(today=timezone.localdate())[:RESCHEDULE_DAYS]
        return super().dispatch(request, *args, **kwargs)

    def _choice(self):
        """The centre and day chosen so far, ignoring anything not on offer."""
        centres = {str(row.centre.pk): row for row in self.centres}
        centre = centres.get(self.request.GET.get("centre", ""))
        day = None
        if centre is not None:
            days = {d.isoformat(): d for d, _count in self.free_days(centre.centre)}
            day = days.get(self.request.GET.get("day", ""))
        return centre, day

    def free_days(self, centre):
        if not hasattr(self, "_free_days"):
            self._free_days = selectors.centre_free_days(centre_id=centre.pk, days=self.days)
        return self._free_days

    def form(self, centre, day, data=None):
        slots = selectors.slots_free(
            centre_id=centre.pk, days=[day], exclude_slot_id=self.appointment.slot_id
        )
        return RescheduleForm(data, slots=slots)

    def _render(self, form=None, status=200):
        centre, day = self._choice()
        context = {
            "application": self.application,
            "appointment": self.appointment,
            "reschedules_left": MAX_RESCHEDULES - self.appointment.reschedules,
            "centres": self.centres,
            "centre": centre,
            "day": day,
            "free_days": self.free_days(centre.centre) if centre else [],
            "form": form,
        }
        return render(self.request, "residency/reschedule.html", context, status=status)

    def _prepare(self):
        services.slots_window_ensure_open_centres(days=self.days)
        self.centres = selectors.centres_next_free(days=self.days)

    def get(self, request, reference):
        self._prepare()
        centre, day = self._choice()
        form = self.form(centre.centre, day) if day else None
        return self._render(form)

    def post(self, request, reference):
        self._prepare()
        centre, day = self._choice()
        if day is None:
            return redirect(request.path)
        form = self.form(centre.centre, day, request.POST)
        if form.is_valid():
            with refusal_shown_on(form):
                services.appointment_reschedule(
                    application=self.application,
                    actor=request.user,
                    slot_id=form.cleaned_data["slot"],
                )
                messages.success(request, _("Your appointment was moved."))
                return redirect("residency:appointment", reference=reference)
        return self._render(form, status=400)
