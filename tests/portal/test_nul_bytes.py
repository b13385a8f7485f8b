"""A NUL character anywhere in a request is a 400, never a 500.

PostgreSQL refuses NUL in text, so before the check each of these reached a
query and failed with ``ValueError`` (a 500). The tests run on the suite's
database; CI's is PostgreSQL.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.fixture
def signed_in(client):
    client.force_login(PersonFactory())
    return client


def test_nul_in_a_path_parameter(signed_in):
    response = signed_in.get("/en/residency/applications/PR%00-2026/")
    assert response.status_code == 400


def test_nul_in_the_query_string(client):
    response = client.get("/en/accounts/simulation/sms/", {"number": "+974\x0055123456"})
    assert response.status_code == 400


def test_nul_in_a_query_string_name(client):
    response = client.get("/en/accounts/simulation/sms/?num%00ber=1")
    assert response.status_code == 400


def test_nul_in_a_form_field(client):
    response = client.post(
        "/en/accounts/sign-in/", {"username": "2856340\x000001", "password": "whatever 123"}
    )
    assert response.status_code == 400


def test_nul_in_a_multipart_form_field(client):
    response = client.post(
        "/en/accounts/sign-in/",
        {"username": "28563400001", "password": "pass\x00word"},
        format=None,
    )
    assert response.status_code == 400


def test_nul_in_an_uploaded_file_name(signed_in):
    upload = SimpleUploadedFile("photo\x00.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    response = signed_in.post("/en/e-services/profile/photo/", {"photo": upload})
    assert response.status_code == 400


def test_nul_in_a_cookie(client):
    client.cookies["sessionid"] = "abc\x00def"
    client.cookies["__Host-sessionid"] = "abc\x00def"
    response = client.get("/en/e-services/")
    assert response.status_code == 400


def test_nul_in_a_header(client):
    response = client.post(
        "/en/accounts/sign-in/",
        {"username": "28563400001", "password": "wrong password 123"},
        headers={"user-agent": "Mozilla\x00/5.0"},
    )
    assert response.status_code == 400


def test_a_malformed_multipart_body_is_a_400(client):
    response = client.post(
        "/en/accounts/sign-in/", data=b"--x\r\n", content_type="multipart/form-data"
    )
    assert response.status_code == 400


def test_ordinary_requests_pass(client):
    assert client.get("/en/accounts/simulation/sms/", {"number": "+97455123456"}).status_code == 200
    response = client.post(
        "/en/accounts/sign-in/", {"username": "28563400001", "password": "wrong password 123"}
    )
    assert response.status_code == 200
