"""Query counts of the pages the throughput benchmark measures (bench/throughput.py).

A signed-in page reads its session and the person; everything beyond that is
the page's own reads.
"""

import pytest

from tests.activation.factories import ChipRequestFactory
from tests.factories import PersonFactory
from tests.helpers import session_read_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    person = PersonFactory()
    ChipRequestFactory(person=person)
    client.force_login(person)
    client.get("/en/e-services/")  # the first request after sign-in writes the session
    return client


def test_the_sign_in_page_makes_no_query(client, django_assert_num_queries):
    client.get("/en/accounts/sign-in/")  # the copy for every visitor is drawn
    with django_assert_num_queries(0):
        response = client.get("/en/accounts/sign-in/")
    assert response.status_code == 200
    assert not response.templates  # served from the copy kept in the process


def test_the_cards_overview_reads_the_person_cards_and_open_chip_requests(
    signed_in, django_assert_num_queries
):
    with django_assert_num_queries(3 + session_read_queries()):
        response = signed_in.get("/en/e-services/")
    assert response.status_code == 200


def test_an_empty_inbox_reads_the_person_and_counts_the_messages(
    signed_in, django_assert_num_queries
):
    with django_assert_num_queries(2 + session_read_queries()):
        response = signed_in.get("/en/accounts/messages/")
    assert response.status_code == 200
