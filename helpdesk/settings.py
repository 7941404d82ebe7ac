"""Settings, read from the environment.

Development needs nothing set: an embedded PostgreSQL and Redis start under ``var/``.
Production sets ``DJANGO_ENV=production`` plus ``SECRET_KEY``, ``ALLOWED_HOSTS``,
``DATABASE_URL`` and ``REDIS_URL`` (see README, "Configuration").
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HELPDESK_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def fail(message: str) -> None:
    """Stop start-up with one clear line instead of a traceback."""
    print(f"helpdesk: configuration error: {message}", file=sys.stderr)
    raise SystemExit(2)


PRODUCTION = os.environ.get("DJANGO_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)


def installation_secret_key(var_dir: Path) -> str:
    """This installation's own key, made on first start and kept in ``var/secret_key`` (mode 0600).

    Never a key written in the source: anyone who read it could sign sessions for any site
    started with ``make run``.
    """
    import secrets

    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    # Written whole under a name of its own, then linked into place: processes starting at once
    # (web, worker, beat) never read a half-written file, and the first link wins for all.
    draft = var_dir / f".secret_key.{os.getpid()}"
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_urlsafe(50) + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        fail("SECRET_KEY must be set in production")
    SECRET_KEY = installation_secret_key(VAR_DIR)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "helpdesk",
    "accounts",
    "tickets",
    "escalation",
    "knowledge",
    "kpis",
    "feedback",
    "monitoring",
    "maintenance",
    "mail",
    "notifications",
    "canned",
    "api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "bootstrap",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # PostgreSQL unreachable (a restart): a clean 503 page, before the session is read
    "helpdesk.database_down.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # who is acting, for the audit log (accounts/audit.py)
    "accounts.audit.AuditContextMiddleware",
    # in place of Django's LocaleMiddleware: needs request.user, must precede CommonMiddleware
    "accounts.middleware.UserLocaleMiddleware",
    # NUL characters and over-deep JSON: a 400 before any view or parser sees them
    "helpdesk.middleware.BadInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # last, so that a lockout answers before any view runs
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
    {
        # E-mail subjects and bodies are plain text: no HTML escaping ("<b> & co" arrives as typed).
        "NAME": "plain_text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# --- Database -------------------------------------------------------------------------------


def _database_settings() -> dict:
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        if PRODUCTION:
            fail("DATABASE_URL must be set in production (e.g. postgres://user:pass@host:5432/helpdesk)")
        from helpdesk import embedded

        try:
            url = embedded.database_url()
        except embedded.EmbeddedServerError as exc:
            fail(str(exc))
    try:
        config = dj_database_url.parse(url)
    except ValueError as exc:
        fail(f"DATABASE_URL is not a valid database URL ({exc})")
    if config.get("ENGINE") != "django.db.backends.postgresql":
        fail(f"DATABASE_URL must point to PostgreSQL (postgres://...), got {url.split(':', 1)[0]!r}")
    if not config.get("NAME"):
        fail("DATABASE_URL has no database name")
    # A gunicorn sync worker or a Celery prefork child serves one request or task at a time:
    # one connection per process, kept between requests (Django's persistent connections), is
    # what a pool would give it, without a check-out and a return on every request. A broken
    # one is dropped at the end of the request that met the error. DB_POOL=1 uses psycopg 3's
    # pool instead (threaded servers: gunicorn --threads, ASGI).
    # With PostgreSQL unreachable a request waits this long at most before its 503
    # (helpdesk/database_down.py), not the operating system's TCP timeout of minutes.
    config["OPTIONS"] = {"connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))}
    config["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "600"))
    # Off: after PostgreSQL restarts, each process's first request on its dropped connection is
    # a 503 (helpdesk/database_down.py) and the next reconnects. On: a SELECT 1 before a request
    # first uses its connection replaces a dropped one instead, for a round trip per request.
    config["CONN_HEALTH_CHECKS"] = env_bool("DB_HEALTH_CHECKS", False)
    if env_bool("DB_POOL", False):
        config["OPTIONS"]["pool"] = {
            "min_size": 1,
            "max_size": int(os.environ.get("DB_POOL_SIZE", "8")),
            "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "5")),
        }
        config["CONN_MAX_AGE"] = 0  # the pool keeps them
    # Statements that run on a cursor with server-side binding (the queue page's, see
    # helpdesk/db.py) are prepared once they have run this many times on a connection:
    # PostgreSQL then skips planning them. Django's own queries bind on the client and are never
    # prepared. 0 turns it off (a PgBouncer in transaction mode older than 1.21 needs that).
    prepare_threshold = int(os.environ.get("DB_PREPARE_THRESHOLD", "5"))
    config["OPTIONS"]["prepare_threshold"] = prepare_threshold if prepare_threshold > 0 else None
    config["TEST"] = {"NAME": f"test_{config['NAME']}"}
    return config


DATABASES = {"default": _database_settings()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery -------------------------------------------------------------------


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "").strip()
    if url:
        if not url.startswith(("redis://", "rediss://", "unix://")):
            fail("REDIS_URL must start with redis://, rediss:// or unix://")
        return url
    if PRODUCTION:
        fail("REDIS_URL must be set in production (e.g. redis://redis:6379/0)")
    from helpdesk import embedded

    try:
        return embedded.redis_url()
    except embedded.EmbeddedServerError as exc:
        fail(str(exc))
        raise


def _cache_url(broker_url: str) -> str:
    """Where the cache lives: ``REDIS_CACHE_URL``, else the broker's server, next database.

    By default never the broker's database: clearing the cache (FLUSHDB) must not drop queued
    tasks. Setting both to one URL is allowed, for a throwaway setup (the benchmarks do).
    """
    from urllib.parse import urlsplit, urlunsplit

    url = os.environ.get("REDIS_CACHE_URL", "").strip()
    if url:
        if not url.startswith(("redis://", "rediss://", "unix://")):
            fail("REDIS_CACHE_URL must start with redis://, rediss:// or unix://")
        return url
    parts = urlsplit(broker_url)
    database = int(parts.path.strip("/") or 0) if parts.scheme != "unix" else None
    if database is None or database >= 15:
        fail("set REDIS_CACHE_URL: the cache goes in the next Redis database after REDIS_URL's, and there is none")
    return urlunsplit(parts._replace(path=f"/{database + 1}"))


REDIS_URL = _redis_url()  # the Celery broker and result backend
REDIS_CACHE_URL = _cache_url(REDIS_URL)

CACHES = {
    "default": {
        # Connection errors are misses (helpdesk/cache.py): pages work, slower, with Redis down.
        "BACKEND": "helpdesk.cache.RedisCache",
        "LOCATION": REDIS_CACHE_URL,
        "KEY_PREFIX": "helpdesk",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "visibility_timeout": 3600}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
OUTBOX_SWEEP_SECONDS = float(os.environ.get("OUTBOX_SWEEP_SECONDS", "60"))
# A sweep claims this many e-mails at a time and sends them over one SMTP connection.
OUTBOX_BATCH_SIZE = int(os.environ.get("OUTBOX_BATCH_SIZE", "10"))
KPI_REFRESH_SECONDS = float(os.environ.get("KPI_REFRESH_SECONDS", "300"))
# Weeks, months and quarters: their medians read every fact of the period again (kpis/rollups.py).
KPI_PERIODS_SECONDS = float(os.environ.get("KPI_PERIODS_SECONDS", "900"))
# Loaded into the database schedule by django-celery-beat when beat starts.
CELERY_BEAT_SCHEDULE = {
    "deliver-outbox": {"task": "notifications.deliver_outbox", "schedule": OUTBOX_SWEEP_SECONDS},
    "password-reset-emails": {"task": "accounts.send_password_resets", "schedule": OUTBOX_SWEEP_SECONDS},
    "auto-close-resolved-tickets": {"task": "tickets.auto_close_resolved", "schedule": 15 * 60.0},
    "sla-scan": {"task": "escalation.sla_scan", "schedule": 60.0},
    "escalation-rules": {"task": "escalation.run_rules", "schedule": 60.0},
    "kpi-refresh": {"task": "kpis.refresh_incremental", "schedule": KPI_REFRESH_SECONDS},
    "kpi-periods": {"task": "kpis.refresh_periods", "schedule": KPI_PERIODS_SECONDS},
    "kpi-snapshots": {"task": "kpis.refresh_snapshots", "schedule": KPI_REFRESH_SECONDS},
    "kpi-rebuild-nightly": {"task": "kpis.refresh_full", "schedule": crontab(hour=2, minute=30)},
    # After the nightly rebuild: open appraisal periods that have ended are calculated on fresh figures.
    "appraisals-calculate": {"task": "kpis.calculate_appraisals", "schedule": crontab(hour=3, minute=30)},
    # On the 2nd, after both: last month's ticket quality reviews are drawn.
    "quality-reviews-draw": {
        "task": "kpis.draw_quality_reviews",
        "schedule": crontab(day_of_month=2, hour=4, minute=0),
    },
    "maintenance-open-due-runs": {"task": "maintenance.open_due_runs", "schedule": 60.0},
    "spike-scan": {"task": "monitoring.detect_spikes", "schedule": 300.0},
    "mail-poll-imap": {"task": "mail.poll_mailboxes", "schedule": 60.0},
}
CELERY_TIMEZONE = "UTC"
# Spike detection (monitoring/spikes.py, "spike-scan" above): a category's tickets in the last
# window against its usual count for that weekday and time of day over the previous weeks.
SPIKE_WINDOW_MINUTES = int(os.environ.get("SPIKE_WINDOW_MINUTES", "60"))
SPIKE_BASELINE_WEEKS = int(os.environ.get("SPIKE_BASELINE_WEEKS", "8"))
SPIKE_FACTOR = float(os.environ.get("SPIKE_FACTOR", "3.0"))
SPIKE_MIN_TICKETS = int(os.environ.get("SPIKE_MIN_TICKETS", "5"))
HEALTHZ_WORKER_TIMEOUT = float(os.environ.get("HEALTHZ_WORKER_TIMEOUT", "3"))

# --- Authentication -------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with the user's team ids read in the same SELECT as the user.
    "accounts.backends.TeamsBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): five wrong passwords from one address are answered
# normally; the sixth within the window is refused until the cool-off ends.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "6"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False
# Password reset (accounts/password_reset.py): the link works once, for this long; reset e-mails
# are limited per client address and per e-mail address, known or not, over a sliding hour.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_MINUTES", "60")) * 60
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", "5"))
PASSWORD_RESET_LIMIT_PER_EMAIL = int(os.environ.get("PASSWORD_RESET_PER_EMAIL_PER_HOUR", "3"))

# --- Internationalisation -------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# One date format per language, the short style the same as the long (helpdesk/formats/).
FORMAT_MODULE_PATH = ["helpdesk.formats"]

# --- Static and media -----------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- E-mail ---------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Helpdesk <helpdesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds each SMTP socket operation may wait: a hung relay fails the send (retried later)
# instead of holding a worker. Set it above the relay's slowest answer to the end of DATA.
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "60"))
# How long one e-mail's send may take before another sweep may take the row over: it must
# outlast a send through a hung relay (about ten round trips of EMAIL_TIMEOUT each).
OUTBOX_LEASE_SECONDS = float(os.environ.get("OUTBOX_LEASE_SECONDS", str(10 * EMAIL_TIMEOUT)))
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "mail"))
# The inbound receiver (`manage.py mail_receiver`, the Procfile's `mail:` line; docs/email.md):
# LMTP for a local MTA's transport (Postfix), or SMTP when MX points straight at it.
MAIL_RECEIVER_HOST = os.environ.get("MAIL_RECEIVER_HOST", "127.0.0.1")
MAIL_RECEIVER_PORT = int(os.environ.get("MAIL_RECEIVER_PORT", "8024"))
MAIL_RECEIVER_PROTOCOL = os.environ.get("MAIL_RECEIVER_PROTOCOL", "lmtp")

# --- Tickets ------------------------------------------------------------------------------

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
EMAIL_MESSAGE_ID_DOMAIN = os.environ.get("EMAIL_MESSAGE_ID_DOMAIN", "helpdesk.local")
TICKET_REOPEN_WINDOW_DAYS = int(os.environ.get("TICKET_REOPEN_WINDOW_DAYS", "7"))
TICKET_AUTO_CLOSE_DAYS = int(os.environ.get("TICKET_AUTO_CLOSE_DAYS", "7"))
# KPIs (docs/kpis.md): a resolved ticket "recurs" when its requester opens another in the same
# category within this many days.
KPI_RECURRENCE_DAYS = int(os.environ.get("KPI_RECURRENCE_DAYS", "30"))
# work_mem of the KPI runs and the export (their percentiles sort a quarter's facts).
KPI_WORK_MEM = os.environ.get("KPI_WORK_MEM", "64MB")
# Ticket quality reviews: resolutions drawn at random per agent and month (low CSAT always).
KPI_REVIEW_SAMPLE_SIZE = int(os.environ.get("KPI_REVIEW_SAMPLE_SIZE", "5"))
ATTACHMENT_MAX_FILE_BYTES = int(os.environ.get("ATTACHMENT_MAX_FILE_MB", "10")) * 1024 * 1024
ATTACHMENT_MAX_TICKET_BYTES = int(os.environ.get("ATTACHMENT_MAX_TICKET_MB", "50")) * 1024 * 1024
ATTACHMENT_MAX_FILES_PER_MESSAGE = 10
# Room for a full message with its files; each file is checked against the limits above.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- E-mail channel (mail/, docs/email.md) ------------------------------------------------------

# The Fernet key that encrypts mailbox passwords (IMAP) in the database: 32 url-safe base64
# bytes (`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`).
# Production must set it; in development one is derived from SECRET_KEY, so that a development
# database's passwords are readable only with that database's settings.
MAIL_ENCRYPTION_KEY = os.environ.get("MAIL_ENCRYPTION_KEY", "")
if not MAIL_ENCRYPTION_KEY:
    if PRODUCTION:
        fail("MAIL_ENCRYPTION_KEY must be set in production")
    import base64
    import hashlib

    MAIL_ENCRYPTION_KEY = base64.urlsafe_b64encode(hashlib.sha256(f"mail:{SECRET_KEY}".encode()).digest()).decode()
# Larger messages are refused by the receiver and left in the IMAP folder; one that reaches the
# import all the same is kept, "failed" with the reason.
MAIL_MAX_MESSAGE_BYTES = int(os.environ.get("MAIL_MAX_MESSAGE_MB", "35")) * 1024 * 1024
# A sender who opens more new tickets than this in an hour is held for review (a loop or spam).
MAIL_MAX_NEW_TICKETS_PER_SENDER_HOUR = int(os.environ.get("MAIL_MAX_NEW_TICKETS_PER_SENDER_HOUR", "10"))
# Ticket e-mails carry Reply-To: the address of the mailbox routing to the ticket's team; with
# this on, they are also sent From it (header and envelope, so bounces come back to it).
MAIL_SEND_FROM_MAILBOX = env_bool("MAIL_SEND_FROM_MAILBOX", False)

# --- REST API -------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token class first: its WWW-Authenticate header makes "not signed in" a 401.
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "api.schema.HelpdeskAutoSchema",
    "EXCEPTION_HANDLER": "helpdesk.api_errors.exception_handler",
    # Per token (or signed-in user) and per address; counted in Redis, per process when it is down.
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle", "api.throttling.AddressRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("API_RATE_TOKEN", "1200/minute"),
        "address": os.environ.get("API_RATE_ADDRESS", "3000/minute"),
    },
    # Proxies in front of gunicorn whose X-Forwarded-For is trusted for the per-address limit;
    # 0 uses the connection's address (a client cannot pick its own by sending the header).
    "NUM_PROXIES": int(os.environ.get("API_NUM_PROXIES", "0")),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "VERSION": "1.0.0",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI's files come from the drf-spectacular-sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for a choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "ResolutionCodeEnum": "tickets.models.ResolutionCode",
        # Alerts have a "status" too (firing/resolved): the tickets' keeps its plain name.
        "StatusEnum": "tickets.models.Status",
        "AlertStatusEnum": "monitoring.models.AlertStatus",
    },
}

# --- Security -------------------------------------------------------------------------------

# In PostgreSQL: who is signed in never depends on Redis (a restored or lagging cache cannot
# bring back a session or a user's old rights, and sign-in works while Redis is down).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every page (django-csp); attachments set their own, stricter one.
# Scripts only from our own static files: no inline <script>, no on…= handlers (docs/security.md).
# Styles allow 'unsafe-inline' for Bootstrap's components and htmx's indicator style, which set
# style attributes from script. The API's Swagger and ReDoc pages load their own inline scripts.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs/", "/api/v1/redoc/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
