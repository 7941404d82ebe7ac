"""Pages at /manage/maintenance/: plans, upcoming and overdue runs, plan form and plan detail.

Agents may read every page; a team's managers (and admins) create and edit its plans.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import may_change
from helpdesk.errors import ApplicationError
from maintenance import selectors, services
from maintenance.forms import PlanForm
from maintenance.models import MaintenancePlan
from maintenance.permissions import may_create_plans, require_plan_reader


def _plan(request, pk: int) -> MaintenancePlan:
    require_plan_reader(request.user)
    return get_object_or_404(selectors.plans_for(request.user), pk=pk)


@login_required
def plan_list(request):
    require_plan_reader(request.user)
    now = timezone.now()
    plans = selectors.with_next_run(list(selectors.plans_for(request.user)), now)
    context = {
        "plans": plans,
        "overdue_count": selectors.overdue_runs(request.user, now).count(),
        "may_create": may_create_plans(request.user),
    }
    return render(request, "maintenance/plan_list.html", context)


@login_required
def run_list(request):
    require_plan_reader(request.user)
    now = timezone.now()
    plans = list(selectors.plans_for(request.user).filter(active=True))
    context = {
        "upcoming": selectors.upcoming_runs(plans, now),
        "overdue": list(selectors.overdue_runs(request.user, now)[:200]),
        "now": now,
    }
    return render(request, "maintenance/run_list.html", context)


@login_required
def plan_detail(request, pk: int):
    plan = _plan(request, pk)
    now = timezone.now()
    selectors.with_next_run([plan], now)
    context = {
        "plan": plan,
        "upcoming": selectors.upcoming_runs([plan], now, per_plan=5),
        "runs": selectors.plan_runs(plan),
        "may_edit": may_change(request.user, plan),
        "now": now,
    }
    return render(request, "maintenance/plan_detail.html", context)


@login_required
def plan_new(request):
    require_plan_reader(request.user)
    if not may_create_plans(request.user):
        raise PermissionDenied
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(form.values(), acting_user=request.user)
        except ApplicationError as error:
            form.add_service_errors(error.extra.get("errors") or {None: error.message})
        else:
            messages.success(request, _("The plan “%(title)s” was created.") % {"title": plan.title})
            return redirect("maintenance:plan_detail", plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "maintenance/plan_form.html", {"form": form, "plan": None}, status=status)


@login_required
def plan_edit(request, pk: int):
    plan = _plan(request, pk)
    if not may_change(request.user, plan):
        raise PermissionDenied
    if request.method != "POST":
        form = PlanForm(instance=plan, user=request.user)
        return render(request, "maintenance/plan_form.html", {"form": form, "plan": plan})
    form = PlanForm(request.POST, instance=MaintenancePlan.objects.get(pk=plan.pk), user=request.user)
    if form.is_valid():
        try:
            plan = services.plan_update(plan, form.values(), acting_user=request.user)
        except ApplicationError as error:
            form.add_service_errors(error.extra.get("errors") or {None: error.message})
        else:
            messages.success(request, _("The plan “%(title)s” was saved.") % {"title": plan.title})
            return redirect("maintenance:plan_detail", plan.pk)
    return render(request, "maintenance/plan_form.html", {"form": form, "plan": plan}, status=400)
