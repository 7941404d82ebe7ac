"""People and how they are grouped: users, organisations and teams."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from timezone_field import TimeZoneField

from helpdesk.names import LocalizedName


class Role(models.TextChoices):
    REQUESTER = "requester", _("Requester")
    AGENT = "agent", _("Agent")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


# Roles are cumulative: a manager can do what an agent can, an admin what a manager can.
ROLE_RANK = {Role.REQUESTER: 0, Role.AGENT: 1, Role.MANAGER: 2, Role.ADMIN: 3}


class Organisation(models.Model):
    """A customer organisation whose people submit requests."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    domain = models.CharField(
        _("e-mail domain"),
        max_length=200,
        blank=True,
        help_text=_("People signing up with this e-mail domain join the organisation."),
    )
    shares_tickets = models.BooleanField(
        _("members see each other's tickets"),
        default=False,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class UserQuerySet(models.QuerySet):
    def staff(self) -> UserQuerySet:
        return self.exclude(role=Role.REQUESTER).filter(is_active=True)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_superuser=True, role=Role.ADMIN)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str) -> User:
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in; the role says what they do."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.REQUESTER)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    language = models.CharField(
        _("language"),
        max_length=16,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    time_zone = TimeZoneField(_("time zone"), default="UTC", use_pytz=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]
        indexes = [models.Index(fields=["role"], name="user_role_idx")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_session_auth_hash(self) -> str:
        """Django's, kept per process: every signed-in request checks it against the session's,
        and it is an HMAC of nothing but the password hash and the secret key."""
        return _session_auth_hash(self.password, settings.SECRET_KEY)

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def has_role(self, role: Role) -> bool:
        """True when the user's role is ``role`` or above it."""
        return self.is_active and ROLE_RANK[Role(self.role)] >= ROLE_RANK[role]

    @property
    def is_staff(self) -> bool:
        # The Django admin is for configuring the installation: admins only.
        return self.is_active and (self.is_superuser or self.role == Role.ADMIN)

    @property
    def works_tickets(self) -> bool:
        """Agents, managers and admins: the support side of the desk."""
        return self.has_role(Role.AGENT)


@lru_cache(maxsize=1024)
def _session_auth_hash(password: str, secret: str) -> str:
    return User(password=password)._get_session_auth_hash(secret=secret)


class Team(LocalizedName, models.Model):
    """A support team: its tier says how specialised it is."""

    class Tier(models.IntegerChoices):
        SERVICE_DESK = 1, _("Tier 1 – service desk")
        SPECIALISTS = 2, _("Tier 2 – specialists")
        ENGINEERING = 3, _("Tier 3 – engineering / vendor liaison")

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_zh_hans = models.CharField(_("Chinese name"), max_length=120, blank=True)
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.SERVICE_DESK)
    time_zone = TimeZoneField(
        _("time zone"),
        default="UTC",
        use_pytz=False,
        help_text=_("Periods and business hours of this team are counted in this time zone."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="teams", blank=True
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("managers"), related_name="managed_teams", blank=True
    )

    class Meta:
        ordering = ["tier", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.display_name


from accounts.audit import AuditEntry, connect  # noqa: E402, F401  (the audit log, in its own module)
from accounts.password_reset import PasswordResetRequest  # noqa: E402, F401  (throttles reset e-mails)
from accounts.tokens import ApiToken  # noqa: E402, F401  (a model of this app, in its own module)

connect()  # records changes to roles, status and team membership, whichever door they come through
