"""The password reset pages: ask (the same answer for every address), set a new one, done.

How requests are limited and e-mailed is in accounts/password_reset.py.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts import audit
from accounts.password_reset import clear_login_failures, reset_request


class ResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


def password_reset(request):
    """The same answer for every address: a redirect to the "check your e-mail" page."""
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reset_request(form.cleaned_data["email"], audit.client_address(request))
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset_form.html", {"form": form})


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)  # saves the new password: other sessions end
            user = form.user
            ip_address = audit.client_address(self.request)
            cleared = clear_login_failures(user, ip_address)
            audit.record(
                audit.AuditAction.PASSWORD_RESET_COMPLETED,
                actor=user,
                target_user=user,
                after={"login_failures_cleared": cleared},
            )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
