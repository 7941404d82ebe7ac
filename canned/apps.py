from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CannedConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "canned"
    verbose_name = _("Reply templates")

    def ready(self):
        from canned import permissions  # noqa: F401  registers the reply template rules
