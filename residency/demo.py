"""A draft application with every page of the form answered, for demos and test populations.

The demo seed, the load-test population and the browser tests each need an
applicant who has filled in the whole form; they fill it through the same
services as the portal's pages, so a draft made here is one a person could
have made.
"""

import datetime
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Person
from accounts.uploads import upload_clean
from residency import services
from residency.constants import Basis, DocumentKind
from residency.eligibility import declaration_years
from residency.models import Application, ServiceCentre


def application_draft_fill(
    *,
    person: Person,
    scan: Callable[[str], bytes],
    photo: Callable[[], bytes] | None,
    preferred_centre: ServiceCentre | None = None,
    today: datetime.date | None = None,
    employer: str = "Hamad Medical Corporation",
    occupation: str = "Senior nurse",
    monthly_income: int = 18000,
    days_abroad_per_year: int = 21,
) -> Application:
    """Start an application for a resident born abroad and answer every page of its form.

    Each required document is uploaded: the personal photo from ``photo()`` and
    every other one from ``scan(kind)``. Without ``photo`` the photo is left for
    the person to upload. The preferred centre is the first one unless given;
    the answers default to those of the demo applicant, a senior nurse.
    """
    application = services.application_start(person=person)
    basis = Basis.RESIDENCE_BORN_ABROAD
    years = declaration_years(basis=basis, today=today or timezone.localdate())
    application = services.application_draft_update(
        application=application,
        actor=person,
        basis=basis,
        days_abroad={str(year): days_abroad_per_year for year in years},
        employer=employer,
        occupation=occupation,
        monthly_income=monthly_income,
        preferred_centre=preferred_centre or ServiceCentre.objects.order_by("pk").first(),
    )
    for kind in application.required_document_kinds:
        if kind != DocumentKind.PHOTO:
            content = scan(str(kind))
        elif photo is not None:
            content = photo()
        else:
            continue
        upload = upload_clean(SimpleUploadedFile(f"{kind}.bin", content))
        services.document_add(application=application, kind=kind, upload=upload, actor=person)
    return application
