from django.urls import path
from django.views.generic import RedirectView

from activation import views

app_name = "activation"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("cards/<int:card_pk>/", views.CatalogueView.as_view(), name="catalogue"),
    path("cards/<int:card_pk>/review/", views.ReviewView.as_view(), name="review"),
    path(
        "cards/<int:card_pk>/deactivate/<slug:code>/",
        views.DeactivateView.as_view(),
        name="deactivate",
    ),
    path("cards/<int:card_pk>/chip/", views.ChipRequestView.as_view(), name="chip_request"),
    # "My requests" moved to the one history of every kind of request.
    path(
        "requests/",
        RedirectView.as_view(pattern_name="accounts:history", query_string=True),
        name="history",
    ),
    path("requests/<str:reference>/", views.RequestDoneView.as_view(), name="request_done"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("profile/correction/", views.CorrectionView.as_view(), name="correction"),
    path("profile/mobile/", views.MobileChangeView.as_view(), name="mobile_change"),
    path("profile/mobile/code/", views.MobileCodeView.as_view(), name="mobile_code"),
    path("profile/photo/", views.PhotoUploadView.as_view(), name="photo_upload"),
    path("profile/photo/image/", views.approved_photo, name="photo"),
    path("people/<str:qid>/photo/", views.approved_photo, name="person_photo"),
    path(
        "photo-requests/<str:reference>/image/",
        views.photo_request_image,
        name="photo_request_image",
    ),
]
