"""Pages of the e-services activation flow (PRODUCT.md section 5) and the profile.

Views read input through a form, call one selector or service and render or
redirect. Rules live in ``activation.eligibility`` and ``activation.services``.
Every page loads cards and requests through selectors filtered by the signed-in
person, so another person's card or request is a 404 (rule 8).
"""

import mimetypes
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import audit
from accounts.bidi import bdi_format
from accounts.constants import OTPPurpose
from accounts.forms import refusal_shown_on
from accounts.models import Person
from accounts.otp import OTPRefused, otp_send
from accounts.security_log import not_yours, owned_or_404, visible_or_404
from accounts.stepup import StepUpRequiredMixin
from accounts.views import DeviceCodeView
from activation import policies, selectors, services
from activation.forms import (
    ConfirmForm,
    CorrectionForm,
    MobileChangeForm,
    PhotoUploadForm,
    ServiceSelectionForm,
)
from activation.models import CardServiceRequest

never_cached = method_decorator(never_cache, name="dispatch")


def _request_sent(request, message: str, *, reference: str, back_to: str = "activation:profile"):
    """Tell the person the reference of the request they just sent, then take them back."""
    messages.success(request, bdi_format(message, reference=reference))
    return redirect(back_to)


@never_cached
class OverviewView(LoginRequiredMixin, View):
    """The person's cards, their chips and the way into the catalogue."""

    def get(self, request):
        cards = selectors.card_overview_list(request.user)
        return render(request, "activation/overview.html", {"cards": cards})


class CardStepUpMixin(StepUpRequiredMixin):
    """A page about one of the person's own cards, behind a code confirmed for that card."""

    stepup_purpose = OTPPurpose.ESERVICES

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.card = owned_or_404(
                selectors.card_queryset_for_person(request.user),
                request=request,
                pk=kwargs["card_pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get_stepup_scope(self) -> str:
        return f"card:{self.kwargs['card_pk']}"


@never_cached
class CatalogueView(CardStepUpMixin, View):
    """Every service with its state on the card; the person ticks the ones to activate."""

    def get(self, request, card_pk):
        return self._render(ServiceSelectionForm())

    def post(self, request, card_pk):
        form = ServiceSelectionForm(request.POST)
        if form.is_valid():
            try:
                services.activation_check(
                    person=request.user, card=self.card, services=form.cleaned_data["services"]
                )
            except services.ActivationRefused as refused:
                form.add_error("services", refused)
            else:
                query = "&".join(f"services={s.code}" for s in form.cleaned_data["services"])
                return redirect(f"{reverse('activation:review', args=[card_pk])}?{query}")
        return self._render(form, status=400)

    def _render(self, form, status=200):
        entries = selectors.catalogue_for_card(person=self.request.user, card=self.card)
        context = {"card": self.card, "entries": entries, "form": form}
        return render(self.request, "activation/catalogue.html", context, status=status)


class CardServicesChangeMixin(CardStepUpMixin):
    """The confirmed form carries out ``change``; one change per idempotency key."""

    change: Callable[..., tuple[CardServiceRequest, bool]]

    def post(self, request, card_pk):
        form = ConfirmForm(request.POST)
        if form.is_valid():
            with refusal_shown_on(form, services.ActivationRefused):
                done, _created = self.change(
                    person=request.user,
                    card=self.card,
                    services=self.chosen(form),
                    idempotency_key=form.cleaned_data["token"],
                )
                return redirect("activation:request_done", reference=done.reference)
        return self.refused(form)

    def chosen(self, form) -> list:
        raise NotImplementedError

    def refused(self, form):
        raise NotImplementedError


@never_cached
class ReviewView(CardServicesChangeMixin, View):
    """Review the selection, then confirm. The page carries a fresh idempotency key."""

    change = staticmethod(services.activation_confirm)

    def get(self, request, card_pk):
        form = ServiceSelectionForm(request.GET)
        try:
            if not form.is_valid():
                raise services.ActivationRefused(_("Select the services again."))
            selected = form.cleaned_data["services"]
            services.activation_check(person=request.user, card=self.card, services=selected)
        except services.ActivationRefused as refused:
            messages.error(request, refused.messages[0])
            return redirect("activation:catalogue", card_pk=card_pk)
        initial = {"services": selected, "token": ConfirmForm.new_token()}
        return self._render(ConfirmForm(initial=initial), selected)

    def chosen(self, form) -> list:
        return form.cleaned_data["services"]

    def refused(self, form):
        return self._render(form, form.cleaned_data.get("services", []), status=400)

    def _render(self, form, selected, status=200):
        context = {"card": self.card, "form": form, "selected": selected}
        return render(self.request, "activation/review.html", context, status=status)


@never_cached
class DeactivateView(CardServicesChangeMixin, View):
    """Confirm turning one active service off; idempotent like the activation."""

    change = staticmethod(services.activation_deactivate)

    def get(self, request, card_pk, code):
        row = self._active_row(code)
        initial = {"services": [row.service], "token": ConfirmForm.new_token()}
        return self._render(ConfirmForm(initial=initial), row)

    def post(self, request, card_pk, code):
        self.row = self._active_row(code)
        return super().post(request, card_pk)

    def chosen(self, form) -> list:
        return [self.row.service]

    def refused(self, form):
        return self._render(form, self.row, status=400)

    def _active_row(self, code):
        found = selectors.card_service_active_get(card=self.card, code=code)
        if found is None:
            raise Http404
        return found

    def _render(self, form, row, status=200):
        context = {"card": self.card, "form": form, "row": row}
        return render(self.request, "activation/deactivate.html", context, status=status)


@never_cached
class RequestDoneView(LoginRequiredMixin, View):
    """The confirmation page of an activation or deactivation, with its reference."""

    def get(self, request, reference):
        found = selectors.activation_request_for_person(person=request.user, reference=reference)
        if found is None:
            if selectors.activation_request_exists(reference=reference):
                not_yours(request, "activation.request", reference)
            raise Http404
        return render(request, "activation/request_done.html", {"service_request": found})


@never_cached
class ChipRequestView(LoginRequiredMixin, View):
    """Offer, then record, an electronic request to activate the card's chip."""

    def get(self, request, card_pk):
        card = owned_or_404(
            selectors.card_queryset_for_person(request.user), request=request, pk=card_pk
        )
        return self._render(card)

    def post(self, request, card_pk):
        card = owned_or_404(
            selectors.card_queryset_for_person(request.user), request=request, pk=card_pk
        )
        try:
            chip_request = services.chip_request_create(person=request.user, card=card)
        except services.ActivationRefused as refused:
            return self._render(card, error=refused.messages[0], status=400)
        return _request_sent(
            request,
            _("Your chip activation request %(reference)s was sent for review."),
            reference=chip_request.reference,
            back_to="activation:overview",
        )

    def _render(self, card, error="", status=200):
        context = {
            "card": card,
            "open_request": selectors.chip_request_open_for_card(card),
            "error": error,
        }
        return render(self.request, "activation/chip_request.html", context, status=status)


@never_cached
class ProfileView(LoginRequiredMixin, View):
    """The register data, the one-click confirmation, and the ways to correct it."""

    def get(self, request):
        return render(request, "activation/profile.html", selectors.profile_context(request.user))

    def post(self, request):
        services.person_data_confirm(person=request.user)
        messages.success(request, _("Thank you. Your data is confirmed as current."))
        return redirect("activation:profile")


@never_cached
class RequestFormView(LoginRequiredMixin, View):
    """A form that sends one request to staff; the person is told its reference."""

    form_class: type[forms.Form]
    template_name: str
    sent_message: str

    def get(self, request):
        return self._render(self.form_class())

    def post(self, request):
        form = self.form_class(request.POST, request.FILES)
        if form.is_valid():
            with refusal_shown_on(form, services.ActivationRefused):
                sent = self.send(form)
                return _request_sent(request, self.sent_message, reference=sent.reference)
        return self._render(form, status=400)

    def send(self, form):
        raise NotImplementedError

    def get_context_data(self) -> dict:
        return {}

    def _render(self, form, status=200):
        context = {"form": form, **self.get_context_data()}
        return render(self.request, self.template_name, context, status=status)


class CorrectionView(RequestFormView):
    form_class = CorrectionForm
    template_name = "activation/correction.html"
    sent_message = gettext_lazy("Your correction request %(reference)s was sent for review.")

    def send(self, form):
        return services.correction_request_create(person=self.request.user, **form.cleaned_data)


MOBILE_SESSION_KEY = "activation:mobile_change"


@method_decorator(sensitive_post_parameters("mobile"), name="dispatch")
@never_cached
class MobileChangeView(LoginRequiredMixin, View):
    """Step 1 of a mobile change: the new number. Codes go to the new, then the old number."""

    def get(self, request):
        return self._render(MobileChangeForm(current_mobile=request.user.mobile))

    def post(self, request):
        form = MobileChangeForm(request.POST, current_mobile=request.user.mobile)
        if form.is_valid():
            number = form.cleaned_data["mobile"]
            with refusal_shown_on(form, OTPRefused):
                otp_send(person=request.user, purpose=OTPPurpose.MOBILE_CHANGE, number=number)
                request.session[MOBILE_SESSION_KEY] = {
                    "number": number,
                    "old_lost": form.cleaned_data.get("old_number_lost", False),
                    "step": "new",
                }
                return redirect("activation:mobile_code")
        return self._render(form, status=400)

    def _render(self, form, status=200):
        return render(self.request, "activation/mobile_change.html", {"form": form}, status=status)


@method_decorator(sensitive_post_parameters("code"), name="dispatch")
@never_cached
class MobileCodeView(LoginRequiredMixin, DeviceCodeView):
    """Step 2 (and 3): the code sent to the new number, then the one sent to the old number."""

    purpose = OTPPurpose.MOBILE_CHANGE
    invalid_status = 400

    def dispatch(self, request, *args, **kwargs):
        self.state = (
            request.session.get(MOBILE_SESSION_KEY) if request.user.is_authenticated else {}
        )
        if request.user.is_authenticated and not self.state:
            return redirect("activation:mobile_change")
        return super().dispatch(request, *args, **kwargs)

    def get_number(self) -> str:
        return self.state["number"] if self.state["step"] == "new" else self.request.user.mobile

    def get_cancel_url(self) -> str:
        return reverse("activation:profile")

    def code_verified(self):
        self.request.session.cycle_key()
        if self.state["step"] == "new" and self.request.user.mobile and not self.state["old_lost"]:
            self.request.session[MOBILE_SESSION_KEY] = {**self.state, "step": "old"}
            self.state = self.request.session[MOBILE_SESSION_KEY]
            self.send()
            return redirect("activation:mobile_code")
        return self._finish(old_confirmed=self.state["step"] == "old")

    def _finish(self, *, old_confirmed: bool):
        request = services.mobile_change_record(
            person=self.request.user,
            new_mobile=self.state["number"],
            old_mobile_confirmed=old_confirmed,
        )
        self.request.session.pop(MOBILE_SESSION_KEY, None)
        if old_confirmed:
            # A mobile change ends every session, this one included.
            logout(self.request)
            messages.success(
                self.request,
                _("Your mobile number was changed. Sign in again with your password."),
            )
            return redirect("accounts:login")
        return _request_sent(
            self.request,
            _(
                "Your mobile change request %(reference)s was sent to staff, "
                "who will check your identity."
            ),
            reference=request.reference,
        )


class PhotoUploadView(RequestFormView):
    form_class = PhotoUploadForm
    template_name = "activation/photo_upload.html"
    sent_message = gettext_lazy("Your photo %(reference)s was sent for review.")

    def send(self, form):
        return services.photo_request_create(
            person=self.request.user, upload=form.cleaned_data["photo"]
        )

    def get_context_data(self) -> dict:
        return {"open_request": selectors.photo_request_open_for_person(self.request.user)}


def _image_response(file_field) -> FileResponse:
    """Stream a private image inline; the browser must not guess another type."""
    content_type = mimetypes.guess_type(file_field.name)[0] or "application/octet-stream"
    response = FileResponse(file_field.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
def approved_photo(request, qid=None):
    """An approved photo: the signed-in person's own, or any person's for staff allowed
    to view people."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    person = user
    if qid is not None and qid != user.qid:
        if not policies.can_view_photos_of_others(user):
            not_yours(request, "accounts.Person.photo", "")
            raise Http404
        person = get_object_or_404(Person, qid=qid)
    if not policies.can_view_approved_photo(user, person) or not person.photo:
        raise Http404
    audit.data_access_record(actor=user, person=person, what=lambda: _("Personal photo"))
    return _image_response(person.photo)


@never_cache
def photo_request_image(request, reference):
    """A photo waiting for review: its owner, and staff allowed to decide photos."""
    photo_request = visible_or_404(
        request,
        selectors.photo_request_get(reference=reference),
        policies.can_view_photo,
        ref=reference,
    )
    audit.data_access_record(
        actor=request.user, person=photo_request.person, what=lambda: _("Photo waiting for review")
    )
    return _image_response(photo_request.photo)
