"""The numbers behind every one-time code, lockout and rate limit of ``accounts``.

Each has a named default here; a Django setting of the same name overrides it,
as django-otp's plugins do (``otp_email/conf.py``). Code reads them as
``conf.settings.NAME`` when it runs, so ``override_settings`` and the pytest
``settings`` fixture change them too. Django-axes reads its own ``AXES_*``
settings (the per-QID sign-in lock) from ``moi_portal.settings``.
"""

import datetime

import django.conf


class AccountsSettings:
    defaults = {
        # One-time codes texted by SMS (PRODUCT.md section 4).
        "ACCOUNTS_OTP_DIGITS": 6,
        "ACCOUNTS_OTP_VALIDITY": datetime.timedelta(minutes=5),
        "ACCOUNTS_OTP_RESEND_AFTER": datetime.timedelta(seconds=60),
        "ACCOUNTS_OTP_MAX_FAILURES": 5,
        "ACCOUNTS_OTP_PER_PERSON": 5,
        "ACCOUNTS_OTP_PER_PERSON_WINDOW": datetime.timedelta(hours=1),
        "ACCOUNTS_OTP_PER_NUMBER": 10,
        "ACCOUNTS_OTP_PER_NUMBER_WINDOW": datetime.timedelta(days=1),
        # Registration and password reset: how long the typed details and a
        # confirmed code carry the flow, and how many attempts an hour count.
        "ACCOUNTS_IDENTITY_FLOW_LIFETIME": datetime.timedelta(hours=1),
        "ACCOUNTS_IDENTITY_VERIFIED_FOR": datetime.timedelta(minutes=10),
        "ACCOUNTS_IDENTITY_ATTEMPTS_PER_QID": 5,
        "ACCOUNTS_IDENTITY_ATTEMPTS_PER_ADDRESS": 20,
        "ACCOUNTS_IDENTITY_WINDOW": 60 * 60,
        # How long a step-up confirmation lasts (seconds), in general and for
        # signing a residency application's declaration.
        "ACCOUNTS_STEPUP_MAX_AGE": 10 * 60,
        "ACCOUNTS_STEPUP_SUBMISSION_MAX_AGE": 5 * 60,
        # The link that confirms an e-mail address.
        "ACCOUNTS_EMAIL_LINK_VALIDITY": datetime.timedelta(hours=24),
        # Sign-in failures from one address across QIDs (``accounts.lockout``);
        # ``IP_FAILURE_LIMIT`` may also come from the environment.
        "IP_FAILURE_LIMIT": 20,
        "IP_FAILURE_WINDOW": 15 * 60,
    }

    def __getattr__(self, name):
        if name in self.defaults:
            return getattr(django.conf.settings, name, self.defaults[name])
        return getattr(django.conf.settings, name)


settings = AccountsSettings()
