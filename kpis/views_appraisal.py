"""Appraisal pages: the manager's periods and appraisals, the agent's own, and each as a PDF.

Every view starts with one access line: ``_managed_period`` (``may_manage_period``) or
``_own_appraisal`` / ``_managed_appraisal`` (``may_view_appraisal``). Writes go through the
services of ``kpis/appraisals.py``; a refusal they raise is shown on the page with its status.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import managed_teams
from helpdesk.errors import ApplicationError
from kpis import appraisals
from kpis.forms_appraisal import AcknowledgeForm, AppraisalReviewForm, PeriodOpenForm
from kpis.models import Appraisal, AppraisalPeriod, AppraisalStatus, GrowthKind, PeriodStatus

PRINT_CSS = "css/appraisal_print.css"


def _managed_period(request, pk: int) -> AppraisalPeriod:
    period = get_object_or_404(AppraisalPeriod.objects.select_related("team"), pk=pk)
    if not appraisals.may_manage_period(request.user, period):
        raise PermissionDenied
    return period


def _managed_appraisal(request, pk: int, agent_id: int) -> Appraisal:
    period = _managed_period(request, pk)
    appraisal = get_object_or_404(
        Appraisal.objects.select_related("agent", "period__team"), period=period, agent_id=agent_id
    )
    if not appraisals.may_view_appraisal(request.user, appraisal):
        raise PermissionDenied
    return appraisal


def _own_appraisal(request, pk: int) -> Appraisal:
    """The agent's own pages list their appraisals only: anyone else's is not found."""
    appraisal = get_object_or_404(appraisals.appraisals_for_agent(request.user).select_related("agent"), pk=pk)
    if not appraisals.may_view_appraisal(request.user, appraisal):
        raise Http404
    return appraisal


# --- manager --------------------------------------------------------------------------------


@login_required
def period_list(request):
    if not request.user.has_role(Role.MANAGER):
        raise PermissionDenied
    teams = managed_teams(request.user)
    form = PeriodOpenForm(request.POST or None, teams=teams)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                period = appraisals.period_open(
                    form.cleaned_data["team"],
                    form.cleaned_data["period"],
                    form.cleaned_data["start"],
                    acting_user=request.user,
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(request, _("The appraisal period was opened."))
                return redirect("kpis_appraisal:period_detail", pk=period.pk)
        else:
            status = 400
    periods = [
        {"period": period, "label": appraisals.period_label(period)}
        for period in appraisals.periods_for_manager(request.user)
    ]
    return render(request, "kpis/appraisal_period_list.html", {"periods": periods, "form": form}, status=status)


def _period_page(request, period: AppraisalPeriod, *, error: ApplicationError | None = None):
    rows = []
    for appraisal in period.appraisals.select_related("agent").order_by("agent__full_name"):
        result = appraisal.snapshot.get("score") or {}
        band = result.get("band")
        rows.append({"appraisal": appraisal, "composite": result.get("composite"), "band": _(band) if band else None})
    context = {
        "period": period,
        "label": appraisals.period_label(period),
        "rows": rows,
        "steps": appraisals.period_steps(period),
        "error": error.message if error else None,
        "can_calculate": period.status in (PeriodStatus.OPEN, PeriodStatus.CALCULATED, PeriodStatus.IN_REVIEW),
        "can_start_review": period.status == PeriodStatus.CALCULATED,
        "can_finalize": period.status == PeriodStatus.IN_REVIEW,
    }
    return render(request, "kpis/appraisal_period.html", context, status=error.status_code if error else 200)


@login_required
def period_detail(request, pk: int):
    return _period_page(request, _managed_period(request, pk))


@login_required
@require_POST
def period_step(request, pk: int, step: str):
    period = _managed_period(request, pk)
    services = {
        "calculate": (appraisals.period_calculate, _("The appraisals were calculated.")),
        "start-review": (appraisals.period_start_review, _("The period is in review.")),
        "finalize": (appraisals.period_finalize, _("The period is final: every appraisal is frozen.")),
    }
    if step not in services:
        raise Http404
    service, done = services[step]
    try:
        service(period, acting_user=request.user)
    except ApplicationError as error:
        period.refresh_from_db()
        return _period_page(request, period, error=error)
    messages.success(request, done)
    return redirect("kpis_appraisal:period_detail", pk=period.pk)


def _sheet_context(appraisal: Appraisal) -> dict:
    return {
        "appraisal": appraisal,
        "period": appraisal.period,
        "agent": appraisal.agent,
        "label": appraisals.period_label(appraisal.period),
        "sheet": appraisals.appraisal_sheet(appraisal),
        "growth_kinds": GrowthKind.choices,
        "print_css": PRINT_CSS,
    }


@login_required
def appraisal_manage(request, pk: int, agent_id: int):
    appraisal = _managed_appraisal(request, pk, agent_id)
    editable = appraisal.period.status == PeriodStatus.IN_REVIEW
    form = None
    status = 200
    if editable or request.method == "POST":
        initial = {
            "version": appraisal.version,
            "strengths": appraisal.strengths,
            "improvements": appraisal.improvements,
            "training_plan": appraisal.training_plan,
        }
        form = AppraisalReviewForm(
            request.POST if request.method == "POST" else None, initial=initial, growth_items=appraisal.growth_items
        )
    if request.method == "POST":
        if form.is_valid():
            try:
                appraisals.appraisal_update(
                    appraisal,
                    growth_items=form.new_growth_items(),
                    strengths=form.cleaned_data["strengths"],
                    improvements=form.cleaned_data["improvements"],
                    training_plan=form.cleaned_data["training_plan"],
                    acting_user=request.user,
                    expected_version=form.cleaned_data["version"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(request, _("The appraisal was saved."))
                return redirect("kpis_appraisal:appraisal_manage", pk=pk, agent_id=agent_id)
        else:
            status = 400
    context = {**_sheet_context(appraisal), "form": form, "manager_view": True}
    return render(request, "kpis/appraisal_detail.html", context, status=status)


@login_required
def appraisal_manage_pdf(request, pk: int, agent_id: int):
    return _pdf_response(_managed_appraisal(request, pk, agent_id))


# --- agent ----------------------------------------------------------------------------------


@login_required
def my_appraisals(request):
    if not request.user.works_tickets:
        raise PermissionDenied
    rows = [
        {
            "appraisal": appraisal,
            "label": appraisals.period_label(appraisal.period),
            "composite": (appraisal.snapshot.get("score") or {}).get("composite"),
        }
        for appraisal in appraisals.appraisals_for_agent(request.user)
    ]
    return render(request, "kpis/appraisal_my_list.html", {"rows": rows})


@login_required
def my_appraisal(request, pk: int):
    appraisal = _own_appraisal(request, pk)
    form = None
    status = 200
    if appraisal.status == AppraisalStatus.FINAL:
        form = AcknowledgeForm(request.POST or None, initial={"version": appraisal.version})
    if request.method == "POST":
        if form is None:
            form = AcknowledgeForm(request.POST)
            form.is_valid()
            form.add_error(None, _("This appraisal has already been acknowledged."))
            status = 409
        elif form.is_valid():
            try:
                appraisals.appraisal_acknowledge(
                    appraisal,
                    comment=form.cleaned_data["comment"],
                    acting_user=request.user,
                    expected_version=form.cleaned_data["version"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(request, _("Thank you: your acknowledgement was recorded."))
                return redirect("kpis_appraisal:my_appraisal", pk=appraisal.pk)
        else:
            status = 400
    context = {**_sheet_context(appraisal), "form": form, "manager_view": False}
    return render(request, "kpis/appraisal_detail.html", context, status=status)


@login_required
def my_appraisal_pdf(request, pk: int):
    return _pdf_response(_own_appraisal(request, pk))


# --- PDF ------------------------------------------------------------------------------------


def _pdf_response(appraisal: Appraisal) -> HttpResponse:
    """The appraisal in the agent's language, whoever downloads it: it is the agent's document."""
    # WeasyPrint loads Pango through cffi when imported: only the processes that print pay for it.
    from weasyprint import CSS, HTML

    with translation.override(appraisal.agent.language):
        html = render_to_string("kpis/appraisal_print.html", _sheet_context(appraisal))
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=finders.find(PRINT_CSS))])
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"appraisal-{appraisal.period.start:%Y-%m}-{slugify(appraisal.agent.full_name) or appraisal.agent_id}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
