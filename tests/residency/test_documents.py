"""Documents: checked by content, cleaned, versioned and served only to who may see them."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from residency.constants import DocumentKind
from residency.models import Document
from tests.factories import PersonFactory
from tests.residency.factories import (
    PDF_BYTES,
    ApplicationFactory,
    DocumentFactory,
    jpeg_bytes,
    png_bytes,
)

pytestmark = pytest.mark.django_db
URL = "residency:step_documents"


@pytest.fixture
def draft(client):
    application = ApplicationFactory()
    client.force_login(application.person)
    return application


def upload(client, kind, data, name="scan.jpg", content_type="image/jpeg"):
    return client.post(
        reverse(URL),
        {"kind": kind, "file": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def test_a_jpeg_is_stored_without_its_exif_and_gps_data(client, draft):
    original = jpeg_bytes(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test file has GPS
    response = upload(client, DocumentKind.PHOTO, original)
    assert response.status_code == 302
    document = Document.objects.get(application=draft, kind=DocumentKind.PHOTO)
    stored = document.file.read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert image.size == (800, 800)
    assert not image.getexif()
    assert b"PhoneMaker" not in stored
    assert document.content_type == "image/jpeg"
    assert "scan" not in document.file.name  # random name, not the citizen's


def _bomb_png() -> bytes:
    """A 10,000 x 10,000 PNG of a few kilobytes: decoding it would take 100 MB."""
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("kind", "data", "name", "error"),
    [
        (DocumentKind.PHOTO, jpeg_bytes((599, 800)), "small.jpg", "image_too_small"),
        (DocumentKind.PHOTO, PDF_BYTES, "photo.pdf", "file_type"),
        (DocumentKind.PASSPORT, b"MZ\x90\x00 not a document", "passport.pdf", "file_type"),
        (DocumentKind.PASSPORT, b"\xff\xd8\xff broken jpeg", "passport.jpg", "image_unreadable"),
        (DocumentKind.PASSPORT, b"", "empty.pdf", "empty"),
        (DocumentKind.PASSPORT, b"%PDF-" + b"0" * (5 * 1024 * 1024), "big.pdf", "file_too_large"),
        (
            DocumentKind.PASSPORT,
            b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>",
            "passport.pdf",
            "pdf_unsafe",
        ),
        (DocumentKind.PHOTO, _bomb_png(), "photo.png", "image_unreadable"),
        (DocumentKind.PHOTO, b"GIF89a not a jpeg", "photo.jpg", "file_type"),
    ],
)
def test_bad_files_are_refused_next_to_the_field(client, draft, kind, data, name, error):
    response = upload(client, kind, data, name=name)
    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["file"]] == [error]
    assert not Document.objects.exists()


def test_pdf_and_png_documents_are_accepted(client, draft):
    assert upload(client, DocumentKind.PASSPORT, PDF_BYTES, "p.pdf").status_code == 302
    assert upload(client, DocumentKind.GOOD_CONDUCT, png_bytes(), "g.png").status_code == 302
    kinds = dict(Document.objects.values_list("kind", "content_type"))
    assert kinds == {"passport": "application/pdf", "good_conduct": "image/png"}


def test_a_document_not_asked_for_on_this_basis_is_refused(client, draft):
    response = upload(client, DocumentKind.MARRIAGE_CERTIFICATE, PDF_BYTES, "m.pdf")
    assert response.status_code == 400
    assert not Document.objects.exists()


def test_replacing_a_document_keeps_the_earlier_versions(client, draft):
    upload(client, DocumentKind.PASSPORT, PDF_BYTES, "p.pdf")
    upload(client, DocumentKind.PASSPORT, png_bytes(), "p.png")
    versions = list(
        Document.objects.filter(application=draft, kind="passport").values_list(
            "version", "is_current", "content_type"
        )
    )
    assert sorted(versions) == [(1, False, "application/pdf"), (2, True, "image/png")]


def test_no_upload_once_submitted(client):
    application = ApplicationFactory(submitted=True)
    client.force_login(application.person)
    response = upload(client, DocumentKind.PASSPORT, PDF_BYTES, "p.pdf")
    assert response.status_code == 302  # no draft: back to the residency home page
    assert not Document.objects.exists()


def test_the_owner_downloads_with_safe_headers(client):
    document = DocumentFactory()
    client.force_login(document.application.person)
    response = client.get(reverse("residency:document", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert document.application.reference in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_another_person_gets_not_found(client):
    document = DocumentFactory()
    client.force_login(PersonFactory(resident=True))
    assert client.get(reverse("residency:document", args=[document.pk])).status_code == 404


def test_staff_without_the_permission_get_not_found(client):
    document = DocumentFactory()
    client.force_login(PersonFactory(staff=True))
    assert client.get(reverse("residency:document", args=[document.pk])).status_code == 404


def test_a_reviewer_may_open_any_document(client):
    document = DocumentFactory()
    reviewer = PersonFactory(staff=True)
    reviewer.user_permissions.add(Permission.objects.get(codename="view_document"))
    client.force_login(reviewer)
    assert client.get(reverse("residency:document", args=[document.pk])).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client):
    document = DocumentFactory()
    response = client.get(reverse("residency:document", args=[document.pk]))
    assert response.status_code == 302
    assert "sign-in" in response["Location"]
