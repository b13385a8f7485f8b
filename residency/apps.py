from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.apps import RequestHistoryMixin
from residency.constants import ApplicationStatus, AppointmentState, PaymentStatus, RequestKind


class ResidencyConfig(RequestHistoryMixin, AppConfig):
    name = "residency"
    verbose_name = _("Permanent residency")
    history_requests = (
        (RequestKind.APPLICATION, "Application", ApplicationStatus),
        (RequestKind.PAYMENT, "Payment", PaymentStatus),
    )

    def history_sources(self) -> list:
        from accounts.history import HistorySource
        from residency.selectors import appointment_history_rows

        application, payment = super().history_sources()
        # An appointment has its application's reference: only the changes to its own states.
        appointment = HistorySource(
            RequestKind.APPOINTMENT,
            RequestKind.APPOINTMENT.label,
            AppointmentState,
            appointment_history_rows,
            only_changes_to=frozenset(AppointmentState.values),
        )
        return [application, appointment, payment]
