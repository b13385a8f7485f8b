"""Who may see and do what in the permanent residency service (PRODUCT.md sections 6 and 8).

Views, admin and tests ask these; none of them re-implements a rule. A view
turns a refusal to show an object into a 404, so nobody learns that another
person's application or document exists.
"""

from residency.models import Application, Document

REVIEW_PERMISSION = "residency.review_application"
COLLECT_PERMISSION = "residency.record_collection"
VIEW_DOCUMENTS_PERMISSION = "residency.view_document"


def can_review(user) -> bool:
    """Reviewers work the queue and decide applications."""
    return user.has_perm(REVIEW_PERMISSION)


def can_record_collection(user) -> bool:
    """Service-centre clerks hand over cards and rebook missed appointments."""
    return user.has_perm(COLLECT_PERMISSION)


def can_book_appointment(user) -> bool:
    return can_record_collection(user) or can_review(user)


def is_residency_staff(user) -> bool:
    return user.is_active and user.is_staff and (can_review(user) or can_record_collection(user))


def can_view_documents_of_others(user) -> bool:
    """Reviewers read documents; clerks issue cards without reading them."""
    return user.has_perm(VIEW_DOCUMENTS_PERMISSION)


def can_view_application(user, application: Application) -> bool:
    """The applicant's pages show only the applicant's own applications."""
    return user.is_authenticated and application.person_id == user.pk


def can_view_document(user, document: Document) -> bool:
    """A document: the applicant who owns it, and staff allowed to read documents."""
    return user.is_authenticated and (
        document.application.person_id == user.pk
        or (user.is_staff and can_view_documents_of_others(user))
    )
