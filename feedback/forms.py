from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from feedback.models import FeedbackItem, FeedbackStatus, ProductArea
from feedback.services import DESCRIPTION_MAX, TITLE_MAX
from helpdesk.errors import ApplicationError


class ServiceErrorsMixin:
    def add_service_error(self, error: ApplicationError) -> None:
        field = error.extra.get("field")
        self.add_error(field if field in self.fields else None, str(error.message))


class FeedbackItemForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=TITLE_MAX, error_messages={"required": _("Give the feedback item a title.")}
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What users struggle with and what would help, in the product team's words."),
    )
    area = forms.ModelChoiceField(
        label=_("Product area"),
        queryset=ProductArea.objects.none(),
        required=False,
        empty_label=_("Not decided yet"),
        error_messages={"invalid_choice": _("Choose one of the product areas offered.")},
    )

    def __init__(self, *args, item: FeedbackItem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The areas in use, and the item's own even if it was taken out of use since.
        in_use = Q(is_active=True)
        if item is not None and item.area_id:
            in_use |= Q(pk=item.area_id)
        self.fields["area"].queryset = ProductArea.objects.filter(in_use).order_by("name")


class StatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=FeedbackStatus.choices,
        error_messages={"invalid_choice": _("Choose one of the statuses offered.")},
    )


class LinkTicketForm(forms.Form):
    reference = forms.CharField(
        label=_("Ticket reference"),
        max_length=20,
        error_messages={"required": _("Type the reference of the ticket, like HD-000123.")},
    )
