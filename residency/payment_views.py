"""Fee pages: the amount, the simulated e-payment and its receipt (PRODUCT.md 6.8).

The fee page shows the amount and whether the person can pay; paying asks
for a one-time code first (step-up, purpose ``payment``, bound to the
application and fee), then one button confirms. The form carries an
idempotency key made when it is rendered, so sending it twice charges once.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.constants import OTPPurpose
from accounts.security_log import visible_or_404
from accounts.stepup import StepUpRequiredMixin, stepup_clear
from residency import payments, policies, selectors
from residency.constants import ApplicationStatus, FeeKind

# A payment must follow its code within five minutes.
PAYMENT_STEPUP_MAX_AGE = 5 * 60


class PaymentForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)


def _fee_kind(kind: str) -> str:
    if kind not in FeeKind.values:
        raise Http404
    return kind


class FeeMixin(LoginRequiredMixin):
    def load(self, request, reference: str, kind: str) -> None:
        self.kind = _fee_kind(kind)
        self.application = visible_or_404(
            request,
            selectors.application_get(reference=reference),
            policies.can_view_application,
            ref=reference,
        )
        self.state = payments.fee_state(application=self.application, kind=self.kind)
        self.card = payments.epayment_card(person=request.user)

    def context(self, **extra) -> dict:
        return {
            "application": self.application,
            "fee": self.state,
            "card": self.card,
            "back_url": _back_url(self.application, self.kind),
            **extra,
        }


def _back_url(application, kind: str) -> str:
    if kind == FeeKind.APPLICATION and application.status == ApplicationStatus.DRAFT:
        return reverse("residency:step_review")
    if kind == FeeKind.CARD and hasattr(application, "appointment"):
        return reverse("residency:appointment", args=[application.reference])
    return reverse("residency:status", args=[application.reference])


@method_decorator(never_cache, name="dispatch")
class FeeView(FeeMixin, View):
    """The amount, what it pays for, and whether it can be paid by e-payment now."""

    def get(self, request, reference, kind):
        self.load(request, reference, kind)
        return render(request, "residency/fee.html", self.context())


@method_decorator(never_cache, name="dispatch")
class FeePayView(StepUpRequiredMixin, FeeMixin, View):
    """Confirm the payment, after a one-time code."""

    stepup_purpose = OTPPurpose.PAYMENT
    stepup_max_age = PAYMENT_STEPUP_MAX_AGE

    def get_stepup_scope(self) -> str:
        return f"payment:{self.application.reference}:{self.kind}"

    def dispatch(self, request, *args, **kwargs):
        """No code is sent for a fee that cannot be paid now; the fee page says why."""
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.load(request, kwargs["reference"], kwargs["kind"])
        if not self.state.payable or self.card is None:
            return redirect("residency:fee", reference=self.application.reference, kind=self.kind)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, reference, kind):
        form = PaymentForm(initial={"idempotency_key": payments.new_idempotency_key()})
        return render(request, "residency/fee_pay.html", self.context(form=form))

    def post(self, request, reference, kind):
        form = PaymentForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Open the payment page again and confirm."))
            return redirect(request.path)
        try:
            payment = payments.payment_make(
                application=self.application,
                kind=self.kind,
                actor=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as error:
            # Already paid (another tab), or no longer payable: the fee page says so.
            messages.info(request, error.messages[0])
            return redirect("residency:fee", reference=reference, kind=kind)
        stepup_clear(request, purpose=self.stepup_purpose, scope=self.get_stepup_scope())
        messages.success(
            request,
            _("Payment received. Your receipt number is %(reference)s.")
            % {"reference": payment.reference},
        )
        return redirect("residency:receipt", reference=payment.reference)


class ReceiptMixin(LoginRequiredMixin):
    def load(self, request, reference: str):
        payment = payments.payment_of_owner(person=request.user, reference=reference)
        if payment is None:
            raise Http404
        return payment


@method_decorator(never_cache, name="dispatch")
class ReceiptView(ReceiptMixin, View):
    """The printable receipt."""

    def get(self, request, reference):
        payment = self.load(request, reference)
        return render(request, "residency/receipt.html", _receipt_context(payment))


def _receipt_context(payment) -> dict:
    return {"payment": payment, "amount": payments.qar(payment.amount), "person": payment.person}


def _no_fetching(url, *args, **kwargs):
    raise ValueError(f"The receipt loads nothing from outside: {url}")


@method_decorator(never_cache, name="dispatch")
class ReceiptPdfView(ReceiptMixin, View):
    """The receipt as a PDF made on the server (WeasyPrint), Arabic shaped right to left."""

    def get(self, request, reference):
        # Imported here: it loads Pango, which only this page needs.
        from weasyprint import HTML  # noqa: PLC0415 - loads Pango, which only this page needs

        payment = self.load(request, reference)
        html = render_to_string("residency/receipt_pdf.html", _receipt_context(payment), request)
        pdf = HTML(string=html, url_fetcher=_no_fetching).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{payment.reference}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response
