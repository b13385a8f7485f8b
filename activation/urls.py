from django.urls import include, path
from django.views.generic import RedirectView

from activation import views

app_name = "activation"

card_patterns = [
    path("", views.CatalogueView.as_view(), name="catalogue"),
    path("review/", views.ReviewView.as_view(), name="review"),
    path("deactivate/<slug:code>/", views.DeactivateView.as_view(), name="deactivate"),
    path("chip/", views.ChipRequestView.as_view(), name="chip_request"),
]

profile_patterns = [
    path("", views.ProfileView.as_view(), name="profile"),
    path("correction/", views.CorrectionView.as_view(), name="correction"),
    path("mobile/", views.MobileChangeView.as_view(), name="mobile_change"),
    path("mobile/code/", views.MobileCodeView.as_view(), name="mobile_code"),
    path("photo/", views.PhotoUploadView.as_view(), name="photo_upload"),
    path("photo/image/", views.approved_photo, name="photo"),
]

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("cards/<int:card_pk>/", include(card_patterns)),
    # "My requests" moved to the one history of every kind of request.
    path(
        "requests/",
        RedirectView.as_view(pattern_name="accounts:history", query_string=True),
        name="history",
    ),
    path("requests/<str:reference>/", views.RequestDoneView.as_view(), name="request_done"),
    path("profile/", include(profile_patterns)),
    path("people/<str:qid>/photo/", views.approved_photo, name="person_photo"),
    path(
        "photo-requests/<str:reference>/image/",
        views.photo_request_image,
        name="photo_request_image",
    ),
]
