from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.apps import RequestHistoryMixin
from activation.constants import RequestKind, ReviewStatus, ServiceRequestStatus


class ActivationConfig(RequestHistoryMixin, AppConfig):
    name = "activation"
    verbose_name = _("E-services activation")
    history_requests = (
        (RequestKind.ACTIVATION, "ActivationRequest", ServiceRequestStatus),
        (RequestKind.DEACTIVATION, "DeactivationRequest", ServiceRequestStatus),
        (RequestKind.CHIP, "ChipRequest", ReviewStatus),
        (RequestKind.CORRECTION, "CorrectionRequest", ReviewStatus),
        (RequestKind.PHOTO, "PhotoRequest", ReviewStatus),
    )

    def ready(self):
        super().ready()
        from activation import signals  # noqa: F401 - connects the receivers
