from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.constants import Language
from accounts.validators import normalize_qid, to_ascii_digits, validate_qid


class QIDField(forms.CharField):
    """Accepts Arabic-Indic digits and spaces; cleans to the 11 ASCII digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Qatar ID number"))
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", _("11 digits, as printed on your smart ID card."))
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
        "inactive": _("The Qatar ID number or password is not correct. Check both and try again."),
    }

    def clean_username(self):
        # Same message for a malformed QID as for a wrong password.
        return self.cleaned_data["username"]


class IdentityStartForm(forms.Form):
    """QID and the card's expiry date: proof that the card is in hand."""

    qid = QIDField()
    card_expiry = forms.DateField(
        label=_("Card expiry date"),
        help_text=_("As printed on the front of your smart ID card."),
        widget=forms.DateInput(attrs={"type": "date", "dir": "ltr"}, format="%Y-%m-%d"),
    )

    def clean_qid(self):
        return validate_qid(self.cleaned_data["qid"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        help_text=_("The 6-digit code in the text message we sent you."),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "dir": "ltr",
                "pattern": "[0-9٠-٩ ]*",
            }
        ),
    )

    def clean_code(self):
        code = to_ascii_digits(self.cleaned_data["code"]).replace(" ", "")
        if not (code.isdigit() and len(code) == 6):
            raise ValidationError(_("Enter the 6 digits of the code."), code="code_format")
        return code


class LanguageForm(forms.Form):
    preferred_language = forms.ChoiceField(
        label=_("Language of your messages"),
        help_text=_("Text messages, portal messages and e-mails reach you in this language."),
        choices=Language.choices,
        widget=forms.RadioSelect,
    )


class PasswordChangeForm(forms.Form):
    """The current password and a new one, typed twice; the policy is the sign-up policy."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "dir": "ltr"}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_("At least 10 characters. A few unrelated words are easy to remember."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "dir": "ltr"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "dir": "ltr"}),
    )

    def __init__(self, *args, person, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)

    def clean_new_password1(self):
        password = self.cleaned_data["new_password1"]
        password_validation.validate_password(password, self.person)
        return password

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two new passwords are not the same."))
        return cleaned


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Optional. Copies of your messages go here once you open the link we send."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
