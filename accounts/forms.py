from contextlib import contextmanager

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.constants import AccountChangeKind, Language
from accounts.models import Person
from accounts.passwords import normalize_password
from accounts.second_factor import normalize_code as normalize_second_factor_code
from accounts.validators import (
    is_ascii_digits,
    normalize_qatar_mobile,
    normalize_qid,
    to_ascii_digits,
    validate_qid,
)


@contextmanager
def refusal_shown_on(form: forms.Form, refusal: type[ValidationError] = ValidationError):
    """Show a service's refusal as the form's error; the page then renders the form again.

    The block holds the service call and what follows a success (a message, a
    redirect), which a refusal skips.
    """
    try:
        yield
    except refusal as error:
        form.add_error(None, error)


# Room for a QID typed in groups ("285 634 00001") or with other separators.
QID_TYPED_MAX_LENGTH = 30


class QIDField(forms.CharField):
    """Accepts Arabic-Indic and Persian digits and spaces; cleans to the 11 ASCII digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Qatar ID number"))
        kwargs.setdefault("max_length", QID_TYPED_MAX_LENGTH)
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

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm sizes the field to the stored QID (11 characters),
        # which would cut off a QID typed with spaces.
        username = self.fields["username"]
        username.max_length = QID_TYPED_MAX_LENGTH
        username.widget.attrs["maxlength"] = str(QID_TYPED_MAX_LENGTH)


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


class OneTimeCodeField(forms.CharField):
    """A code typed from a text message or an authenticator app.

    ``normalize`` turns what was typed into the code; a result that
    ``well_formed`` refuses cannot be a code at all and gets ``format_error``.
    """

    def __init__(self, *, normalize, well_formed, format_error, **kwargs):
        super().__init__(**kwargs)
        self.normalize = normalize
        self.well_formed = well_formed
        self.format_error = format_error

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "autocomplete": "one-time-code", "dir": "ltr"}

    def clean(self, value):
        code = self.normalize(super().clean(value))
        if not self.well_formed(code):
            raise ValidationError(self.format_error, code="code_format")
        return code


def is_six_digits(code: str) -> bool:
    return is_ascii_digits(code) and len(code) == 6


class CodeForm(forms.Form):
    code = OneTimeCodeField(
        label=_("Verification code"),
        help_text=_("The 6-digit code in the text message we sent you."),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9٠-٩ ]*"}),
        normalize=lambda typed: to_ascii_digits(typed).replace(" ", ""),
        well_formed=is_six_digits,
        format_error=_("Enter the 6 digits of the code."),
    )


class AuthenticatorCodeForm(forms.Form):
    """A staff member's second factor: a code from their app or a backup code."""

    code = OneTimeCodeField(
        label=_("Authenticator code"),
        help_text=_("The 6-digit code your authenticator app shows, or one of your backup codes."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
        normalize=normalize_second_factor_code,
        well_formed=lambda code: code.isalnum() and code.isascii(),
        format_error=_("Enter the 6 digits from your app, or a backup code."),
    )


class EnrolmentCodeForm(AuthenticatorCodeForm):
    """Enrolment proves the app is set up: a backup code does not count here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.help_text = _("The 6-digit code your authenticator app shows now.")
        field.widget.attrs["inputmode"] = "numeric"
        field.well_formed = is_six_digits
        field.format_error = _("Enter the 6 digits your authenticator app shows.")


class PasswordSetForm(SetPasswordForm):
    """Django's form, with the password in NFKC (as it is stored) and the
    policy's reasons shown under the password itself, not its confirmation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = _(
            "Not a common password, and nothing about you or us: not your name, Qatar ID "
            "number, year of birth or mobile number, nor the name of the ministry or this portal."
        )

    def clean_new_password1(self):
        return normalize_password(self.cleaned_data["new_password1"])

    def clean_new_password2(self):
        return normalize_password(self.cleaned_data["new_password2"])

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)


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

    def clean_current_password(self):
        return normalize_password(self.cleaned_data["current_password"])

    def clean_new_password1(self):
        password = normalize_password(self.cleaned_data["new_password1"])
        password_validation.validate_password(password, self.person)
        return password

    def clean_new_password2(self):
        return normalize_password(self.cleaned_data["new_password2"])

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


class PersonAddForm(forms.ModelForm):
    """A new register row in admin: identity and register data, never a password.

    The person chooses a password by registering online with a code; the
    mobile number arrives through an account change request or the register
    import, never by typing it here.
    """

    class Meta:
        model = Person
        fields = ("qid", "name_ar", "name_en", "date_of_birth", "sex", "nationality")

    def save(self, commit=True):
        person = super().save(commit=False)
        person.set_unusable_password()
        if commit:
            person.save()
        return person


class AccountChangeProposeForm(forms.Form):
    """A staff member proposes a change that a second staff member must approve."""

    qid = QIDField(help_text=_("The Qatar ID number of the person whose account changes."))
    kind = forms.ChoiceField(
        label=_("Change"), choices=AccountChangeKind.choices, widget=forms.RadioSelect
    )
    new_mobile = forms.CharField(
        label=_("New mobile number"),
        required=False,
        max_length=30,
        help_text=_("Only for a change of the mobile number, e.g. 5512 3456."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "dir": "ltr", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_(
            "Why the change is needed and how the person's identity was checked "
            "(e.g. the support ticket and the document seen)."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_qid(self):
        qid = validate_qid(self.cleaned_data["qid"])
        self.person = Person.objects.filter(qid=qid).first()
        if self.person is None:
            raise ValidationError(
                _("No person with this Qatar ID number is in the register."), code="unknown_qid"
            )
        return qid

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == AccountChangeKind.MOBILE:
            raw = cleaned.get("new_mobile", "")
            if not raw:
                self.add_error(
                    "new_mobile",
                    ValidationError(_("Enter the new mobile number."), code="mobile_missing"),
                )
            else:
                try:
                    cleaned["new_mobile"] = normalize_qatar_mobile(raw)
                except ValidationError as error:
                    self.add_error("new_mobile", error)
        else:
            cleaned["new_mobile"] = ""
        return cleaned


class StaffDecisionForm(forms.Form):
    """A staff member approves or rejects a request; the person reads the note."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Reason or note"),
        help_text=_("Required when rejecting: the person reads it."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
    )
