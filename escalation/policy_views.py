"""Manager pages for SLA policies: the ordered list, create, edit, move, deactivate."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import require_change, visible
from escalation import policy_services
from escalation.permissions import require_policy_manager
from escalation.policy_forms import PolicyForm
from helpdesk.errors import ApplicationError
from tickets.models import Priority, TicketType
from tickets.sla.models import SlaPolicy


@dataclass(frozen=True)
class PolicyRow:
    policy: SlaPolicy
    conditions: list[str]
    # An earlier active policy without conditions takes every ticket first.
    unreachable: bool
    first: bool
    last: bool

    @property
    def first_response_target(self) -> str:
        return business_duration(self.policy.first_response_minutes)

    @property
    def resolution_target(self) -> str:
        return business_duration(self.policy.resolution_minutes)


def business_duration(minutes: int) -> str:
    """240 → "4 h", 90 → "1 h 30 min": business time, so no days (their length depends on the calendar)."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}


def _policies(user: User) -> QuerySet[SlaPolicy]:
    return (
        visible(user, SlaPolicy.objects.all())
        .select_related("calendar")
        .prefetch_related("categories__parent", "organisations", "teams")
        .order_by("position", "id")
    )


def _conditions(policy: SlaPolicy) -> list[str]:
    """Each condition as "Label: a, b"; an empty list means the policy takes every ticket."""
    parts = [
        (_("Priority"), [Priority(int(p)).label for p in policy.priorities]),
        (_("Type"), [TicketType(t).label for t in policy.types]),
        (_("Category"), [str(c) for c in policy.categories.all()]),
        (_("Organisation"), [str(o) for o in policy.organisations.all()]),
        (_("Team"), [str(t) for t in policy.teams.all()]),
    ]
    return [f"{label}: {', '.join(str(v) for v in values)}" for label, values in parts if values]


def _rows(user: User) -> list[PolicyRow]:
    policies = list(_policies(user))
    rows = []
    catch_all_seen = False
    for index, policy in enumerate(policies):
        conditions = _conditions(policy)
        rows.append(
            PolicyRow(
                policy=policy,
                conditions=conditions,
                unreachable=policy.is_active and catch_all_seen,
                first=index == 0,
                last=index == len(policies) - 1,
            )
        )
        catch_all_seen = catch_all_seen or (policy.is_active and not conditions)
    return rows


def _managed_policy(request, pk: int) -> SlaPolicy:
    require_policy_manager(request.user)
    policy = get_object_or_404(visible(request.user, SlaPolicy.objects.select_related("calendar")), pk=pk)
    require_change(request.user, policy)
    return policy


@login_required
def policy_list(request):
    require_policy_manager(request.user)
    return render(request, "escalation/policy_list.html", {"rows": _rows(request.user)})


@login_required
def policy_new(request):
    require_policy_manager(request.user)
    form = PolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            policy = policy_services.policy_create(acting_user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error.extra.get("errors") or {None: error.message})
        else:
            messages.success(
                request,
                _("The policy “%(name)s” was created. It is tried after the existing ones.") % {"name": policy.name},
            )
            return redirect("escalation:policy_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "escalation/policy_form.html", {"form": form, "policy": None}, status=status)


@login_required
def policy_edit(request, pk: int):
    policy = _managed_policy(request, pk)
    if request.method != "POST":
        form = PolicyForm(initial=PolicyForm.initial_for(policy), policy=policy)
        return render(request, "escalation/policy_form.html", {"form": form, "policy": policy})
    form = PolicyForm(request.POST, policy=policy)
    if form.is_valid():
        try:
            policy = policy_services.policy_update(policy, acting_user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error.extra.get("errors") or {None: error.message})
        else:
            messages.success(
                request,
                _("The policy “%(name)s” was saved. The due times of its open tickets are being recalculated.")
                % {"name": policy.name},
            )
            return redirect("escalation:policy_list")
    return render(request, "escalation/policy_form.html", {"form": form, "policy": policy}, status=400)


@login_required
@require_POST
def policy_move(request, pk: int, direction: str):
    policy = _managed_policy(request, pk)
    offsets = {"up": -1, "down": 1}
    if direction not in offsets:
        raise Http404
    try:
        policy_services.policy_move(policy, offsets[direction], acting_user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("escalation:policy_list")


@login_required
@require_POST
def policy_deactivate(request, pk: int):
    policy = policy_services.policy_deactivate(_managed_policy(request, pk), acting_user=request.user)
    messages.success(
        request,
        _("The policy “%(name)s” is no longer used. Its open tickets move to the next matching policy.")
        % {"name": policy.name},
    )
    return redirect("escalation:policy_list")


@login_required
@require_POST
def policy_activate(request, pk: int):
    policy = policy_services.policy_activate(_managed_policy(request, pk), acting_user=request.user)
    messages.success(request, _("The policy “%(name)s” is in use again.") % {"name": policy.name})
    return redirect("escalation:policy_list")
