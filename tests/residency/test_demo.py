"""The filled-in draft the demo seed, the load-test population and browser tests start from."""

import pytest

from residency.constants import DocumentKind, Step
from residency.demo import application_draft_fill
from residency.selectors import application_missing_steps, documents_current
from tests.residency.factories import (
    PDF_BYTES,
    ResidentFactory,
    ServiceCentreFactory,
    jpeg_bytes,
)

pytestmark = pytest.mark.django_db


def test_a_filled_draft_lacks_only_the_declaration():
    ServiceCentreFactory()
    application = application_draft_fill(
        person=ResidentFactory(), scan=lambda kind: PDF_BYTES, photo=jpeg_bytes
    )
    assert application_missing_steps(application) == [Step.DECLARATION]
    assert set(documents_current(application)) == set(application.required_document_kinds)


def test_without_a_photo_the_photo_is_left_for_the_person_to_upload():
    centre = ServiceCentreFactory()
    application = application_draft_fill(
        person=ResidentFactory(), scan=lambda kind: PDF_BYTES, photo=None, preferred_centre=centre
    )
    assert application.preferred_centre == centre
    assert set(documents_current(application)) == (
        set(application.required_document_kinds) - {DocumentKind.PHOTO}
    )
    assert Step.DOCUMENTS in application_missing_steps(application)
