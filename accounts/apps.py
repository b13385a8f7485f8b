from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People and accounts")

    def ready(self):
        from accounts import (  # noqa: F401 - signal receivers and a system check
            backends,
            checks,
            security_log,
            sessions,
        )
        from accounts.constants import AccountChangeStatus, AccountRequestKind
        from accounts.history import HistorySource, history_source_register, request_rows
        from accounts.models import AccountChangeRequest
        from accounts.otp import otp_retry_stale
        from accounts.roles import roles_sync_after_migrate
        from messaging.sweeps import outbox_sweep_register

        kind = AccountRequestKind.ACCOUNT_CHANGE
        history_source_register(
            HistorySource(
                kind, kind.label, AccountChangeStatus, request_rows(AccountChangeRequest, kind)
            )
        )

        outbox_sweep_register(noun="code", sweep=otp_retry_stale)

        # After every app's permissions exist: connect once, run for the last app.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="accounts.roles_sync")
