"""Mailboxes the helpdesk receives e-mail at, and every message received (spec §3, "Channels").

An :class:`InboundEmail` row is written with the raw bytes before anything reads them, in a
transaction of its own (mail/services.py ``receive``): a message that cannot be parsed is kept
as "failed" and can be reprocessed, never lost. ``(mailbox, message_id)`` is unique, so the same
message delivered twice (IMAP re-poll, an MTA retry, a worker restarted mid-import) is imported
once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from tickets.models import Priority


class Transport(models.TextChoices):
    IMAP = "imap", _("IMAP polling of an existing mailbox")
    RECEIVER = "receiver", _("SMTP/LMTP receiver")


class ImapSecurity(models.TextChoices):
    SSL = "ssl", _("SSL/TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (local servers only)")


class AfterImport(models.TextChoices):
    MOVE = "move", _("Move to another folder")
    FLAG = "flag", _("Mark as read")


def _fernet():
    from cryptography.fernet import Fernet

    return Fernet(settings.MAIL_ENCRYPTION_KEY.encode())


class Mailbox(models.Model):
    """An address requests arrive at, the team they go to, and how the mail reaches us."""

    name = models.CharField(_("name"), max_length=100)
    address = models.EmailField(_("address"), help_text=_("The address requesters write to."))
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("New tickets from this mailbox go to this team."),
    )
    default_category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("default category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    default_priority = models.PositiveSmallIntegerField(
        _("default priority"),
        choices=Priority.choices,
        null=True,
        blank=True,
        help_text=_("Empty: computed from impact and urgency as for the web form."),
    )
    active = models.BooleanField(_("active"), default=True)
    transport = models.CharField(_("transport"), max_length=10, choices=Transport.choices, default=Transport.IMAP)
    imap_host = models.CharField(_("IMAP host"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=10, choices=ImapSecurity.choices, default=ImapSecurity.SSL
    )
    imap_user = models.CharField(_("IMAP user"), max_length=255, blank=True)
    # Fernet token (settings.MAIL_ENCRYPTION_KEY); use set_imap_password() and imap_password.
    imap_password_encrypted = models.TextField(blank=True, editable=False)
    imap_folder = models.CharField(_("IMAP folder"), max_length=255, default="INBOX")
    imap_after_import = models.CharField(
        _("after import"), max_length=10, choices=AfterImport.choices, default=AfterImport.MOVE
    )
    imap_move_to = models.CharField(_("move to folder"), max_length=255, default="Imported")
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        constraints = [models.UniqueConstraint(Lower("address"), name="mailbox_address_ci_unique")]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    def set_imap_password(self, plain: str) -> None:
        """Store ``plain`` encrypted (not saved: the caller saves)."""
        self.imap_password_encrypted = _fernet().encrypt(plain.encode()).decode() if plain else ""

    @property
    def imap_password(self) -> str:
        if not self.imap_password_encrypted:
            return ""
        return _fernet().decrypt(self.imap_password_encrypted.encode()).decode()


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    HELD = "held", _("Held for review")
    FAILED = "failed", _("Failed")


class InboundEmail(models.Model):
    """One message as it arrived: the raw bytes first, then what the import made of it."""

    mailbox = models.ForeignKey(Mailbox, verbose_name=_("mailbox"), on_delete=models.PROTECT, related_name="inbound")
    raw = models.BinaryField(_("raw message"))
    # Normalised, without <>; "sha256:<hex>" of the raw bytes when the message has none.
    message_id = models.CharField(_("Message-ID"), max_length=255)
    received_at = models.DateTimeField(_("received"))
    status = models.CharField(_("status"), max_length=10, choices=InboundStatus.choices, default=InboundStatus.RECEIVED)
    reason = models.TextField(_("reason"), blank=True)
    sender = models.EmailField(_("sender"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_emails",
    )
    # The reply this e-mail became (None: it opened the ticket, or nothing). Not named
    # ``message``: its ``message_id`` column would clash with the Message-ID above.
    ticket_message = models.ForeignKey(
        "tickets.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_emails",
    )
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        constraints = [models.UniqueConstraint(fields=["mailbox", "message_id"], name="inbound_once_per_mailbox")]
        indexes = [
            # The per-sender rate limit: new tickets a sender opened in the last hour.
            models.Index(Lower("sender"), "received_at", name="inbound_sender_received_idx"),
            models.Index(fields=["status", "received_at"], name="inbound_status_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"
