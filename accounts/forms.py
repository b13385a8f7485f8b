from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.validators import normalize_qid


class QIDField(forms.CharField):
    """Accepts Arabic-Indic digits and spaces; cleans to the 11 ASCII digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Qatar ID number"))
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {
                "inputmode": "numeric",
                "autocomplete": "username",
                "dir": "ltr",
                "spellcheck": "false",
            }
        )

    def to_python(self, value):
        return normalize_qid(super().to_python(value))


class SignInForm(AuthenticationForm):
    username = QIDField()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "dir": "ltr"}),
    )

    error_messages = {
        "invalid_login": _(
            "The Qatar ID number or password is not correct. Check both and try again."
        ),
        "inactive": _("This account is disabled. Please contact the ministry."),
    }
