"""The back office's admin site: Django admin with a "work waiting" panel.

The panel shows each staff member only the queues their permissions reach,
with counts and a link to the filtered list (PRODUCT.md section 8).

Admin opens only for a session verified by a staff second factor (as
django-otp's ``OTPAdminSite``); a staff member signed in with the password
alone is sent on to the code step (``accounts.staff_views``).
"""

from dataclasses import dataclass

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import second_factor
from accounts.constants import AccountChangeStatus
from accounts.models import AccountChangeRequest
from accounts.policies import APPROVE_PERMISSION
from accounts.staff_views import second_factor_url
from activation import policies as activation_policies
from activation.models import ChipRequest, CorrectionRequest, PhotoRequest
from residency import policies as residency_policies
from residency.models import Application, Appointment
from residency.workdays import day_bounds


@dataclass(frozen=True)
class WorkItem:
    label: str
    count: int
    url: str


def work_waiting(user) -> list[WorkItem]:

    today = timezone.localdate()
    items = []
    if residency_policies.can_review(user):
        applications = Application.objects
        url = reverse("admin:residency_application_changelist")
        items += [
            WorkItem(
                _("Applications overdue"),
                applications.overdue(today).count(),
                f"{url}?due=overdue",
            ),
            WorkItem(
                _("Applications due today"),
                applications.due_today(today).count(),
                f"{url}?due=today",
            ),
            WorkItem(
                _("Applications waiting for a decision"),
                applications.awaiting_decision().count(),
                url,
            ),
        ]
    if residency_policies.can_record_collection(user):
        start, end = day_bounds(today)
        items.append(
            WorkItem(
                _("Card collections today"),
                Appointment.objects.filter(
                    slot__starts_at__gte=start, slot__starts_at__lt=end, collected_at__isnull=True
                ).count(),
                reverse("admin:residency_appointment_changelist"),
            )
        )
    for model, label in (
        (ChipRequest, _("Chip activation requests")),
        (PhotoRequest, _("Photos to review")),
        (CorrectionRequest, _("Data correction requests")),
    ):
        if activation_policies.can_decide(user, model):
            opts = model._meta
            items.append(
                WorkItem(
                    label,
                    model.objects.awaiting_decision().count(),
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                    + f"?status__exact={model.INITIAL_STATUS}",
                )
            )
    if user.has_perm(APPROVE_PERMISSION):
        items.append(
            WorkItem(
                _("Account changes waiting for a second staff member"),
                AccountChangeRequest.objects.filter(status=AccountChangeStatus.PROPOSED)
                .exclude(proposed_by=user)
                .count(),
                reverse("admin:accounts_accountchangerequest_changelist")
                + f"?status__exact={AccountChangeStatus.PROPOSED}",
            )
        )
    return items


class PortalAdminSite(admin.AdminSite):
    site_header = _("Ministry of Interior · back office")
    site_title = _("MOI back office")
    index_title = _("Work waiting and records")

    def has_permission(self, request):
        return super().has_permission(request) and second_factor.is_verified(request.user)

    def login(self, request, extra_context=None):
        if self._awaits_second_factor(request):
            return redirect(second_factor_url(request, self._next_url(request)))
        response = super().login(request, extra_context)
        if request.method == "POST" and self._awaits_second_factor(request):
            return redirect(second_factor_url(request, self._next_url(request)))
        return response

    @staticmethod
    def _awaits_second_factor(request):
        user = request.user
        return (
            user.is_authenticated
            and user.is_active
            and user.is_staff
            and not second_factor.is_verified(user)
        )

    def _next_url(self, request):
        return request.POST.get("next") or request.GET.get("next") or reverse("admin:index")

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "work_waiting": work_waiting(request.user)}
        return super().index(request, extra_context)
