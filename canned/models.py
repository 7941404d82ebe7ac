"""Reply templates (canned responses): text an agent drops into a reply and then edits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReplyTemplate(models.Model):
    """Personal (``owner`` set) or shared with a team (``team`` set); never both."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"),
        max_length=50_000,
        help_text=_("Markdown. Placeholders such as {requester_first_name} are filled in from the ticket."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reply_templates",
        db_index=False,  # covered by reply_template_owner_idx
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reply_templates",
        db_index=False,  # covered by reply_template_team_idx
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False, team__isnull=True) | Q(owner__isnull=True, team__isnull=False),
                name="reply_template_personal_xor_team",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "title"], name="reply_template_owner_idx"),
            models.Index(fields=["team", "title"], name="reply_template_team_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_personal(self) -> bool:
        return self.team_id is None
