from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.forms import EmailAuthenticationForm, PreferencesForm
from accounts.models import Team
from accounts.services import user_set_language, user_update_preferences


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


def _safe_next(request, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or fallback
    # A path or this site's URL; a bare word ("2026-13-45") would be taken for a view's name.
    if target.startswith(("/", "http://", "https://")) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
def set_language(request):
    """Switch language; for a signed-in user the choice is saved and follows them."""
    code = request.POST.get("language", "")
    response = redirect(_safe_next(request))
    if code not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        user_set_language(request.user, code)
    response.set_cookie(
        "django_language",
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = user_update_preferences(request.user, **form.cleaned_data)
        translation.activate(user.language)
        messages.success(request, _("Your preferences were saved."))
        response = redirect("accounts:preferences")
        response.set_cookie("django_language", user.language, samesite="Lax", httponly=True)
        return response
    return render(request, "accounts/preferences.html", {"form": form})


@login_required
def teams(request):
    visible = permissions.visible(request.user, Team.objects.all()).prefetch_related("members", "managers")
    if not request.user.works_tickets:
        return redirect("home")
    return render(request, "accounts/teams.html", {"teams": visible})
