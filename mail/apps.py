from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mail"
    verbose_name = _("E-mail channel")

    def ready(self) -> None:
        # The outbox (a lower layer) asks us which address a ticket's e-mails should be answered
        # to, and which addresses are ours (never a participant: that would be a loop).
        from mail.replies import mailbox_addresses, reply_address
        from notifications.outbox import set_own_addresses_provider, set_reply_address_resolver

        set_reply_address_resolver(reply_address)
        set_own_addresses_provider(mailbox_addresses)
