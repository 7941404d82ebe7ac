"""Pages for an agent's reply templates: list, create, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import may_change, require_change
from canned import selectors
from canned.forms import ReplyTemplateForm
from canned.models import ReplyTemplate
from canned.rendering import PLACEHOLDERS
from canned.services import reply_template_create, reply_template_delete, reply_template_update
from helpdesk.errors import ApplicationError


def _agent(request) -> User:
    if not request.user.works_tickets:
        raise PermissionDenied
    return request.user


def _editable_template(request, pk: int) -> ReplyTemplate:
    """404 for templates the user cannot see, 403 for those they see but may not edit."""
    template = selectors.template_for(_agent(request), pk)
    require_change(request.user, template)
    return template


def _form_page(request, form: ReplyTemplateForm, template: ReplyTemplate | None = None, http_status: int = 200):
    context = {"form": form, "template": template, "placeholders": PLACEHOLDERS}
    return render(request, "canned/template_form.html", context, status=http_status)


@login_required
def template_list(request):
    user = _agent(request)
    groups = selectors.grouped_templates(user)
    for group in groups:
        for template in group.templates:
            template.editable = may_change(user, template)
    return render(request, "canned/template_list.html", {"groups": groups, "placeholders": PLACEHOLDERS})


@login_required
def template_create(request):
    user = _agent(request)
    form = ReplyTemplateForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            reply_template_create(**form.cleaned_data, acting_user=user)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Template saved."))
            return redirect("canned:list")
    return _form_page(request, form, http_status=400 if form.errors else 200)


@login_required
def template_edit(request, pk: int):
    template = _editable_template(request, pk)
    initial = {"title": template.title, "body": template.body, "team": template.team_id}
    form = ReplyTemplateForm(request.POST if request.method == "POST" else None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            reply_template_update(template, **form.cleaned_data, acting_user=request.user)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Template saved."))
            return redirect("canned:list")
    return _form_page(request, form, template, http_status=400 if form.errors else 200)


@login_required
def template_delete(request, pk: int):
    template = _editable_template(request, pk)
    if request.method == "POST":
        reply_template_delete(template, acting_user=request.user)
        messages.success(request, _("Template deleted."))
        return redirect("canned:list")
    return render(request, "canned/template_confirm_delete.html", {"template": template})
