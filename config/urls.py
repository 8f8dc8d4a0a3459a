"""Root URLs: accounts, health, firm pages under /f/<firm>/."""

from collections.abc import Callable

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path
from django_ratelimit.decorators import ratelimit

from advisor.views import share
from projects.forms import LoginForm
from projects.views import accounts, health

# Per address, on submissions only. Axes locks an account after repeated failures from one
# address; this also slows one address trying passwords across many accounts, and caps the
# reset e-mails and sign-ups it can set off. Over the limit: 429 (RATELIMIT_VIEW).
LOGIN_RATE = "20/m"
RESET_RATE = "5/m"
SIGNUP_RATE = "10/m"


def per_address(rate: str, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    return ratelimit(key="ip", rate=rate, method="POST", block=True)(view)


account_patterns = [
    path("signup/", per_address(SIGNUP_RATE, accounts.signup), name="signup"),
    path(
        "login/",
        per_address(
            LOGIN_RATE,
            auth_views.LoginView.as_view(
                authentication_form=LoginForm, redirect_authenticated_user=True
            ),
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", accounts.profile, name="profile"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path(
        "password/reset/",
        per_address(RESET_RATE, auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", accounts.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include(account_patterns)),
    path("firms/new/", accounts.firm_new, name="firm-new"),
    path("invitations/<str:token>/", accounts.invitation_accept_view, name="invitation-accept"),
    path("intake/", include("projects.intake_urls")),
    path("share/<str:token>/", share.share, name="share"),
    path("share/<str:token>/report.pdf", share.share_pdf, name="share-pdf"),
    path("f/<slug:firm_slug>/", include("projects.urls")),
    path("api/", include("config.api_urls")),
]
