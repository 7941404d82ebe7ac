from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "escalation"
    verbose_name = _("SLA and escalation")

    def ready(self):
        from escalation import permissions  # noqa: F401  registers the calendar rules
