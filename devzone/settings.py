"""devzone settings, read from the environment.

With no environment at all the project runs in *embedded mode*: SQLite under ``var/`` (WAL,
immediate transactions), Celery on kombu's filesystem transport under ``var/`` with a real worker
and beat, mail written to files under ``var/mail/``. ``DATABASE_URL``, ``REDIS_URL`` and
``EMAIL_URL`` switch to the production stack; ``DEVZONE_ENV=production`` turns on the production
security settings. See docs/operations.md.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from devzone.env import (
    EnvError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_url,
    parse_email_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DEVZONE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEVZONE_ENV = env_choice("DEVZONE_ENV", ("development", "production"), "development")
PRODUCTION = DEVZONE_ENV == "production"

# --- security -------------------------------------------------------------------------------
if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50:
        raise EnvError("SECRET_KEY must be at least 50 characters in production")
else:
    SECRET_KEY = env_str("SECRET_KEY", "devzone-embedded-mode-insecure-key-" + "x" * 20)

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise EnvError("ALLOWED_HOSTS is required in production (comma-separated host names)")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A session ends after DEVZONE_SESSION_IDLE_MINUTES without a request and, whatever the
# activity, DEVZONE_SESSION_MAX_HOURS after sign-in (devzone.middleware.SessionTimeoutMiddleware).
DEVZONE_SESSION_IDLE_MINUTES = env_int("DEVZONE_SESSION_IDLE_MINUTES", 30, minimum=1)
DEVZONE_SESSION_MAX_HOURS = env_int("DEVZONE_SESSION_MAX_HOURS", 12, minimum=1, maximum=24 * 30)
SESSION_COOKIE_AGE = DEVZONE_SESSION_MAX_HOURS * 60 * 60
# Content-Security-Policy of every response (devzone.middleware.ContentSecurityPolicyMiddleware):
# no inline script and no inline style anywhere; charts are server-side SVG; the PNG download
# draws on a canvas from a blob: URL.
DEVZONE_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- applications ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "devzone.apps.DevzoneConfig",
    "zones",
    "investment",
    "talent",
    "platforms",
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "devzone.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "devzone.audit.AuditMiddleware",
    "devzone.middleware.SessionTimeoutMiddleware",
    "devzone.twofactor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "devzone.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "devzone.urls"
WSGI_APPLICATION = "devzone.wsgi.application"

# Widgets render through the project's template engine, so that templates/django/forms/ can
# override Django's (a select's options inline; see that template).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "devzone.access.access_context",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
# Any SQLite database (embedded mode, or DATABASE_URL=sqlite:///...) gets the same options: WAL lets
# the web process read while the worker writes; IMMEDIATE takes the write lock at BEGIN so two
# writers queue on the busy timeout instead of failing with "database is locked" half-way
# through a transaction.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}
DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0)
        )
    }
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
            "DB_CONNECT_TIMEOUT", 5, minimum=1
        )
else:
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "devzone.sqlite3"}
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", str(VAR_DIR / "test-devzone.sqlite3")
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, broker, mail --------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "devzone",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # Fail fast when Redis is down or hung: a page publishes its follow-up work after its commit
    # and must not wait on a dead broker (without socket_timeout a stopped Redis hangs a publish
    # forever); what cannot be sent goes to the outbox (devzone/jobs.py).
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 2,
        "socket_timeout": 3,
    }
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
    CELERY_REDIS_SOCKET_TIMEOUT = 3
    # Several deployments (or test runs) may share one Redis: a key prefix keeps their queues apart.
    if env_str("DEVZONE_BROKER_PREFIX"):
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = env_str("DEVZONE_BROKER_PREFIX")
else:
    # The worker, beat and web processes must agree on this folder; it defaults to var/broker.
    BROKER_DIR = Path(env_str("DEVZONE_BROKER_DIR", str(VAR_DIR / "broker")))
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # Exchange tables (broadcast/remote control); kombu's default is ./control in the cwd.
        "control_folder": str(BROKER_DIR / "control"),
    }
    (VAR_DIR / "results").mkdir(exist_ok=True)
    CELERY_RESULT_BACKEND = "file://" + str(VAR_DIR / "results")

CELERY_BROKER_CONNECTION_TIMEOUT = 2
# One quick retry (a pooled connection may be stale after a Redis restart), then give up and let
# devzone/jobs.py keep the call: a publish costs at most a few seconds when the broker is gone.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# Beat hands the outbox (task calls the broker refused) to the broker this often, in seconds.
DEVZONE_PENDING_FLUSH_SECONDS = env_int("DEVZONE_PENDING_FLUSH_SECONDS", 60, minimum=5)
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Seconds between worker heartbeats written by the beat schedule; /healthz calls a worker
# stale after three missed beats.
DEVZONE_HEARTBEAT_SECONDS = env_int("DEVZONE_HEARTBEAT_SECONDS", 60, minimum=5)
# The nightly full recompute of the scores (local time, Asia/Shanghai).
DEVZONE_SCORES_NIGHTLY_HOUR = env_int("DEVZONE_SCORES_NIGHTLY_HOUR", 2, minimum=0, maximum=23)
DEVZONE_SCORES_NIGHTLY_MINUTE = env_int("DEVZONE_SCORES_NIGHTLY_MINUTE", 30, minimum=0, maximum=59)
# Monthly progress reports of investment projects are due by this day of the following month.
DEVZONE_PROGRESS_REPORT_DUE_DAY = env_int(
    "DEVZONE_PROGRESS_REPORT_DUE_DAY", 5, minimum=1, maximum=28
)
# A supervision item overdue by more than this many days turns red (督查督办 warning colours).
DEVZONE_SUPERVISION_RED_AFTER_DAYS = env_int(
    "DEVZONE_SUPERVISION_RED_AFTER_DAYS", 7, minimum=0, maximum=365
)
# A zone scorecard computed longer ago than this many hours is flagged stale (the nightly
# recompute has not run since); zones/scorecard.py.
DEVZONE_SCORES_STALE_HOURS = env_int("DEVZONE_SCORES_STALE_HOURS", 36, minimum=1, maximum=24 * 366)
# Monthly supervision reports: a PDF larger than this goes out as a download link instead of an
# attachment; the link starts with DEVZONE_BASE_URL (the address users open the platform at).
DEVZONE_REPORT_ATTACH_MAX_BYTES = env_int(
    "DEVZONE_REPORT_ATTACH_MAX_BYTES", 10 * 1024 * 1024, minimum=0
)
# When the beat builds and mails the previous month's reports (local time, Asia/Shanghai).
DEVZONE_REPORTS_DAY = env_int("DEVZONE_REPORTS_DAY", 1, minimum=1, maximum=28)
DEVZONE_REPORTS_HOUR = env_int("DEVZONE_REPORTS_HOUR", 8, minimum=0, maximum=23)
DEVZONE_REPORTS_MINUTE = env_int("DEVZONE_REPORTS_MINUTE", 0, minimum=0, maximum=59)
DEVZONE_REPORT_MAX_ATTEMPTS = env_int("DEVZONE_REPORT_MAX_ATTEMPTS", 5, minimum=1, maximum=20)
DEVZONE_BASE_URL = env_str("DEVZONE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

EMAIL_URL = env_url("EMAIL_URL", ("smtp", "smtps"))
if EMAIL_URL:
    globals().update(parse_email_url("EMAIL_URL", EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "devzone <noreply@devzone.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- auth -----------------------------------------------------------------------------------
# Argon2id first (devzone/passwords.py); the others verify hashes made before, which are then
# rehashed with Argon2id at the user's next sign-in.
PASSWORD_HASHERS = [
    "devzone.passwords.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "devzone.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out username and address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in throttling (django-axes): 5 failures of one username from one address lock that pair
# out for 15 minutes; a successful sign-in clears the count.
AXES_FAILURE_LIMIT = env_int("DEVZONE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DEVZONE_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "devzone.account_views.locked_out"
AXES_VERBOSE = False
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Behind the reverse proxy the client's address is the last one it appended.
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# Two-factor sign-in (TOTP + recovery codes, devzone/twofactor.py): required for administrators
# and provincial roles when DEVZONE_2FA_REQUIRED is on (the default in production), optional
# for everyone else and in embedded demo mode.
DEVZONE_2FA_REQUIRED = env_bool("DEVZONE_2FA_REQUIRED", PRODUCTION)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "devzone 开发区平台")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
DEVZONE_MEMBERSHIP_MODEL = "zones.Membership"

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing folder before collectstatic
# Front-end packages are installed by npm (package.json) and served from node_modules: no CDN.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"  # never served by a URL: files are downloaded through scoped views
# Evidence files (佐证材料): the largest file accepted, and how many files one milestone,
# progress report or exemption may carry (devzone/uploads.py, investment/services/evidence.py).
DEVZONE_EVIDENCE_MAX_BYTES = env_int(
    "DEVZONE_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024, minimum=1, maximum=1024 * 1024 * 1024
)
DEVZONE_EVIDENCE_MAX_FILES = env_int("DEVZONE_EVIDENCE_MAX_FILES", 20, minimum=1, maximum=1000)

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "devzone.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "devzone API",
    "DESCRIPTION": "开发区高质量发展平台 API (v1)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a field named "level" with different choices: name each enum.
    "ENUM_NAME_OVERRIDES": {
        "ZoneLevelEnum": "zones.models.ZoneLevel",
        "RecognitionLevelEnum": "zones.models.RecognitionLevel",
    },
}

# --- import/export --------------------------------------------------------------------------
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# --- logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
