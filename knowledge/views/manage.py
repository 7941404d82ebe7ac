"""The manager's knowledge-base report: deflection and content gaps per period."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Role
from helpdesk.spreadsheets import spreadsheet_safe
from knowledge import reports


def _require_manager(request) -> None:
    if not request.user.has_role(Role.MANAGER):
        raise PermissionDenied


@login_required
def deflection(request):
    _require_manager(request)
    period = reports.period_from(request.GET.get("period"))
    context = {
        "period": period,
        "rolling": reports.ROLLING_DAYS,
        "months": reports.recent_months(),
        "figures": reports.deflection_figures(period),
        "top_articles": reports.top_deflecting_articles(period),
        "gaps": reports.content_gaps(period),
    }
    return render(request, "knowledge/manage/deflection.html", context)


@login_required
def gaps_csv(request):
    """Every content gap of the period as CSV, for whoever plans the next articles."""
    _require_manager(request)
    period = reports.period_from(request.GET.get("period"))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kb-content-gaps-{period.key}.csv"'
    # A BOM, so that spreadsheet programs read the Chinese queries as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["query", "normalised", "searches", "last_seen"])
    for gap in reports.content_gaps(period, limit=reports.GAPS_EXPORT_MAX):
        writer.writerow(
            [spreadsheet_safe(gap["query"]), spreadsheet_safe(gap["normalised"]), gap["count"],
             timezone.localtime(gap["last_seen"]).isoformat(timespec="seconds")]
        )  # fmt: skip
    return response
