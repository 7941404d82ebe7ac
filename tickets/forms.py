from __future__ import annotations

import functools
import re

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Q
from django.utils import translation
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
    tag_slugs,
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
        queryset=Category.objects.filter(is_active=True).in_tree_order(),
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
    shared_with_organisation = forms.BooleanField(label=_("Share with my organisation"), required=False)

    def __init__(self, *args, requester: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_sharing(requester)

    def offer_sharing(self, requester: User | None) -> None:
        """The sharing choice starts as the requester's organisation's setting; no organisation, no choice."""
        organisation = requester.organisation if requester is not None and requester.organisation_id else None
        if organisation is None:
            del self.fields["shared_with_organisation"]
            return
        field = self.fields["shared_with_organisation"]
        field.initial = organisation.shares_tickets
        field.help_text = _(
            "Colleagues at %(organisation)s can then read and reply to this request. "
            "Leave it unticked for a private matter."
        ) % {"organisation": organisation.name}


class GuestSubmitForm(SubmitForm):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail address"))

    field_order = [
        "name",
        "email",
        "subject",
        "description",
        "category",
        "impact",
        "urgency",
        "attachments",
        "shared_with_organisation",
    ]

    def offer_sharing(self, requester: User | None) -> None:
        # A guest's organisation shows only from the address they type, so the choice starts
        # unticked: nothing is shared that the guest did not ask to share.
        self.fields["shared_with_organisation"].help_text = _(
            "If your e-mail address belongs to an organisation we support, colleagues there can read "
            "and reply to this request once they sign in."
        )


class ReplyForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label=_("Attachments"))


class StaffReplyForm(ReplyForm):
    internal = forms.BooleanField(label=_("Internal note (not visible to the requester)"), required=False)


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


# --- Agent ticket page: the reply bar, the ticket's fields, links and merging ---------------
# ``version`` is the ticket's version when the page was drawn, so a change made meanwhile by a
# colleague is refused (409) instead of being overwritten. ``auto_id`` keeps element ids unique
# on the one page.


class ThenChoice(models.TextChoices):
    """What the reply bar does after sending: the status the agent leaves the ticket in."""

    NOTHING = "", _("Send")
    PENDING = "pending", _("Send and set pending")
    RESOLVE = "resolve", _("Send and resolve")


class AgentReplyForm(StaffReplyForm):
    """The staff reply bar; the keyboard shortcuts (static/js/shortcuts.js) find it by these ids.

    ``then`` comes from the button pressed. With "pending" or "resolve" the text may be empty:
    the status changes without a message, as in the desks agents already know.
    """

    then = forms.ChoiceField(choices=ThenChoice.choices, required=False, widget=forms.HiddenInput)
    code = forms.ChoiceField(label=_("Resolution code"), choices=[("", "—"), *ResolutionCode.choices], required=False)
    summary = forms.CharField(
        label=_("Resolution summary"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the requester with the resolution."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "reply-%s")
        super().__init__(*args, **kwargs)
        self.fields["body"].required = False
        self.fields["body"].widget.attrs["id"] = "reply-body"
        self.fields["internal"].widget.attrs["id"] = "note-toggle"

    def clean(self):
        data = super().clean()
        then = data.get("then") or ""
        if not (data.get("body") or "").strip() and "body" not in self.errors:
            if not then:
                self.add_error("body", forms.Field.default_error_messages["required"])
            elif data.get("attachments"):
                self.add_error("body", _("Write a message to go with the files."))
        if then == ThenChoice.RESOLVE:
            if not data.get("code"):
                self.add_error("code", _("Choose a resolution code."))
            if not (data.get("summary") or "").strip():
                self.add_error("summary", _("Please summarise the resolution for the requester."))
        return data


def _number_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _tag_names(text: str) -> list[str]:
    """Tags as typed: separated by commas (also the Chinese ，and 、)."""
    return [name for name in re.split(r"[,，、]", text or "") if name.strip()]


class TicketFieldsForm(ServiceErrorsMixin, forms.Form):
    """The ticket's side fields, saved together with one button (see views.agent.agent_fields).

    Drawn from the ticket's current values; only the fields that differ from them are changed,
    each through its own service. Status is offered while the ticket is being worked, assignee
    until it is closed.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"), choices=[(s.value, s.label) for s in (Status.OPEN, Status.PENDING, Status.ON_HOLD)]
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.order_by("tier", "name"), empty_label=None)
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
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label="—"
    )
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    complexity = forms.TypedChoiceField(
        label=_("Complexity"),
        choices=[("", "—"), (1, _("1 – trivial")), (2, "2"), (3, "3"), (4, "4"), (5, _("5 – very complex"))],
        coerce=int,
        required=False,
        empty_value=None,
    )
    tags = forms.CharField(
        label=_("Tags"),
        max_length=1000,
        required=False,
        help_text=_("Separate tags with commas."),
    )

    def __init__(self, *args, ticket: Ticket, **kwargs):
        self.ticket = ticket
        kwargs.setdefault("auto_id", "ticket-%s")
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", self.current_values(ticket))
        super().__init__(*args, **kwargs)
        if not ticket.is_open:
            del self.fields["status"]
        else:
            # Show the current status (e.g. "New") rather than silently preselecting another one.
            choices = list(self.fields["status"].choices)
            if ticket.status not in {value for value, _label in choices}:
                self.fields["status"].choices = [(ticket.status, ticket.get_status_display()), *choices]
        if ticket.status == Status.CLOSED:
            del self.fields["assignee"]
        else:
            # The team's agents and whoever has it now; when the team changes in the same post,
            # the new team's agents (the team moves first, see views.agent._save_fields).
            teams = {ticket.team_id, _number_or_none(self.data.get("team")) if self.is_bound else None} - {None}
            people = User.objects.staff()
            if teams:
                people = people.filter(Q(teams__in=teams) | Q(pk=ticket.assignee_id))
            self.fields["assignee"].queryset = people.distinct().order_by("full_name")
        # Inactive categories are not offered, except the one the ticket already has.
        self.fields["category"].queryset = (
            Category.objects.filter(Q(is_active=True) | Q(pk=ticket.category_id))
            .select_related("parent")
            .order_by("parent__name", "name")
        )

    @staticmethod
    def current_values(ticket: Ticket) -> dict:
        return {
            "version": ticket.version,
            "status": ticket.status,
            "assignee": ticket.assignee_id,
            "team": ticket.team_id,
            "impact": ticket.impact,
            "urgency": ticket.urgency,
            "priority": ticket.priority if ticket.priority_reason else None,
            "reason": ticket.priority_reason,
            "category": ticket.category_id,
            "type": ticket.type,
            "complexity": ticket.complexity,
            "tags": ", ".join(tag.name for tag in ticket.tags.all()),
        }

    def posted_version(self) -> int | None:
        try:
            return int(self.data.get("version", ""))
        except ValueError:
            return None  # the form's own validation says what is wrong

    def clean_tags(self) -> list[str]:
        return tag_slugs(_tag_names(self.cleaned_data["tags"]))

    def changed(self) -> set[str]:
        """The fields whose posted value differs from the ticket as it is now."""
        current = self.current_values(self.ticket)
        current["tags"] = sorted(tag.name for tag in self.ticket.tags.all())
        data = self.cleaned_data
        related = {"assignee", "team", "category"}
        changed = set()
        for name in self.fields:
            if name == "version":
                continue
            value = data.get(name)
            if name in related:
                value = value.pk if value is not None else None
            if value != current[name]:
                changed.add(name)
        return changed


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


class MergeForm(ServiceErrorsMixin, forms.Form):
    """Merge this ticket, as a duplicate, into the one named (tickets.services.merge)."""

    control = "merge"
    into = forms.CharField(
        label=_("Merge into"),
        max_length=30,
        help_text=_("This ticket is closed as a duplicate; its conversation moves to the ticket named here."),
        widget=forms.TextInput(attrs={"placeholder": "HD-000123"}),
    )

    def __init__(self, *args, ticket, **kwargs):
        self.ticket = ticket
        kwargs.setdefault("auto_id", "merge-%s")
        super().__init__(*args, **kwargs)

    def clean_into(self) -> int:
        number = _ticket_number(self.cleaned_data["into"])
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


# The bulk bar's option lists are cached, forgotten when a user or team is saved (a bulk
# update() that skips the signals shows within a minute). A stale menu never allows more: the
# services check every posted choice.
OPTIONS_SECONDS = 60


def _options_key(language: str | None) -> str:
    # Team labels are in the reader's language (Team.name_zh_hans), so each language has its lists.
    return f"bulk-options:{language or settings.LANGUAGE_CODE}"


def bulk_options() -> dict[str, list[tuple[int, str]]]:
    """The bulk bar's agents and teams, labels in the reader's language: one cache read."""
    key = _options_key(translation.get_language())
    options = cache.get(key)
    if options is None:
        options = {
            "agents": list(User.objects.staff().order_by("full_name").values_list("pk", "full_name")),
            "teams": [(team.pk, str(team)) for team in Team.objects.all()],
        }
        cache.set(key, options, OPTIONS_SECONDS)
    return options


def forget_options(**_signal) -> None:
    """A user or team saved or deleted: the next page lists them as they are now."""
    cache.delete_many([_options_key(code) for code, _name in settings.LANGUAGES])


def _assignee_choices(agents: list[tuple[int, str]]) -> list[tuple[str, str]]:
    return [("", "—"), ("me", _("Me")), ("none", _("Nobody (unassign)")), *((str(pk), name) for pk, name in agents)]


def _team_choices(teams: list[tuple[int, str]]) -> list[tuple[int | str, str]]:
    return [("", "---------"), *teams]


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
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
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
        # Both menus from one cache read, made when the form is rendered (a post is validated
        # without it); a posted team is still looked up in the queryset.
        options = functools.cache(bulk_options)
        self.fields["assignee"].widget.choices = lambda: _assignee_choices(options()["agents"])
        self.fields["team"].widget.choices = lambda: _team_choices(options()["teams"])

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
