"""Manager pages for escalation rules: list, create, edit, deactivate and activate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from escalation import rule_services
from escalation.models import EscalationRule
from escalation.permissions import require_policy_manager
from escalation.rule_forms import RuleForm
from helpdesk.errors import ApplicationError


def _managed_rule(request, pk: int) -> EscalationRule:
    require_policy_manager(request.user)
    return get_object_or_404(EscalationRule.objects.select_related("move_to_team"), pk=pk)


@login_required
def rule_list(request):
    require_policy_manager(request.user)
    rules = EscalationRule.objects.select_related("move_to_team").order_by("-is_active", "name", "id")
    return render(request, "escalation/rule_list.html", {"rules": rules})


@login_required
def rule_new(request):
    require_policy_manager(request.user)
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = rule_services.rule_create(acting_user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error.extra.get("errors") or {None: error.message})
        else:
            messages.success(request, _("The rule “%(name)s” was created.") % {"name": rule.name})
            return redirect("escalation:rule_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "escalation/rule_form.html", {"form": form, "rule": None}, status=status)


@login_required
def rule_edit(request, pk: int):
    rule = _managed_rule(request, pk)
    if request.method != "POST":
        return render(request, "escalation/rule_form.html", {"form": RuleForm(instance=rule), "rule": rule})
    form = RuleForm(request.POST, instance=EscalationRule.objects.get(pk=rule.pk))
    if form.is_valid():
        try:
            rule = rule_services.rule_update(rule, acting_user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error.extra.get("errors") or {None: error.message})
        else:
            messages.success(request, _("The rule “%(name)s” was saved.") % {"name": rule.name})
            return redirect("escalation:rule_list")
    return render(request, "escalation/rule_form.html", {"form": form, "rule": rule}, status=400)


@login_required
@require_POST
def rule_deactivate(request, pk: int):
    rule = rule_services.rule_set_active(_managed_rule(request, pk), False, acting_user=request.user)
    messages.success(request, _("The rule “%(name)s” no longer fires.") % {"name": rule.name})
    return redirect("escalation:rule_list")


@login_required
@require_POST
def rule_activate(request, pk: int):
    rule = rule_services.rule_set_active(_managed_rule(request, pk), True, acting_user=request.user)
    messages.success(request, _("The rule “%(name)s” fires again.") % {"name": rule.name})
    return redirect("escalation:rule_list")
