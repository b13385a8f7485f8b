"""Who may see and decide what in the activation app (PRODUCT.md section 2, rule 8).

Views, admin and tests ask these; none of them re-implements a rule. A view
turns a refusal into a 404 (``accounts.security_log.visible_or_404``), so a
refused person learns nothing about another person's request.
"""

from accounts.models import Person
from activation.models import PhotoRequest, ReviewedRequest

# Photos are personal documents: photo reviewers see them, support agents never.
VIEW_PHOTOS_PERMISSION = "activation.view_photorequest"


def can_view_photos_of_others(user) -> bool:
    return user.is_authenticated and user.is_staff and user.has_perm(VIEW_PHOTOS_PERMISSION)


def can_view_approved_photo(user, person: Person) -> bool:
    """The approved personal photo of ``person``: the person, and photo reviewers."""
    return user.is_authenticated and (person.pk == user.pk or can_view_photos_of_others(user))


def can_view_photo(user, photo_request: PhotoRequest) -> bool:
    """A photo waiting for review: its owner, and photo reviewers."""
    return user.is_authenticated and (
        photo_request.person_id == user.pk or can_view_photos_of_others(user)
    )


def decide_permission(model: type[ReviewedRequest]) -> str:
    opts = model._meta
    return f"{opts.app_label}.decide_{opts.model_name}"


def can_decide(user, model: type[ReviewedRequest]) -> bool:
    """Chip, correction and photo requests are decided by holders of ``decide_<model>``."""
    return user.has_perm(decide_permission(model))
