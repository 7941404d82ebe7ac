"""The two payload formats, validated in full before anything is written."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from monitoring.models import AlertStatus, Severity
from monitoring.services import IncomingAlert

MAX_ALERTS = 500
SUMMARY_MAX = 200

# Alertmanager's ``severity`` label is free text; these are the names seen in the wild.
ALERTMANAGER_SEVERITY = {
    "critical": Severity.CRITICAL,
    "page": Severity.CRITICAL,
    "high": Severity.HIGH,
    "error": Severity.HIGH,
    "major": Severity.HIGH,
    "warning": Severity.WARNING,
    "warn": Severity.WARNING,
    "minor": Severity.WARNING,
    "info": Severity.INFO,
    "none": Severity.INFO,
}


def clip(text: str, limit: int = SUMMARY_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class PlainAlertSerializer(serializers.Serializer):
    source = serializers.CharField(required=False, max_length=100, help_text=_("The source's name, if given."))
    fingerprint = serializers.CharField(max_length=200, help_text=_("Identifies the alert across notifications."))
    status = serializers.ChoiceField(choices=AlertStatus.choices, default=AlertStatus.FIRING)
    severity = serializers.ChoiceField(choices=Severity.choices)
    summary = serializers.CharField(max_length=SUMMARY_MAX)
    labels = serializers.DictField(child=serializers.CharField(max_length=500), required=False, default=dict)
    details = serializers.DictField(required=False, default=dict)

    def validate_source(self, value: str) -> str:
        source = self.context["source"]
        if value.strip().lower() != source.name.lower():
            raise serializers.ValidationError(_("The token belongs to another source."))
        return value

    def incoming(self) -> list[IncomingAlert]:
        data = self.validated_data
        return [
            IncomingAlert(
                fingerprint=data["fingerprint"],
                status=data["status"],
                severity=data["severity"],
                summary=clip(data["summary"]),
                labels=data["labels"],
                details=data["details"],
            )
        ]


class AlertmanagerAlertSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AlertStatus.choices)
    labels = serializers.DictField(child=serializers.CharField(max_length=500, allow_blank=True))
    annotations = serializers.DictField(
        child=serializers.CharField(max_length=5000, allow_blank=True), required=False, default=dict
    )
    fingerprint = serializers.CharField(max_length=200)
    startsAt = serializers.CharField(required=False, allow_blank=True, max_length=40)
    endsAt = serializers.CharField(required=False, allow_blank=True, max_length=40)
    generatorURL = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AlertmanagerSerializer(serializers.Serializer):
    """Alertmanager's webhook body, version 4 (the only version it has sent so far)."""

    version = serializers.ChoiceField(choices=["4"])
    status = serializers.ChoiceField(choices=AlertStatus.choices, required=False)
    receiver = serializers.CharField(required=False, allow_blank=True)
    groupKey = serializers.CharField(required=False, allow_blank=True)
    externalURL = serializers.CharField(required=False, allow_blank=True)
    alerts = AlertmanagerAlertSerializer(many=True, allow_empty=False, max_length=MAX_ALERTS)

    def incoming(self) -> list[IncomingAlert]:
        return [self._one(alert) for alert in self.validated_data["alerts"]]

    @staticmethod
    def _one(alert: dict) -> IncomingAlert:
        labels, annotations = alert["labels"], alert["annotations"]
        severity = ALERTMANAGER_SEVERITY.get(labels.get("severity", "").lower(), Severity.WARNING)
        summary = annotations.get("summary") or annotations.get("description") or labels.get("alertname")
        summary = summary or alert["fingerprint"]
        details = {
            "annotations": annotations,
            **{key: alert[key] for key in ("startsAt", "endsAt", "generatorURL") if alert.get(key)},
        }
        return IncomingAlert(
            fingerprint=alert["fingerprint"],
            status=alert["status"],
            severity=severity,
            summary=clip(summary),
            labels=labels,
            details=details,
        )


class OutcomeSerializer(serializers.Serializer):
    fingerprint = serializers.CharField()
    result = serializers.ChoiceField(choices=["opened", "repeated", "resolved", "ignored"])
    ticket = serializers.CharField(allow_null=True, help_text=_("The incident ticket's reference."))


class IntakeResultSerializer(serializers.Serializer):
    alerts = OutcomeSerializer(many=True)
