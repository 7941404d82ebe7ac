from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "feedback"
    verbose_name = _("Product feedback")

    def ready(self):
        from feedback import permissions  # noqa: F401  registers the feedback item rules
