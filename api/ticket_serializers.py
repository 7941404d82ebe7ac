"""Input of the ticket actions that the tickets app's own API module does not hold."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Team
from tickets.models import Category, LinkKind, TicketType, Vendor
from tickets.serializers import VersionedSerializer

REFERENCE_HELP = _("A ticket's reference, e.g. HD-000123.")


class TicketUpdateSerializer(VersionedSerializer):
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True
    )
    type = serializers.ChoiceField(choices=TicketType.choices, required=False)
    complexity = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)

    def validate(self, attrs):
        if not {"category", "type", "complexity", "team"} & attrs.keys():
            raise serializers.ValidationError(_("Give a category, a type, a complexity or a team."))
        return attrs


class TagsSerializer(serializers.Serializer):
    tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=50)


class LinkCreateSerializer(serializers.Serializer):
    target = serializers.CharField(max_length=20, help_text=REFERENCE_HELP)
    kind = serializers.ChoiceField(choices=LinkKind.choices)


class MergeSerializer(serializers.Serializer):
    into = serializers.CharField(max_length=20, help_text=_("The ticket this one is a duplicate of."))


class EscalateSerializer(VersionedSerializer):
    to_team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    vendor = serializers.PrimaryKeyRelatedField(queryset=Vendor.objects.all(), required=False, allow_null=True)
    vendor_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    symptoms = serializers.CharField(max_length=10_000)
    tried = serializers.CharField(max_length=10_000)
    diagnostics = serializers.CharField(max_length=10_000)


class SendBackSerializer(serializers.Serializer):
    escalation = serializers.IntegerField(
        min_value=1, required=False, help_text=_("Which escalation; the latest one when left out.")
    )
    reason = serializers.CharField(max_length=10_000)


class EscalationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_team = serializers.IntegerField(source="from_team_id", allow_null=True)
    to_team = serializers.IntegerField(source="to_team_id", allow_null=True)
    vendor = serializers.IntegerField(source="vendor_id", allow_null=True)
    created_at = serializers.DateTimeField()
