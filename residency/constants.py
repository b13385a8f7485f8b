"""Choices of the permanent residency workflow (PRODUCT.md section 6).

The bases follow Law No. 10 of 2018 on Permanent Residency: art. 2 sets the
residence periods (20 years for those born abroad, 10 for those born in
Qatar, with no more than 60 days abroad in any year), art. 3 the categories
that may be granted the card on another ground.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts import transitions


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    MORE_INFO_REQUESTED = "more_info_requested", _("More information requested")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    APPROVED = "approved", _("Approved")
    APPOINTMENT_BOOKED = "appointment_booked", _("Appointment booked")
    CARD_ISSUED = "card_issued", _("Card issued")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RequestKind(models.TextChoices):
    """The kinds of residency request in the person's one history of requests."""

    APPLICATION = "residency", _("Permanent residency application")
    APPOINTMENT = "appointment", _("Card collection appointment")
    PAYMENT = "payment", _("Fee payment")


class AppointmentState(models.TextChoices):
    """An appointment as "My requests" lists it: the application states it spans."""

    BOOKED = "appointment_booked", _("Booked")
    COLLECTED = "card_issued", _("Card collected")


S = ApplicationStatus
# The one table of an application's moves (``Application.TRANSITIONS``). Moving
# the appointment to another time is not a move: it is recorded as an event.
TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.UNDER_REVIEW, S.WITHDRAWN},
    S.UNDER_REVIEW: {S.APPROVED, S.REJECTED, S.MORE_INFO_REQUESTED, S.WITHDRAWN},
    S.MORE_INFO_REQUESTED: {S.RESUBMITTED, S.WITHDRAWN},
    S.RESUBMITTED: {S.UNDER_REVIEW, S.WITHDRAWN},
    S.APPROVED: {S.APPOINTMENT_BOOKED},
    S.APPOINTMENT_BOOKED: {S.CARD_ISSUED},
}
# A reviewer's decision; every state after one carries its time (``decided_at``).
DECISIONS = (S.APPROVED, S.REJECTED)

# Finished: nothing can happen to the application any more.
CLOSED_STATUSES = transitions.closed_statuses(TRANSITIONS, S.values)
# A reviewer still has to start the review, or to decide it.
TAKEN_INTO_REVIEW_FROM = transitions.sources(TRANSITIONS, S.UNDER_REVIEW)
AWAITING_DECISION = TAKEN_INTO_REVIEW_FROM | transitions.sources(TRANSITIONS, *DECISIONS)
# The applicant may still withdraw: no decision has been made.
WITHDRAWABLE = transitions.sources(TRANSITIONS, S.WITHDRAWN)
# The applicant works on the documents while the application waits for (re)submission.
EDITABLE_DOCUMENT_STATUSES = transitions.sources(TRANSITIONS, S.SUBMITTED, S.RESUBMITTED)
# Never submitted (a draft) and surely submitted; a withdrawn application may be either.
NEVER_SUBMITTED = transitions.reachable(
    TRANSITIONS, [S.DRAFT], avoiding=[S.SUBMITTED]
) - transitions.reachable(TRANSITIONS, [S.SUBMITTED])
SUBMITTED_STATUSES = transitions.reachable(TRANSITIONS, [S.SUBMITTED]) - transitions.reachable(
    TRANSITIONS, [S.DRAFT], avoiding=[S.SUBMITTED]
)
DECIDED_STATUSES = transitions.reachable(TRANSITIONS, DECISIONS)


class Basis(models.TextChoices):
    RESIDENCE_BORN_ABROAD = "residence_born_abroad", _("20 years' legal residence (born abroad)")
    RESIDENCE_BORN_IN_QATAR = (
        "residence_born_in_qatar",
        _("10 years' legal residence (born in Qatar)"),
    )
    SPOUSE_OF_QATARI = "spouse_of_qatari", _("Spouse of a Qatari citizen")
    CHILD_OF_QATARI_MOTHER = (
        "child_of_qatari_mother",
        _("Child of a Qatari mother married to a non-Qatari"),
    )
    DISTINGUISHED_SERVICE = "distinguished_service", _("Distinguished service to the State")
    SPECIAL_COMPETENCE = "special_competence", _("Special competence the State needs")


# Law No. 10 of 2018, art. 2: years of legal residence required per basis.
REQUIRED_RESIDENCE_YEARS = {
    Basis.RESIDENCE_BORN_ABROAD: 20,
    Basis.RESIDENCE_BORN_IN_QATAR: 10,
}
# Law No. 10 of 2018, art. 2: at most 60 days outside Qatar in any year.
MAX_DAYS_ABROAD_PER_YEAR = 60


class DocumentKind(models.TextChoices):
    PASSPORT = "passport", _("Passport copy")
    PHOTO = "photo", _("Personal photo")
    SALARY_CERTIFICATE = "salary_certificate", _("Salary certificate")
    GOOD_CONDUCT = "good_conduct", _("Good conduct certificate")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate issued in Qatar")
    MARRIAGE_CERTIFICATE = "marriage_certificate", _("Marriage certificate")
    MOTHER_NATIONALITY = "mother_nationality", _("Proof of the mother's Qatari nationality")
    SERVICE_RECOMMENDATION = "service_recommendation", _("Recommendation from a government entity")
    COMPETENCE_EVIDENCE = "competence_evidence", _("Evidence of special competence")


COMMON_DOCUMENTS = (
    DocumentKind.PASSPORT,
    DocumentKind.PHOTO,
    DocumentKind.SALARY_CERTIFICATE,
    DocumentKind.GOOD_CONDUCT,
)
BASIS_DOCUMENTS = {
    Basis.RESIDENCE_BORN_ABROAD: (),
    Basis.RESIDENCE_BORN_IN_QATAR: (DocumentKind.BIRTH_CERTIFICATE,),
    Basis.SPOUSE_OF_QATARI: (DocumentKind.MARRIAGE_CERTIFICATE,),
    Basis.CHILD_OF_QATARI_MOTHER: (DocumentKind.MOTHER_NATIONALITY,),
    Basis.DISTINGUISHED_SERVICE: (DocumentKind.SERVICE_RECOMMENDATION,),
    Basis.SPECIAL_COMPETENCE: (DocumentKind.COMPETENCE_EVIDENCE,),
}


def required_documents(basis: str) -> tuple[str, ...]:
    """The documents an application on ``basis`` must carry, in the order they are asked for."""
    return (*COMMON_DOCUMENTS, *BASIS_DOCUMENTS.get(basis, ()))


class Step(models.TextChoices):
    """The pages of the application form, in order."""

    PERSONAL = "personal", _("Personal data")
    BASIS = "basis", _("Basis and residence history")
    RESIDENCE = "residence", _("Days outside Qatar")
    EMPLOYMENT = "employment", _("Employment and income")
    CENTRE = "centre", _("Service centre")
    DOCUMENTS = "documents", _("Documents")
    REVIEW = "review", _("Review")
    DECLARATION = "declaration", _("Declaration and submission")


# Decision target (PRODUCT.md section 6.4): 5 working days, Sunday to Thursday.
DECISION_WORKING_DAYS = 5
WORKING_WEEKDAYS = frozenset({6, 0, 1, 2, 3})  # Python weekday(): Sunday=6 ... Thursday=3
MAX_RESCHEDULES = 2
# How far ahead the booking looks for a free slot.
BOOKING_HORIZON_WORKING_DAYS = 40
# Validity of a permanent residency card issued at collection.
CARD_VALIDITY_YEARS = 5


class FeeKind(models.TextChoices):
    """The two fees of a permanent residency card (PRODUCT.md section 6.8)."""

    APPLICATION = "application", _("Application fee")
    CARD = "card", _("Card fee")


class PaymentStatus(models.TextChoices):
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")


# The e-service a fee is paid with (activation's catalogue code).
EPAYMENT_SERVICE_CODE = "e-payment"
