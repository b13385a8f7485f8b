"""Who may see an application's documents and who may decide (``residency.policies``)."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from accounts import roles
from residency import policies
from tests.factories import PersonFactory
from tests.residency.factories import ApplicationFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def staff_in(group_name):
    person = PersonFactory(staff=True)
    person.groups.add(Group.objects.get(name=group_name))
    return person


@pytest.fixture
def document():
    return DocumentFactory(application=ApplicationFactory(submitted=True))


def test_the_applicant_sees_their_own_document(document):
    assert policies.can_view_document(document.application.person, document)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (roles.REVIEWER, True),
        (roles.CLERK, False),
        (roles.SUPPORT, False),
    ],
)
def test_only_reviewers_among_staff_read_documents(document, who, allowed):
    assert policies.can_view_document(staff_in(who), document) is allowed


def test_another_applicant_and_an_anonymous_visitor_see_no_document(document):
    assert not policies.can_view_document(PersonFactory(), document)
    assert not policies.can_view_document(AnonymousUser(), document)


def test_an_application_is_shown_only_to_its_applicant():
    application = ApplicationFactory()
    assert policies.can_view_application(application.person, application)
    assert not policies.can_view_application(staff_in(roles.REVIEWER), application)


@pytest.mark.parametrize(
    ("who", "review", "collect"),
    [
        (roles.REVIEWER, True, False),
        (roles.CLERK, False, True),
        (roles.SUPPORT, False, False),
    ],
)
def test_reviewers_decide_and_clerks_record_collection(who, review, collect):
    user = staff_in(who)
    assert policies.can_review(user) is review
    assert policies.can_record_collection(user) is collect
    assert policies.can_book_appointment(user) is (review or collect)
    assert policies.is_residency_staff(user) is (review or collect)
