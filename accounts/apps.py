from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from accounts.constants import AccountChangeStatus, AccountRequestKind


class RequestHistoryMixin:
    """For the ``AppConfig`` of an app whose kinds of request join the person's one
    history (``accounts.history``); a mixin, so that Django still finds the one
    ``AppConfig`` subclass in each ``apps.py``.

    ``history_requests`` lists them in the order the history offers them: the
    kind (a ``TextChoices`` member, whose label names it), the app's model that
    holds those requests and the model's status choices.
    """

    history_requests: tuple = ()

    def history_sources(self) -> list:
        from accounts.history import HistorySource, request_rows

        return [
            HistorySource(kind, kind.label, statuses, request_rows(self.get_model(model), kind))
            for kind, model, statuses in self.history_requests
        ]

    def ready(self):
        from accounts.history import history_source_register

        super().ready()
        for source in self.history_sources():
            history_source_register(source)


class AccountsConfig(RequestHistoryMixin, AppConfig):
    name = "accounts"
    verbose_name = _("People and accounts")
    history_requests = (
        (AccountRequestKind.ACCOUNT_CHANGE, "AccountChangeRequest", AccountChangeStatus),
    )

    def ready(self):
        from accounts import (  # noqa: F401 - signal receivers and a system check
            backends,
            checks,
            security_log,
            sessions,
        )
        from accounts.otp import otp_retry_stale
        from accounts.roles import roles_sync_after_migrate
        from messaging.sweeps import outbox_sweep_register

        super().ready()
        outbox_sweep_register(noun="code", sweep=otp_retry_stale)

        # After every app's permissions exist: connect once, run for the last app.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="accounts.roles_sync")
