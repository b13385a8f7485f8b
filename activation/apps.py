from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivationConfig(AppConfig):
    name = "activation"
    verbose_name = _("E-services activation")

    def ready(self):
        from accounts.history import HistorySource, history_source_register, request_rows
        from activation.constants import RequestKind, ReviewStatus, ServiceRequestStatus
        from activation.models import (
            ActivationRequest,
            ChipRequest,
            CorrectionRequest,
            DeactivationRequest,
            PhotoRequest,
        )

        for model, kind, statuses in [
            (ActivationRequest, RequestKind.ACTIVATION, ServiceRequestStatus),
            (DeactivationRequest, RequestKind.DEACTIVATION, ServiceRequestStatus),
            (ChipRequest, RequestKind.CHIP, ReviewStatus),
            (CorrectionRequest, RequestKind.CORRECTION, ReviewStatus),
            (PhotoRequest, RequestKind.PHOTO, ReviewStatus),
        ]:
            history_source_register(
                HistorySource(kind, kind.label, statuses, request_rows(model, kind))
            )
        from activation import signals  # noqa: F401 - connects the receivers
