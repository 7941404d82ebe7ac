from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from accounts.permissions import visible
from helpdesk.errors import ApplicationError
from tickets.models import (
    Category,
    Impact,
    LinkKind,
    Priority,
    ResolutionCode,
    Status,
    Ticket,
    TicketType,
    Urgency,
    parse_reference,
)
from tickets.services.bulk import BULK_STATUSES, MAX_BULK_TICKETS, BulkAction, clean_tag


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Images, PDF, Office documents, text files or ZIP archives."))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ServiceErrorsMixin:
    """Show a service's refusal on the field it names, or on the form."""

    def add_service_error(self, error: ApplicationError) -> None:
        field = error.extra.get("field")
        self.add_error(field if field in self.fields else None, str(error.message))


class SubmitForm(ServiceErrorsMixin, forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, what you expected, and any error message. Markdown is supported."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True).select_related("parent").order_by("parent__name", "name"),
        required=False,
        empty_label=_("I don't know"),
    )
    impact = forms.TypedChoiceField(
        label=_("Who is affected?"),
        choices=Impact.choices,
        coerce=int,
        initial=Impact.PERSON,
        widget=forms.RadioSelect,
    )
    urgency = forms.TypedChoiceField(
        label=_("How urgent is it?"),
        choices=Urgency.choices,
        coerce=int,
        initial=Urgency.DEGRADED,
        widget=forms.RadioSelect,
    )
    attachments = MultipleFileField(label=_("Attachments"))


class GuestSubmitForm(SubmitForm):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail address"))

    field_order = ["name", "email", "subject", "description", "category", "impact", "urgency", "attachments"]


class ReplyForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label=_("Attachments"))


class StaffReplyForm(ReplyForm):
    internal = forms.BooleanField(label=_("Internal note (not visible to the requester)"), required=False)


class StatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[(s.value, s.label) for s in (Status.OPEN, Status.PENDING, Status.ON_HOLD)]
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ResolveForm(ServiceErrorsMixin, forms.Form):
    code = forms.ChoiceField(label=_("Resolution code"), choices=ResolutionCode.choices)
    summary = forms.CharField(
        label=_("Resolution summary"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class SurveyForm(ServiceErrorsMixin, forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled your request?"),
        choices=[(5, _("5 – very good")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 – very poor"))],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- Agent ticket page: reply box and the small controls beside the thread -----------------
# Each control posts on its own to a view that calls one service. ``version`` is the ticket's
# version when the page was drawn, so a change made meanwhile by a colleague is refused (409)
# instead of being overwritten. ``auto_id`` keeps element ids unique on the one page.


class AgentReplyForm(StaffReplyForm):
    """The staff reply box; the keyboard shortcuts (static/js/shortcuts.js) find it by these ids."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["id"] = "reply-body"
        self.fields["internal"].widget.attrs["id"] = "note-toggle"


class TicketControlForm(ServiceErrorsMixin, forms.Form):
    """A control of one ticket: drawn from the ticket's current values, posted with its version."""

    control = ""
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, ticket, **kwargs):
        self.ticket = ticket
        kwargs.setdefault("auto_id", f"{self.control}-%s")
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", {"version": ticket.version, **self.current_values(ticket)})
        super().__init__(*args, **kwargs)

    def current_values(self, ticket) -> dict:
        return {}


class PriorityForm(TicketControlForm):
    control = "priority"
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Impact.choices, coerce=int)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("From impact × urgency")), *Priority.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    reason = forms.CharField(
        label=_("Reason for a different priority"),
        max_length=500,
        required=False,
        help_text=_("Required when the priority differs from the impact × urgency matrix."),
    )

    def current_values(self, ticket) -> dict:
        overridden = bool(ticket.priority_reason)
        return {
            "impact": ticket.impact,
            "urgency": ticket.urgency,
            "priority": ticket.priority if overridden else None,
            "reason": ticket.priority_reason,
        }


class CategoryForm(TicketControlForm):
    control = "category"
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, ticket=ticket, **kwargs)
        # Inactive categories are not offered, except the one the ticket already has.
        self.fields["category"].queryset = (
            Category.objects.filter(Q(is_active=True) | Q(pk=ticket.category_id))
            .select_related("parent")
            .order_by("parent__name", "name")
        )

    def current_values(self, ticket) -> dict:
        return {"category": ticket.category_id}


class ComplexityForm(TicketControlForm):
    control = "complexity"
    complexity = forms.TypedChoiceField(
        label=_("Complexity"),
        choices=[("", "—"), (1, _("1 – trivial")), (2, "2"), (3, "3"), (4, "4"), (5, _("5 – very complex"))],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def current_values(self, ticket) -> dict:
        return {"complexity": ticket.complexity}


class TypeForm(TicketControlForm):
    control = "type"
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)

    def current_values(self, ticket) -> dict:
        return {"type": ticket.type}


class TeamForm(TicketControlForm):
    control = "team"
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.order_by("tier", "name"), empty_label=None)

    def current_values(self, ticket) -> dict:
        return {"team": ticket.team_id}


class AssigneeForm(TicketControlForm):
    control = "assignee"
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, ticket=ticket, **kwargs)
        # The ticket's team's agents (move the team first to hand it elsewhere), and whoever has it now.
        people = User.objects.staff()
        if ticket.team_id:
            people = people.filter(Q(teams=ticket.team_id) | Q(pk=ticket.assignee_id))
        self.fields["assignee"].queryset = people.distinct().order_by("full_name")

    def current_values(self, ticket) -> dict:
        return {"assignee": ticket.assignee_id}


class AgentStatusForm(StatusForm):
    control = "status"

    def __init__(self, *args, ticket, **kwargs):
        kwargs.setdefault("auto_id", "status-%s")
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", {"status": ticket.status, "version": ticket.version})
        super().__init__(*args, **kwargs)
        # Show the current status (e.g. "New") rather than silently preselecting another one.
        choices = list(self.fields["status"].choices)
        if ticket.status not in {value for value, _label in choices}:
            self.fields["status"].choices = [(ticket.status, ticket.get_status_display()), *choices]


class AgentResolveForm(ResolveForm):
    control = "resolve"

    def __init__(self, *args, ticket, **kwargs):
        kwargs.setdefault("auto_id", "resolve-%s")
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", {"version": ticket.version})
        super().__init__(*args, **kwargs)


class LinkForm(ServiceErrorsMixin, forms.Form):
    control = "link"
    kind = forms.ChoiceField(
        label=_("This ticket is"),
        choices=[(kind.value, kind.label) for kind in (LinkKind.RELATED_TO, LinkKind.DUPLICATE_OF, LinkKind.CAUSED_BY)],
    )
    reference = forms.CharField(
        label=_("Other ticket"), max_length=20, widget=forms.TextInput(attrs={"placeholder": "HD-000123"})
    )

    def __init__(self, *args, ticket, **kwargs):
        self.ticket = ticket
        kwargs.setdefault("auto_id", "link-%s")
        super().__init__(*args, **kwargs)

    def clean_reference(self) -> int:
        number = parse_reference(self.cleaned_data["reference"])
        if number is None:
            raise forms.ValidationError(_("Enter a ticket reference such as HD-000123."))
        return number


def _ticket_number(value: str) -> int | None:
    """A ticket id (``123``) or reference (``HD-000123``) to its number; None when it is neither."""
    text = str(value).strip()
    if not text.isascii():
        return None  # parse_reference would take "²" for a digit and fail on it
    if text.isdigit():
        number = int(text)
        return number if 0 < number < 2**63 else None
    return parse_reference(text)


class TicketSelectionField(forms.Field):
    """The ticket ids ticked in a queue (``tickets=1&tickets=2``), in the order they were listed."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one ticket."),
        "invalid": _("The selection was not understood; reload the page and try again."),
        "too_many": _("Select at most %(max)d tickets at a time."),
    }

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        numbers = [_ticket_number(item) for item in ([value] if isinstance(value, str) else value)]
        if None in numbers:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return list(dict.fromkeys(numbers))

    def validate(self, value: list[int]) -> None:
        super().validate(value)
        if len(value) > MAX_BULK_TICKETS:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": MAX_BULK_TICKETS}
            )


def _assignee_choices() -> list[tuple[str, str]]:
    # Called when the form is rendered, not when a post is validated: no query for that.
    agents = User.objects.staff().order_by("full_name").values_list("pk", "full_name")
    return [("", "—"), ("me", _("Me")), ("none", _("Nobody (unassign)")), *((str(pk), name) for pk, name in agents)]


class BulkActionForm(forms.Form):
    """One action for the tickets ticked in a queue; :meth:`params` are ``bulk_apply``'s keywords.

    Only tickets the user may see are kept: the others are counted in ``not_found`` and never
    named, so posting someone else's ids reveals nothing.
    """

    tickets = TicketSelectionField(label=_("Tickets"))
    action = forms.ChoiceField(label=_("Action"), choices=[(action.value, action.label) for action in BulkAction])
    assignee = forms.CharField(
        label=_("Assign to"),
        required=False,
        # Posted as "me", "none" (unassign) or an agent's id.
        widget=forms.Select(choices=_assignee_choices, attrs={"class": "form-select form-select-sm"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *((s.value, s.label) for s in BULK_STATUSES)]
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    into = forms.CharField(
        label=_("Merge into"),
        required=False,
        max_length=30,
        help_text=_("A reference such as HD-000123; empty for the first ticket selected."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.not_found = 0

    def _visible(self, numbers: list[int]) -> list[Ticket]:
        found = visible(self.user, Ticket.objects.filter(pk__in=numbers)).in_bulk()
        return [found[number] for number in numbers if number in found]

    def clean_tickets(self) -> list[Ticket]:
        numbers = self.cleaned_data["tickets"]
        tickets = self._visible(numbers)
        self.not_found = len(numbers) - len(tickets)
        return tickets

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == BulkAction.ASSIGN:
            data["assignee"] = self._clean_assignee(data.get("assignee") or "")
        elif action == BulkAction.STATUS and not data.get("status"):
            self.add_error("status", _("Choose the status to set."))
        elif action == BulkAction.TEAM and not data.get("team"):
            self.add_error("team", _("Choose the team to move the tickets to."))
        elif action == BulkAction.ADD_TAG:
            try:
                data["tag"] = clean_tag(data.get("tag") or "")
            except ApplicationError as error:
                self.add_error("tag", str(error.message))
        elif action == BulkAction.MERGE:
            data["into"] = self._clean_into(data.get("into") or "")
        return data

    def _clean_assignee(self, value: str) -> User | None:
        value = value.strip().lower()
        if value == "me":
            return self.user
        if value == "none":
            return None
        number = _ticket_number(value) if value.isdigit() else None
        agent = User.objects.staff().filter(pk=number).first() if number else None
        if agent is None:
            self.add_error("assignee", _("Choose an active agent to assign the tickets to."))
        return agent

    def _clean_into(self, value: str) -> Ticket | None:
        if not value.strip():
            return None
        number = _ticket_number(value)
        target = self._visible([number]) if number else []
        if not target:
            self.add_error("into", _("There is no ticket %(reference)s that you can see.") % {"reference": value})
            return None
        return target[0]

    def params(self) -> dict:
        """The keywords of ``bulk_apply`` for the chosen action."""
        data = self.cleaned_data
        return {
            BulkAction.ASSIGN: {"assignee": data.get("assignee")},
            BulkAction.STATUS: {"status": data.get("status")},
            BulkAction.TEAM: {"team": data.get("team")},
            BulkAction.ADD_TAG: {"tag": data.get("tag")},
            BulkAction.MERGE: {"into": data.get("into")},
        }[BulkAction(data["action"])]
