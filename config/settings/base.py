"""Sen settings: complete and production-safe by default; environment variables change it.

Embedded default: SQLite in var/, files on local disk, jobs run in-process.
Production profile: DATABASE_URL (PostgreSQL), REDIS_URL (Celery broker + cache), S3 storage.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("SEN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    if DEBUG:
        return "insecure-debug-only-key"
    raise ImproperlyConfigured("SECRET_KEY is required (or var/secret_key, created by `make run`).")


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Reverse proxies whose X-Forwarded-For is believed (their own addresses, comma-separated). Empty: the
# header is ignored and REMOTE_ADDR is the client, so nobody can forge the IP in the audit trail or
# step around per-IP rate limits.
SEN_TRUSTED_PROXIES = env_list("SEN_TRUSTED_PROXIES")
SEN_BASE_URL = os.environ.get("SEN_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the Swagger UI from its own static files, not a CDN
    "django_htmx",
    "template_partials",
    "oauth2_provider",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "sen.core",
    "sen.identity",
    "sen.procedures",
    "sen.dossiers",
    "sen.signing",
    "sen.documents",
    "sen.integrations",
    "sen.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sen.core.middleware.RequestContextMiddleware",
    "sen.core.middleware.ApiMethodNotAllowedMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sen.portal.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sen.core.middleware.SenLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "sen.portal.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sen.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

# --- Identity -------------------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["sen.identity.backends.SenLoginBackend"]
LOGIN_URL = "identity:login"
# Paths that authenticate on their own (401 JSON, OAuth2 protocol) instead of redirecting to the login page.
SEN_LOGIN_EXEMPT_PREFIXES = ["/api/", "/o/", "/.well-known/", "/static/", "/healthz"]
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SEN_STAFF_EMAIL_DOMAIN = os.environ.get("SEN_STAFF_EMAIL_DOMAIN", "dongthap.gov.vn")
# Lockout: after this many failed logins in a row the account is locked for the period.
SEN_LOGIN_MAX_FAILURES = int(os.environ.get("SEN_LOGIN_MAX_FAILURES", "5"))
SEN_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("SEN_LOGIN_LOCKOUT_MINUTES", "15"))
# Role codes whose holders must use TOTP two-factor login (empty in the demo).
SEN_2FA_REQUIRED_ROLES = env_list("SEN_2FA_REQUIRED_ROLES")

# "Đăng nhập bằng VNeID": any OpenID Connect provider configured by its discovery URL.
VNEID_DISCOVERY_URL = os.environ.get("VNEID_DISCOVERY_URL", "")
VNEID_CLIENT_ID = os.environ.get("VNEID_CLIENT_ID", "")
VNEID_CLIENT_SECRET = os.environ.get("VNEID_CLIENT_SECRET", "")

# Sen as an OpenID Connect provider (django-oauth-toolkit). The RSA key is made at run time
# (var/oidc_rsa.pem) unless OIDC_RSA_PRIVATE_KEY is given; none is committed. The issuer is derived
# from the request (<scheme>://<host>/o) unless OIDC_ISSUER fixes it (recommended in production).
# Claims per scope: sen/identity/oidc_provider.py. The JSON API wants the "api" scope.
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": "",  # filled in by sen.identity.apps at start-up
    "OIDC_ISS_ENDPOINT": os.environ.get("OIDC_ISSUER", ""),
    # PKCE is required of public clients, optional for confidential ones (SenOAuth2Validator).
    "PKCE_REQUIRED": False,
    "SCOPES": {
        "openid": "OpenID Connect",
        "profile": "Họ tên, loại tài khoản, đơn vị công tác",
        "email": "Thư điện tử",
        "national_id": "Số định danh cá nhân (CCCD)",
        "api": "Gọi API của Sen thay cho bạn",
    },
    "DEFAULT_SCOPES": ["openid"],
    "OAUTH2_VALIDATOR_CLASS": "sen.identity.oidc_provider.SenOAuth2Validator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 14 * 24 * 3600,
}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL"),
        },
    }
WHITENOISE_USE_FINDERS = True

# --- Background jobs, cache and mail --------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Without a broker, jobs run in-process right after the transaction commits.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "audit-checkpoint": {"task": "sen.core.tasks.audit_checkpoint", "schedule": 3600.0},
    "notifications-resend-stranded": {"task": "sen.core.tasks.notifications_resend_stranded", "schedule": 900.0},
    "exchange-resend-stranded": {"task": "sen.integrations.tasks.exchange_resend_stranded", "schedule": 900.0},
}
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    # The demo has no mail server: messages are written to var/mail instead of being lost.
    "django.core.mail.backends.filebased.EmailBackend"
    if not os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
# Seconds before a silent mail server counts as down (Django's default waits forever).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Sen <no-reply@dongthap.gov.vn>")

# Notifications: one adapter per channel, each with `send(notification) -> None`. E-mail is sent;
# SMS and Zalo are recorded, not sent, until a provider's adapter is configured here.
SEN_NOTIFICATION_ADAPTERS = {
    "email": "sen.core.notifications.EmailAdapter",
    "sms": "sen.core.notifications.RecordingAdapter",
    "zalo": "sen.core.notifications.RecordingAdapter",
}
# With a worker, a failed send is retried with exponential backoff: about BACKOFF, 2×, 4×... seconds
# (with jitter, capped at an hour), MAX_RETRIES times, then marked failed. Eager mode never retries.
SEN_NOTIFICATION_RETRY_BACKOFF = int(os.environ.get("SEN_NOTIFICATION_RETRY_BACKOFF", "60"))
SEN_NOTIFICATION_MAX_RETRIES = int(os.environ.get("SEN_NOTIFICATION_MAX_RETRIES", "6"))

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False  # htmx and the API read it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "sen.portal.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # One line per finished job is noise in the embedded default, where jobs run in-process.
    "loggers": {
        "celery": {"level": os.environ.get("CELERY_LOG_LEVEL", "WARNING")},
        # WeasyPrint writes several INFO lines for every PDF it renders.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Sen ------------------------------------------------------------------------------
SEN_PROVINCE_NAME = os.environ.get("SEN_PROVINCE_NAME", "Đồng Tháp")
# Who holds the signing keys: the default reads keys made at run time under var/pki; a PKCS#11 token or a
# remote signing service plugs in as another backend class (see sen/signing/signers.py).
SEN_SIGNER_BACKEND = os.environ.get("SEN_SIGNER_BACKEND", "sen.signing.signers.LocalKeyBackend")
# What `manage.py demo` builds after the province, its people and the calendar: one idempotent
# `demo_build(*, stdout) -> dict[str, int]` per app.
SEN_DEMO_BUILDERS = [
    "sen.procedures.demo.demo_build",
    "sen.integrations.demo.demo_build",
    "sen.documents.demo.demo_build",
    "sen.signing.demo.demo_build",
    "sen.documents.demo.demo_samples",
]
SEN_SHARED_DATA_DIR = Path(os.environ.get("SEN_SHARED_DATA_DIR", BASE_DIR / "data"))

# Document exchange (edXML over HTTP between Sen servers, sen/integrations). This installation's
# agency code, sent as X-Sen-Peer: the level-1 body it speaks for (Đồng Tháp's People's Committee).
SEN_EXCHANGE_ORGAN_ID = os.environ.get("SEN_EXCHANGE_ORGAN_ID", "000.00.00.H20")
SEN_EXCHANGE_MAX_BYTES = int(os.environ.get("SEN_EXCHANGE_MAX_BYTES", str(30 * 1024 * 1024)))
# A signed request whose timestamp is further than this from the receiver's clock is refused.
SEN_EXCHANGE_MAX_SKEW_SECONDS = int(os.environ.get("SEN_EXCHANGE_MAX_SKEW_SECONDS", "300"))
SEN_EXCHANGE_CONNECT_TIMEOUT = float(os.environ.get("SEN_EXCHANGE_CONNECT_TIMEOUT", "5"))
SEN_EXCHANGE_READ_TIMEOUT = float(os.environ.get("SEN_EXCHANGE_READ_TIMEOUT", "60"))
# With a worker, a failed delivery is retried about BACKOFF, 2×, 4×... seconds later (jitter, capped
# at an hour), MAX_RETRIES times, then marked failed. Eager mode (no worker) makes one attempt.
SEN_EXCHANGE_RETRY_BACKOFF = int(os.environ.get("SEN_EXCHANGE_RETRY_BACKOFF", "30"))
SEN_EXCHANGE_MAX_RETRIES = int(os.environ.get("SEN_EXCHANGE_MAX_RETRIES", "8"))
