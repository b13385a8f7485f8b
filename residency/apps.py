from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidencyConfig(AppConfig):
    name = "residency"
    verbose_name = _("Permanent residency")

    def ready(self):
        from accounts.history import HistorySource, history_source_register, request_rows
        from residency.constants import ApplicationStatus, AppointmentState, PaymentStatus
        from residency.models import Application, Payment
        from residency.selectors import appointment_history_rows

        history_source_register(
            HistorySource(
                "residency",
                _("Permanent residency application"),
                ApplicationStatus,
                request_rows(Application, "residency"),
            )
        )
        history_source_register(
            HistorySource(
                "appointment",
                _("Card collection appointment"),
                AppointmentState,
                appointment_history_rows,
                only_changes_to=frozenset(AppointmentState.values),
            )
        )
        history_source_register(
            HistorySource(
                "payment",
                _("Fee payment"),
                PaymentStatus,
                request_rows(Payment, "payment"),
            )
        )
