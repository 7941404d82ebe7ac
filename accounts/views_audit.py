"""The audit log page for admins: newest first, by person and action, a keyset page at a time."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.audit import AuditAction, AuditEntry
from accounts.models import Role, User

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    person = forms.EmailField(label=_("Person (e-mail)"), required=False, max_length=254)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *AuditAction.choices]
    )


def _cursor(entry: AuditEntry) -> str:
    return f"{entry.at.isoformat()}~{entry.pk}"


def _after(entries: QuerySet[AuditEntry], cursor: str) -> QuerySet[AuditEntry]:
    """Rows after the cursor in (-at, -id) order; a cursor that does not parse starts over."""
    stamp, _sep, pk = cursor.partition("~")
    try:
        at: datetime | None = parse_datetime(stamp)
    except ValueError:  # well formed but impossible (month 13)
        at = None
    if at is None or not pk.isdigit() or len(pk) > 18:
        return entries
    return entries.filter(Q(at__lt=at) | Q(at=at, pk__lt=int(pk)))


def _about(entries: QuerySet[AuditEntry], email: str) -> QuerySet[AuditEntry]:
    """What this person did or had done to them; by the copied address once they are deleted."""
    by_text = Q(actor_email__iexact=email) | Q(target__iexact=email)
    person = User.objects.filter(email__iexact=email).values_list("pk", flat=True).first()
    if person is None:
        return entries.filter(by_text)
    return entries.filter(Q(actor_id=person) | Q(target_user_id=person) | by_text)


@login_required
@require_GET
def audit_log(request):
    if not request.user.has_role(Role.ADMIN):
        raise PermissionDenied
    form = AuditFilterForm(request.GET)
    form.is_valid()  # what was understood applies; a bad value is shown as an error and ignored
    data = form.cleaned_data
    entries = AuditEntry.objects.all()
    if data.get("person"):
        entries = _about(entries, data["person"])
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    if request.GET.get("after"):
        entries = _after(entries, request.GET["after"])
    rows = list(entries.order_by("-at", "-id")[: PAGE_SIZE + 1])
    next_query = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        params = request.GET.copy()
        params["after"] = _cursor(rows[-1])
        next_query = params.urlencode()
    return render(request, "accounts/audit_log.html", {"form": form, "entries": rows, "next_query": next_query})
