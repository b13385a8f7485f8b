from django.urls import include, path

from residency import payment_views, views

app_name = "residency"

# The application form's pages, in order: each at ``apply/<step>/``, named ``step_<step>``.
STEP_VIEWS = [
    views.PersonalStepView,
    views.BasisStepView,
    views.ResidenceStepView,
    views.EmploymentStepView,
    views.CentreStepView,
    views.DocumentsStepView,
    views.ReviewStepView,
    views.DeclarationView,
]

application_patterns = [
    path("", views.StatusView.as_view(), name="status"),
    path("withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path("more-information/", views.MoreInformationView.as_view(), name="more_information"),
    path("appointment/", views.AppointmentView.as_view(), name="appointment"),
    path("appointment.ics", views.AppointmentCalendarView.as_view(), name="appointment_ics"),
    path("appointment/reschedule/", views.RescheduleView.as_view(), name="reschedule"),
    path("fees/<str:kind>/", payment_views.FeeView.as_view(), name="fee"),
    path("fees/<str:kind>/pay/", payment_views.FeePayView.as_view(), name="fee_pay"),
]

receipt_patterns = [
    path("", payment_views.ReceiptView.as_view(), name="receipt"),
    path("pdf/", payment_views.ReceiptPdfView.as_view(), name="receipt_pdf"),
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("apply/", views.ApplyView.as_view(), name="apply"),
    *(path(f"apply/{view.step}/", view.as_view(), name=f"step_{view.step}") for view in STEP_VIEWS),
    path("applications/<str:reference>/", include(application_patterns)),
    path("receipts/<str:reference>/", include(receipt_patterns)),
    path("documents/<int:pk>/", views.DocumentDownloadView.as_view(), name="document"),
]
