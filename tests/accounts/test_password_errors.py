"""Each password error sits under the field it is about."""

from accounts.forms import PasswordSetForm
from tests.factories import PersonFactory


def test_a_weak_password_is_reported_under_the_password_not_its_confirmation(db):
    person = PersonFactory()
    form = PasswordSetForm(person, {"new_password1": "short", "new_password2": "short"})

    assert not form.is_valid()
    assert form.errors["new_password1"]
    assert "new_password2" not in form.errors


def test_a_mismatch_is_reported_under_the_confirmation(db):
    person = PersonFactory()
    form = PasswordSetForm(
        person,
        {"new_password1": "a quiet walk along the corniche", "new_password2": "something else"},
    )

    assert not form.is_valid()
    assert list(form.errors) == ["new_password2"]
