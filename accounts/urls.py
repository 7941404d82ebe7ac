from django.urls import path

from accounts import views, views_audit, views_password_reset, views_tokens

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("preferences/", views.preferences, name="preferences"),
    path("teams/", views.teams, name="teams"),
    path("preferences/api-tokens/", views_tokens.api_tokens, name="api_tokens"),
    path("preferences/api-tokens/<int:pk>/revoke/", views_tokens.api_token_revoke, name="api_token_revoke"),
    path("password-reset/", views_password_reset.password_reset, name="password_reset"),
    path("password-reset/sent/", views_password_reset.PasswordResetSentView.as_view(), name="password_reset_sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views_password_reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/", views_password_reset.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("audit/", views_audit.audit_log, name="audit_log"),
]
