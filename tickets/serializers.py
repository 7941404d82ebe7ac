"""What the tickets API reads and writes.

Output serializers render what a user may see: a requester's view of a ticket never contains an
internal note, nor the staff-only fields listed in :data:`STAFF_ONLY_FIELDS`. Input serializers
only check shape (lengths, choices, ids); every rule about the ticket itself is the services'.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Team, User
from accounts.permissions import visible
from tickets.lifecycle import Side, allowed_targets
from tickets.models import (
    Attachment,
    Category,
    Impact,
    Message,
    Priority,
    ResolutionCode,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
    Urgency,
    format_reference,
)
from tickets.selectors import request_attachments, thread
from tickets.services.creation import BODY_MAX, SUBJECT_MAX

# Shown to the staff working the ticket only (context["staff_view"]).
STAFF_ONLY_FIELDS = (
    "priority_reason",
    "complexity",
    "tags",
    "links",
    "escalation_count",
    "reassignment_count",
)


# --- output ---------------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name"]


class TeamBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]


class CategoryBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "parent"]


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "created_at"]


class MessageSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True, allow_null=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "author", "is_public", "is_automatic", "body", "body_html", "created_at", "attachments"]


class EventSerializer(serializers.ModelSerializer):
    actor = PersonSerializer(read_only=True, allow_null=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "kind_label", "actor", "old_value", "new_value", "message", "created_at"]


class LinkSerializer(serializers.Serializer):
    kind = serializers.CharField()
    direction = serializers.ChoiceField(choices=[("outgoing", _("outgoing")), ("incoming", _("incoming"))])
    ticket = serializers.CharField(help_text=_("The other ticket's reference."))


class TicketSerializer(serializers.ModelSerializer):
    """A row of the ticket list (only columns that need no extra query)."""

    reference = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    priority_label = serializers.CharField(source="get_priority_display", read_only=True)
    requester = PersonSerializer(read_only=True)
    assignee = PersonSerializer(read_only=True, allow_null=True)
    team = TeamBriefSerializer(read_only=True, allow_null=True)
    category = CategoryBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "subject",
            "status",
            "status_label",
            "priority",
            "priority_label",
            "impact",
            "urgency",
            "type",
            "channel",
            "category",
            "team",
            "assignee",
            "requester",
            "created_at",
            "updated_at",
            "last_public_activity_at",
            "resolved_at",
            "closed_at",
            "version",
        ]
        read_only_fields = fields


class TicketDetailSerializer(TicketSerializer):
    """One ticket with its thread, as the viewer may see it.

    ``context["staff_view"]`` is True for staff who work the ticket (``may_change``); everyone
    else gets the requester's view: public messages only and no staff-only fields.
    """

    attachments = serializers.SerializerMethodField(help_text=_("Files sent with the request itself."))
    messages = serializers.SerializerMethodField()
    allowed_statuses = serializers.SerializerMethodField(help_text=_("Statuses the viewer may move the ticket to."))
    tags = serializers.SerializerMethodField(help_text=_("Staff only."))
    links = serializers.SerializerMethodField(help_text=_("Staff only."))
    # Blank until the ticket is resolved (the model field's choices alone would not allow "").
    resolution_code = serializers.ChoiceField(choices=ResolutionCode.choices, allow_blank=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [
            *TicketSerializer.Meta.fields,
            "description",
            "description_html",
            "resolution_code",
            "resolution_summary",
            "first_response_at",
            "reopen_count",
            "allowed_statuses",
            "attachments",
            "messages",
            *STAFF_ONLY_FIELDS,
        ]
        read_only_fields = fields

    @property
    def staff_view(self) -> bool:
        return bool(self.context.get("staff_view"))

    def to_representation(self, instance: Ticket) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.staff_view:
            for name in STAFF_ONLY_FIELDS:
                data.pop(name, None)
        return data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, ticket: Ticket) -> list[dict[str, Any]]:
        files = request_attachments(ticket)
        return AttachmentSerializer(files, many=True, context=self.context).data

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, ticket: Ticket) -> list[dict[str, Any]]:
        # Internal notes (and their attachments) are not even loaded for the requester's view.
        messages = thread(ticket, include_internal=self.staff_view)
        return MessageSerializer(messages, many=True, context=self.context).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_statuses(self, ticket: Ticket) -> list[str]:
        side = Side.STAFF if self.staff_view else Side.REQUESTER
        return [str(status) for status in allowed_targets(ticket.status, side)]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, ticket: Ticket) -> list[str]:
        if not self.staff_view:
            return []
        return list(ticket.tags.values_list("name", flat=True))

    @extend_schema_field(LinkSerializer(many=True))
    def get_links(self, ticket: Ticket) -> list[dict[str, str]]:
        if not self.staff_view:
            return []
        outgoing = [
            {"kind": link.kind, "direction": "outgoing", "ticket": format_reference(link.target_id)}
            for link in ticket.links_out.all()
        ]
        incoming = [
            {"kind": link.kind, "direction": "incoming", "ticket": format_reference(link.source_id)}
            for link in ticket.links_in.all()
        ]
        return outgoing + incoming


class ReplyResultSerializer(serializers.Serializer):
    ticket = TicketDetailSerializer()
    message = MessageSerializer(allow_null=True)
    follow_up = serializers.CharField(
        allow_null=True, help_text=_("Set when the reply opened a follow-up ticket instead (closed ticket).")
    )


class NoteResultSerializer(serializers.Serializer):
    ticket = TicketDetailSerializer()
    message = MessageSerializer()


class ErrorSerializer(serializers.Serializer):
    """The shape of every API error (helpdesk/api_errors.py)."""

    code = serializers.CharField(help_text=_("Machine-readable, e.g. invalid, invalid_transition, not_found."))
    detail = serializers.CharField(help_text=_("A message in the user's language."))
    fields = serializers.DictField(
        required=False, help_text=_("Input errors: the messages of each field that is not valid.")
    )
    extra = serializers.DictField(required=False, help_text=_("Domain errors: context, e.g. the current version."))


# --- input ----------------------------------------------------------------------------------


class VersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("The version you last read; the change is refused with 409 if someone changed it since."),
    )


class TicketCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=SUBJECT_MAX)
    description = serializers.CharField(max_length=BODY_MAX)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True
    )
    impact = serializers.ChoiceField(choices=Impact.choices, default=Impact.PERSON)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.DEGRADED)
    type = serializers.ChoiceField(choices=TicketType.choices, default=TicketType.INCIDENT)
    requester = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        required=False,
        help_text=_("Staff only: the person the request is raised for (default: yourself)."),
    )
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        # Requesters only "see" themselves, so they cannot raise a ticket in someone else's name.
        self.fields["requester"].queryset = visible(user, User.objects.filter(is_active=True))


class BodySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=BODY_MAX)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class StatusChangeSerializer(VersionedSerializer):
    status = serializers.ChoiceField(
        choices=Status.choices, help_text=_("Open, pending or on hold; resolving and closing have their own actions.")
    )


class AssignSerializer(VersionedSerializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.staff(), allow_null=True, help_text=_("An agent's id, or null to unassign.")
    )


class ResolveSerializer(VersionedSerializer):
    code = serializers.ChoiceField(choices=ResolutionCode.choices)
    summary = serializers.CharField(max_length=10_000)


class CloseSerializer(VersionedSerializer):
    pass


class PrioritySerializer(VersionedSerializer):
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, help_text=_("Overrides the matrix; needs a reason.")
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not {"impact", "urgency", "priority"} & attrs.keys():
            raise serializers.ValidationError(_("Give an impact, an urgency or a priority."))
        return attrs
