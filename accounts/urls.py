from django.conf import settings
from django.urls import path

from accounts import staff_views, views
from messaging import views as messaging_views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("keep-alive/", views.keep_alive, name="keep_alive"),
    path("register/", views.IdentityStartView.as_view(flow="register"), name="register"),
    path("register/code/", views.IdentityCodeView.as_view(flow="register"), name="register_code"),
    path(
        "register/password/",
        views.IdentityPasswordView.as_view(flow="register"),
        name="register_password",
    ),
    path("password-reset/", views.IdentityStartView.as_view(flow="reset"), name="reset"),
    path("password-reset/code/", views.IdentityCodeView.as_view(flow="reset"), name="reset_code"),
    path(
        "password-reset/password/",
        views.IdentityPasswordView.as_view(flow="reset"),
        name="reset_password",
    ),
    path("confirm/", views.StepUpView.as_view(), name="stepup"),
    path("requests/", views.request_history, name="history"),
    path("messages/", views.inbox, name="inbox"),
    path("security/", views.security, name="security"),
    path("staff/code/", staff_views.StaffVerifyView.as_view(), name="staff_verify"),
    path("staff/authenticator/", staff_views.StaffEnrolView.as_view(), name="staff_enrol"),
    path(
        "staff/authenticator/qr.svg",
        staff_views.StaffEnrolQRView.as_view(),
        name="staff_enrol_qr",
    ),
    path(
        "staff/backup-codes/",
        staff_views.StaffBackupCodesView.as_view(),
        name="staff_backup_codes",
    ),
    path("settings/", views.AccountSettingsView.as_view(), name="settings"),
    path("settings/email/", views.EmailSettingsView.as_view(), name="email"),
    path("settings/email/verify/<str:token>/", views.email_verify, name="email_verify"),
    path("settings/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("settings/sessions/<int:pk>/end/", views.session_end, name="session_end"),
]

if settings.SIMULATION_MODE:
    urlpatterns.append(path("simulation/sms/", messaging_views.sandbox_inbox, name="sandbox_inbox"))
