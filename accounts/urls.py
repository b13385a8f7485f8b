from django.conf import settings
from django.urls import include, path

from accounts import staff_views, views
from messaging import views as messaging_views

app_name = "accounts"


def identity_flow(flow: str) -> list:
    """The three pages of registration and of password reset: identity, code, new password."""
    return [
        path("", views.IdentityStartView.as_view(flow=flow), name=flow),
        path("code/", views.IdentityCodeView.as_view(flow=flow), name=f"{flow}_code"),
        path("password/", views.IdentityPasswordView.as_view(flow=flow), name=f"{flow}_password"),
    ]


staff_patterns = [
    path("code/", staff_views.StaffVerifyView.as_view(), name="staff_verify"),
    path("authenticator/", staff_views.StaffEnrolView.as_view(), name="staff_enrol"),
    path("authenticator/qr.svg", staff_views.StaffEnrolQRView.as_view(), name="staff_enrol_qr"),
    path("backup-codes/", staff_views.StaffBackupCodesView.as_view(), name="staff_backup_codes"),
]

settings_patterns = [
    path("", views.AccountSettingsView.as_view(), name="settings"),
    path("email/", views.EmailSettingsView.as_view(), name="email"),
    path("email/verify/<str:token>/", views.email_verify, name="email_verify"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("sessions/<int:pk>/end/", views.session_end, name="session_end"),
]

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("keep-alive/", views.keep_alive, name="keep_alive"),
    path("register/", include(identity_flow("register"))),
    path("password-reset/", include(identity_flow("reset"))),
    path("confirm/", views.StepUpView.as_view(), name="stepup"),
    path("requests/", views.request_history, name="history"),
    path("messages/", views.inbox, name="inbox"),
    path("security/", views.security, name="security"),
    path("staff/", include(staff_patterns)),
    path("settings/", include(settings_patterns)),
]

if settings.SIMULATION_MODE:
    urlpatterns.append(path("simulation/sms/", messaging_views.sandbox_inbox, name="sandbox_inbox"))
