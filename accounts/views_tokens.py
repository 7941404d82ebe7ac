"""The API tokens section of a user's preferences: create (shown once), list, revoke."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.tokens import NAME_MAX, ApiToken, token_create, token_revoke
from helpdesk.errors import ApplicationError


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=NAME_MAX,
        help_text=gettext_lazy("What uses it, e.g. “monitoring” or “BI export”."),
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leave empty for a token that does not expire."),
    )


def _end_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max), timezone.get_current_timezone())


@login_required
def api_tokens(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        try:
            token, raw = token_create(
                request.user,
                name=form.cleaned_data["name"],
                expires_at=_end_of(expires_on) if expires_on else None,
            )
        except ApplicationError as error:
            field = "expires_on" if error.extra.get("field") == "expires_at" else "name"
            form.add_error(field, str(error.message))
        else:
            # Rendered, never redirected to: the token is in this one response and nowhere else.
            context = {"form": TokenForm(), "tokens": _tokens(request.user), "created": token, "raw": raw}
            return render(request, "accounts/api_tokens.html", context, status=201)
    return render(request, "accounts/api_tokens.html", {"form": form, "tokens": _tokens(request.user)})


def _tokens(user):
    return list(ApiToken.objects.filter(user=user))


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_revoke(token, acting_user=request.user)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:api_tokens")
