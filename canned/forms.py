from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from canned.selectors import manageable_teams
from helpdesk.errors import ApplicationError


class ReplyTemplateForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Give the template a title.")}
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("Write the text of the template.")},
        help_text=_("Markdown. The placeholders below are filled in from the ticket; anything else is kept as typed."),
    )
    team = forms.ModelChoiceField(
        label=_("Shared with"),
        queryset=None,
        required=False,
        empty_label=_("Nobody: a personal template"),
        error_messages={"invalid_choice": _("You can only share templates with teams you manage.")},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = manageable_teams(user).order_by("name")

    def add_service_error(self, error: ApplicationError) -> None:
        field = error.extra.get("field")
        self.add_error(field if field in self.fields else None, str(error.message))
