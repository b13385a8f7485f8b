"""Who may see a photo and who may decide requests (``activation.policies``)."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from accounts import roles
from activation import policies
from activation.models import ChipRequest, CorrectionRequest, PhotoRequest
from tests.activation.factories import PhotoRequestFactory
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def staff_with(*codenames):
    person = PersonFactory(staff=True)
    group = Group.objects.create(name=f"Test group {person.pk}")
    group.permissions.set(Permission.objects.filter(codename__in=codenames))
    person.groups.add(group)
    return person


def test_a_photo_waiting_for_review_is_shown_to_its_owner_and_photo_reviewers():
    photo = PhotoRequestFactory()
    assert policies.can_view_photo(photo.person, photo)
    assert policies.can_view_photo(staff_with("view_photorequest"), photo)


def test_support_agents_and_other_people_see_no_photo():
    photo = PhotoRequestFactory()
    support = PersonFactory(staff=True)
    support.groups.add(Group.objects.get(name=roles.SUPPORT))
    assert not policies.can_view_photo(support, photo)
    assert not policies.can_view_photo(PersonFactory(), photo)
    assert not policies.can_view_photo(AnonymousUser(), photo)
    assert not policies.can_view_approved_photo(support, photo.person)
    assert policies.can_view_approved_photo(photo.person, photo.person)


def test_a_permission_not_a_staff_flag_lets_someone_see_photos():
    photo = PhotoRequestFactory()
    citizen_with_permission = PersonFactory()
    citizen_with_permission.user_permissions.add(
        *staff_with("view_photorequest").groups.get().permissions.all()
    )
    assert not policies.can_view_photo(citizen_with_permission, photo)


@pytest.mark.parametrize("model", [ChipRequest, CorrectionRequest, PhotoRequest])
def test_each_kind_of_request_is_decided_with_its_own_permission(model):
    holder = staff_with(f"decide_{model._meta.model_name}")
    assert policies.can_decide(holder, model)
    others = {ChipRequest, CorrectionRequest, PhotoRequest} - {model}
    assert not any(policies.can_decide(holder, other) for other in others)
