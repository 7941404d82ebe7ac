from django.urls import path

from accounts import views, views_tokens

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("preferences/", views.preferences, name="preferences"),
    path("teams/", views.teams, name="teams"),
    path("preferences/api-tokens/", views_tokens.api_tokens, name="api_tokens"),
    path("preferences/api-tokens/<int:pk>/revoke/", views_tokens.api_token_revoke, name="api_token_revoke"),
]
