"""The audit log: who changed whose role, status, teams, permissions and API tokens, and when.

Entries are written in one place, this module. The token services and the password reset call
:func:`record`; changes to a user's role, status and organisation, groups and permissions are
caught from the models (``pre_save``/``post_save`` on the user, ``m2m_changed`` on groups and
permissions), because the Django admin and the shell are doors too, and each must leave a trace.

Team membership is recorded by a trigger in the database (migration ``0004``): Django sends no
signal for rows of an automatic many-to-many table written directly, so only the database sees
every door; :func:`share_actor_with_database` tells it who is acting.

The actor is whoever is signed in on the request that made the change
(:class:`AuditContextMiddleware` keeps the request for the length of it); outside a request — a
management command, the shell, a worker — the actor is empty and the page says "system". Rows
are append-only, in the database too (a trigger, migration ``0004``): they may only lose a
foreign key when the person, team or token they point at is deleted; the e-mail and description
copied as text stay.

Not caught: ``QuerySet.update()`` and raw SQL on the user table (no signal fires).
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.append_only import AppendOnly, AppendOnlyError


class AuditAction(models.TextChoices):
    USER_CREATED = "user_created", _("Account created with a role")
    USER_DELETED = "user_deleted", _("Account deleted")
    ROLE_CHANGED = "role_changed", _("Role changed")
    ACTIVATED = "activated", _("Account activated")
    DEACTIVATED = "deactivated", _("Account deactivated")
    SUPERUSER_CHANGED = "superuser_changed", _("Superuser status changed")
    ORGANISATION_CHANGED = "organisation_changed", _("Organisation changed")
    GROUPS_CHANGED = "groups_changed", _("Groups changed")
    PERMISSIONS_CHANGED = "permissions_changed", _("Permissions changed")
    GROUP_PERMISSIONS_CHANGED = "group_permissions_changed", _("Group permissions changed")
    TEAM_MEMBER_ADDED = "team_member_added", _("Added to a team")
    TEAM_MEMBER_REMOVED = "team_member_removed", _("Removed from a team")
    TEAM_MANAGER_ADDED = "team_manager_added", _("Made a team's manager")
    TEAM_MANAGER_REMOVED = "team_manager_removed", _("No longer a team's manager")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset e-mailed")
    PASSWORD_RESET_COMPLETED = "password_reset_completed", _("Password reset completed")


class ImmutableAuditError(AppendOnlyError):
    pass


class AuditEntry(AppendOnly, models.Model):
    """One change to who may do what: never updated or deleted."""

    refusal, refusal_message = ImmutableAuditError, "audit entries are append-only"

    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    actor_email = models.CharField(_("actor's e-mail"), max_length=254, blank=True, help_text=_("Empty: the system."))
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    target_team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_token = models.ForeignKey(
        "accounts.ApiToken",
        verbose_name=_("API token"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target = models.CharField(_("target"), max_length=300, blank=True, help_text=_("Kept when the target is deleted."))
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        app_label = "accounts"
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["at"], name="audit_at_idx"),
            models.Index(fields=["target_user", "at"], name="audit_target_user_at_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.target}"

    @property
    def actor_label(self) -> str:
        return self.actor_email or str(_("system"))


# --- Who is acting --------------------------------------------------------------------------

_request: ContextVar[Any] = ContextVar("audit_request", default=None)
_UNSET = object()


class AuditContextMiddleware:
    """Keeps the request at hand for the length of it, so that a change recorded anywhere below
    knows who made it and from where. After AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def _request_actor(request):
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def client_address(request) -> str | None:
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def record(
    action: AuditAction,
    *,
    actor=_UNSET,
    target_user=None,
    target_team=None,
    target_token=None,
    target: str = "",
    before: dict | None = None,
    after: dict | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Write one entry. ``actor`` defaults to the signed-in user of the current request (None
    outside a request: the system); call inside the transaction of the change."""
    request = _request.get()
    if actor is _UNSET:
        actor = _request_actor(request)
    if request is not None and ip_address is None:
        ip_address = client_address(request)
    if not target:
        target = _describe(target_user or target_team or target_token)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk is not None else None,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        target_user=target_user if target_user is not None and target_user.pk is not None else None,
        target_team=target_team,
        target_token=target_token,
        target=target[:300],
        before=before or {},
        after=after or {},
        ip_address=ip_address,
        request_id=(request.META.get("HTTP_X_REQUEST_ID", "")[:64] if request is not None else ""),
    )


def _describe(obj) -> str:
    if obj is None:
        return ""
    from accounts.models import Team, User

    if isinstance(obj, User):
        return obj.email
    if isinstance(obj, Team):
        return obj.name
    return str(obj)


# --- Changes caught from the models -----------------------------------------------------------

TRACKED_USER_FIELDS = ("role", "is_active", "is_superuser", "organisation_id")


def _user_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._audit_before = None
    if raw or instance.pk is None or instance._state.adding:
        return
    if update_fields is not None and not {"role", "is_active", "is_superuser", "organisation"} & set(update_fields):
        return  # last_login, language, preferences: no query on the sign-in path
    instance._audit_before = sender.objects.filter(pk=instance.pk).values(*TRACKED_USER_FIELDS).first()


def _user_post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        # A requester signing up is not a change of permissions; anyone created with more is.
        if instance.role != "requester" or instance.is_superuser:
            record(
                AuditAction.USER_CREATED,
                target_user=instance,
                after={"role": instance.role, "is_active": instance.is_active, "is_superuser": instance.is_superuser},
            )
        return
    old = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if not old:
        return
    if old["role"] != instance.role:
        record(
            AuditAction.ROLE_CHANGED, target_user=instance, before={"role": old["role"]}, after={"role": instance.role}
        )
    if old["is_active"] != instance.is_active:
        action = AuditAction.ACTIVATED if instance.is_active else AuditAction.DEACTIVATED
        record(
            action,
            target_user=instance,
            before={"is_active": old["is_active"]},
            after={"is_active": instance.is_active},
        )
    if old["is_superuser"] != instance.is_superuser:
        record(
            AuditAction.SUPERUSER_CHANGED,
            target_user=instance,
            before={"is_superuser": old["is_superuser"]},
            after={"is_superuser": instance.is_superuser},
        )
    if old["organisation_id"] != instance.organisation_id:
        from accounts.models import Organisation

        names = dict(
            Organisation.objects.filter(pk__in=[old["organisation_id"], instance.organisation_id]).values_list(
                "pk", "name"
            )
        )
        record(
            AuditAction.ORGANISATION_CHANGED,
            target_user=instance,
            before={"organisation": names.get(old["organisation_id"])},
            after={"organisation": names.get(instance.organisation_id)},
        )


def _user_post_delete(sender, instance, **kwargs):
    # Entries written during this delete (the memberships it cascaded to) still point at the
    # row; Django set the older ones to NULL already.
    AuditEntry.objects.filter(actor_id=instance.pk).update(actor=None)
    AuditEntry.objects.filter(target_user_id=instance.pk).update(target_user=None)
    # The row is gone: the entry keeps the address as text only.
    record(
        AuditAction.USER_DELETED,
        target=instance.email,
        before={"role": instance.role, "is_active": instance.is_active, "is_superuser": instance.is_superuser},
    )


def share_actor_with_database() -> None:
    """Tell the membership trigger (migration 0004) who is acting, for this transaction only.

    Team membership is recorded by the database itself: Django sends no signal for a row
    written to or deleted from an automatic many-to-many table, and those rows are also written
    directly. Outside a request nothing is set and the trigger writes "system".
    """
    request = _request.get()
    actor = _request_actor(request)
    if actor is None:
        return
    context = {
        "actor_id": actor.pk,
        "actor_email": actor.email,
        "ip_address": client_address(request),
        "request_id": request.META.get("HTTP_X_REQUEST_ID", "")[:64],
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('helpdesk.audit', %s, true)", [json.dumps(context)])


def _team_m2m_changed(sender, action, **kwargs):
    # Sent inside the transaction of add()/remove()/set()/clear(), before the rows change.
    if action in ("pre_add", "pre_remove", "pre_clear"):
        share_actor_with_database()


def _before_delete(sender, instance, **kwargs):
    # Deleting a person or a team deletes their memberships: the trigger names who did it.
    share_actor_with_database()


def _team_post_delete(sender, instance, **kwargs):
    AuditEntry.objects.filter(target_team_id=instance.pk).update(target_team=None)


def _permission_names(model, pks) -> list[str]:
    return sorted(str(name) for name in model.objects.filter(pk__in=pks).values_list("name", flat=True))


def _access_m2m_changed(sender, instance, action, reverse, pk_set, model, **kwargs):
    """Groups and permissions of a user, permissions of a group: one entry per change."""
    from django.contrib.auth.models import Permission

    from accounts.models import User

    if action not in ("post_add", "post_remove", "pre_clear") or reverse:
        return
    if action == "pre_clear":
        pk_set = set(getattr(instance, _clear_attr(sender)).values_list("pk", flat=True))
        if not pk_set:
            return
    elif not pk_set:
        return
    key = "added" if action == "post_add" else "removed"
    names = _permission_names(model, pk_set)
    if sender is User.groups.through:
        record(AuditAction.GROUPS_CHANGED, target_user=instance, after={key: names})
    elif sender is User.user_permissions.through:
        record(AuditAction.PERMISSIONS_CHANGED, target_user=instance, after={key: names})
    elif sender is Group.permissions.through and model is Permission:
        record(AuditAction.GROUP_PERMISSIONS_CHANGED, target=f"group {instance.name}", after={key: names})


def _clear_attr(through) -> str:
    from accounts.models import User

    if through is User.groups.through:
        return "groups"
    if through is User.user_permissions.through:
        return "user_permissions"
    return "permissions"


def connect() -> None:
    """Called once when the accounts models are loaded (bottom of accounts/models.py)."""
    from accounts.models import Team, User

    pre_save.connect(_user_pre_save, sender=User, dispatch_uid="audit_user_pre_save")
    post_save.connect(_user_post_save, sender=User, dispatch_uid="audit_user_post_save")
    post_delete.connect(_user_post_delete, sender=User, dispatch_uid="audit_user_post_delete")
    post_delete.connect(_team_post_delete, sender=Team, dispatch_uid="audit_team_post_delete")
    pre_delete.connect(_before_delete, sender=User, dispatch_uid="audit_user_pre_delete")
    pre_delete.connect(_before_delete, sender=Team, dispatch_uid="audit_team_pre_delete")
    for through in (Team.members.through, Team.managers.through):
        m2m_changed.connect(_team_m2m_changed, sender=through, dispatch_uid=f"audit_m2m_{through.__name__}")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_access_m2m_changed, sender=through, dispatch_uid=f"audit_access_{through.__name__}")
