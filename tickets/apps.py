from django.apps import AppConfig


class TicketsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tickets"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts.models import Team, User
        from helpdesk import warmup
        from tickets import permissions  # noqa: F401  registers the ticket rules
        from tickets.forms import forget_options
        from tickets.search import load_tokenizer

        # jieba's dictionary, loaded as a web process starts: not in its first ticket write.
        warmup.register(load_tokenizer)

        for model in (User, Team):
            post_save.connect(forget_options, sender=model, dispatch_uid=f"bulk-options-{model.__name__}")
            post_delete.connect(forget_options, sender=model, dispatch_uid=f"bulk-options-delete-{model.__name__}")
