from django.urls import path

from residency import payment_views, views

app_name = "residency"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("apply/", views.ApplyView.as_view(), name="apply"),
    path("apply/personal/", views.PersonalStepView.as_view(), name="step_personal"),
    path("apply/basis/", views.BasisStepView.as_view(), name="step_basis"),
    path("apply/residence/", views.ResidenceStepView.as_view(), name="step_residence"),
    path("apply/employment/", views.EmploymentStepView.as_view(), name="step_employment"),
    path("apply/centre/", views.CentreStepView.as_view(), name="step_centre"),
    path("apply/documents/", views.DocumentsStepView.as_view(), name="step_documents"),
    path("apply/review/", views.ReviewStepView.as_view(), name="step_review"),
    path("apply/declaration/", views.DeclarationView.as_view(), name="step_declaration"),
    path("applications/<str:reference>/", views.StatusView.as_view(), name="status"),
    path("applications/<str:reference>/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path(
        "applications/<str:reference>/more-information/",
        views.MoreInformationView.as_view(),
        name="more_information",
    ),
    path(
        "applications/<str:reference>/appointment/",
        views.AppointmentView.as_view(),
        name="appointment",
    ),
    path(
        "applications/<str:reference>/appointment.ics",
        views.AppointmentCalendarView.as_view(),
        name="appointment_ics",
    ),
    path(
        "applications/<str:reference>/appointment/reschedule/",
        views.RescheduleView.as_view(),
        name="reschedule",
    ),
    path(
        "applications/<str:reference>/fees/<str:kind>/",
        payment_views.FeeView.as_view(),
        name="fee",
    ),
    path(
        "applications/<str:reference>/fees/<str:kind>/pay/",
        payment_views.FeePayView.as_view(),
        name="fee_pay",
    ),
    path("receipts/<str:reference>/", payment_views.ReceiptView.as_view(), name="receipt"),
    path(
        "receipts/<str:reference>/pdf/", payment_views.ReceiptPdfView.as_view(), name="receipt_pdf"
    ),
    path("documents/<int:pk>/", views.DocumentDownloadView.as_view(), name="document"),
]
