"""Theke settings: one module, configured only from THEKE_* environment variables.

Every secret may also come from a file named by THEKE_<NAME>_FILE (Docker/systemd secrets).
"""

import base64
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP  # type: ignore[import-untyped, unused-ignore]
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """THEKE_<name>, or the content of the file named by THEKE_<name>_FILE."""
    file_name = os.environ.get(f"THEKE_{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(f"THEKE_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name, "true" if default else "false").strip().lower()
    return value in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The configured key, or one generated once into var/ (mode 0600) for local setups."""
    configured = env("SECRET_KEY")
    if configured:
        return configured
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")


NEW_KEY_COMMAND = (
    '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`'
)


def _encryption_keys() -> list[str]:
    """THEKE_ENCRYPTION_KEYS: Fernet keys, comma separated; the first encrypts, all decrypt.

    Unset, a local setup (debug mode, or no THEKE_SECRET_KEY: the generated one in var/) gets
    a key derived from the secret key (theke.core.crypto). A production installation
    (THEKE_SECRET_KEY set, debug off) refuses to start without them: data encrypted with a
    derived key would become unreadable the day the secret key is changed.
    """
    configured = env_list("ENCRYPTION_KEYS")
    for key in configured:
        try:
            valid = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
        except ValueError:
            valid = False
        if not valid:
            raise ImproperlyConfigured(
                "THEKE_ENCRYPTION_KEYS: every key must be 32 bytes in URL-safe base64, "
                f"as {NEW_KEY_COMMAND} prints."
            )
    if not configured and env("SECRET_KEY") and not DEBUG:
        raise ImproperlyConfigured(
            f"THEKE_ENCRYPTION_KEYS is not set. Make a key with {NEW_KEY_COMMAND} "
            "and set it (README: encryption at rest)."
        )
    return configured


# Empty: derived from SECRET_KEY (a local setup only, see _encryption_keys).
ENCRYPTION_KEYS = _encryption_keys()
# With DEBUG, Django's technical 404 page (the URL patterns tried) instead of Theke's own.
TECHNICAL_ERROR_PAGES = env_bool("TECHNICAL_ERROR_PAGES")
BASE_URL = env("BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def with_base_url_host(hosts: list[str], base_url: str) -> list[str]:
    """The allowed hosts plus the base URL's: the host Theke's own links point at (e.g. a
    LAN address for `make run` reached from a phone) must be served."""
    host = urlsplit(base_url).hostname or ""
    if ":" in host:  # IPv6, as the Host header carries it
        host = f"[{host}]"
    return hosts if not host or host in hosts or "*" in hosts else [*hosts, host]


ALLOWED_HOSTS = with_base_url_host(env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]"), BASE_URL)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", BASE_URL if "://" in BASE_URL else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "phonenumber_field",
    "axes",
    "theke.core",
    "theke.tenants",
    "theke.accounts",
    "theke.audit",
    "theke.customers",
    "theke.messaging",
    "theke.orders",
    "theke.estimates",
    "theke.appointments",
    "theke.portal",
    "theke.jobs",
    "theke.api",
    "theke.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything below, so it also sees the error pages (after WhiteNoise: no static).
    "theke.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "theke.accounts.middleware.TenantMiddleware",
    "theke.accounts.customer_auth.CustomerAccountMiddleware",
    "theke.api.middleware.ApiKeyMiddleware",
    "axes.middleware.AxesMiddleware",
    "theke.core.middleware.ErrorPageMiddleware",
]

ROOT_URLCONF = "theke.urls"
WSGI_APPLICATION = "theke.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "theke.tenants.context_processors.tenant",
                "theke.messaging.context_processors.inbox",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'theke.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN,
    # so two writers queue on the busy timeout instead of failing with "database is locked".
    # Connections are kept (THEKE_DB_CONN_MAX_AGE) as with PostgreSQL: opening one and
    # running the PRAGMAs costs about a millisecond, more than a page's queries.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# Two aliases: `default` holds the counters of the rate limits, which every process must share
# (else each web process counts on its own); `estimate_pages` holds rendered customer pages,
# keyed by their state: a pure speed cache, fine per process. Evicting a page never evicts a
# counter. THEKE_CACHE_URL:
#   unset            counters in the database (table theke_cache, made by `migrate`), pages in
#                    each process's memory
#   redis://host/1   both in Redis, shared by all processes
#   locmem://        both in each process's memory (a single process only, e.g. a demo)
#   dummy://         nothing cached, nothing counted
CACHE_URL = env("CACHE_URL", "")
ESTIMATE_PAGE_CACHE_SECONDS = int(env("ESTIMATE_PAGE_CACHE_SECONDS", "3600"))


def _locmem_cache(alias: str, options: dict[str, object]) -> dict[str, object]:
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": f"theke-{alias}",
        "OPTIONS": options,
    }


def _caches(url: str) -> dict[str, dict[str, object]]:
    # A page is 10-50 KB: at most 500 of them per process.
    pages: dict[str, object] = {"MAX_ENTRIES": 500}
    scheme = url.partition("://")[0]
    if not url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "theke_cache",  # theke.core.models.CACHE_TABLE
                # Counters of unknown tokens per client address: room for many clients;
                # beyond that, expired entries go first.
                "OPTIONS": {"MAX_ENTRIES": 20_000},
            },
            "estimate_pages": _locmem_cache("pages", pages),
        }
    if scheme in {"redis", "rediss"}:
        return {
            alias: {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": f"theke-{prefix}",
            }
            for alias, prefix in (("default", "default"), ("estimate_pages", "pages"))
        }
    if scheme == "dummy":
        dummy: dict[str, object] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        return {"default": dummy, "estimate_pages": dummy}
    if scheme == "locmem":
        return {
            "default": _locmem_cache("default", {}),
            "estimate_pages": _locmem_cache("pages", pages),
        }
    raise ValueError(f"THEKE_CACHE_URL: unknown scheme {scheme!r} (redis, locmem, dummy or unset)")


CACHES = _caches(CACHE_URL)

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "theke.accounts.backends.EmailTenantRoleBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

# Login throttling (django-axes, database handler: works in the embedded setup too).
# Locked per account and, separately, per IP address.
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("LOGIN_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
# A successful login must not reset the failures counted against other accounts from the
# same IP (axes would, so a valid account could be used to guess another's password).
AXES_RESET_ON_SUCCESS = False
AXES_USERNAME_CALLABLE = "theke.accounts.backends.axes_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# One client-address function for the whole project (theke.core.client), proxies honoured.
PROXY_COUNT = int(env("PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "theke.core.client.client_address"
AXES_VERBOSE = False

# --- Sessions and security ------------------------------------------------------------------
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Nothing from third parties, anywhere (GDPR): every asset is served by Theke itself.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- I18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "theke" / "locale"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", "Europe/Berlin")
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = env("PHONE_REGION", "DE")
PHONENUMBER_DB_FORMAT = "E164"

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or env_bool("STATIC_FROM_FINDERS")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------
# THEKE_EMAIL_BACKEND: "smtp" (production), "console" (default, prints mail) or a dotted path.
EMAIL_BACKEND_ALIASES = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = env("EMAIL_BACKEND", "console")
_email_backend = EMAIL_BACKEND_ALIASES.get(_email_backend, _email_backend)
_email_options: dict[str, object] = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": env("EMAIL_HOST", "localhost"),
        "port": int(env("EMAIL_PORT", "25")),
        "username": env("EMAIL_HOST_USER") or None,
        "password": env("EMAIL_HOST_PASSWORD") or None,
        "use_tls": env_bool("EMAIL_USE_TLS"),
        "use_ssl": env_bool("EMAIL_USE_SSL"),
        "timeout": int(env("EMAIL_TIMEOUT", "20")),
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Theke <theke@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- SMS -----------------------------------------------------------------------------------
# THEKE_SMS_BACKEND: "console" (default, prints), "locmem" (tests), "http" or a dotted path.
SMS_BACKEND_ALIASES = {
    "console": "theke.messaging.sms.ConsoleSmsBackend",
    "locmem": "theke.messaging.sms.LocmemSmsBackend",
    "http": "theke.messaging.sms.HttpSmsBackend",
}
SMS_BACKEND = SMS_BACKEND_ALIASES.get(env("SMS_BACKEND", "console"), env("SMS_BACKEND", "console"))
SMS_HTTP_URL = env("SMS_HTTP_URL")
SMS_HTTP_TOKEN = env("SMS_HTTP_TOKEN")
SMS_HTTP_USERNAME = env("SMS_HTTP_USERNAME")
SMS_HTTP_PASSWORD = env("SMS_HTTP_PASSWORD")
# JSON body with {to}, {text}, {sender} and {reference} placeholders (JSON-escaped when filled).
SMS_HTTP_BODY = env(
    "SMS_HTTP_BODY",
    '{"to": "{to}", "text": "{text}", "from": "{sender}", "reference": "{reference}"}',
)
SMS_HTTP_ID_FIELD = env("SMS_HTTP_ID_FIELD", "id")
SMS_HTTP_TIMEOUT = float(env("SMS_HTTP_TIMEOUT", "10"))
SMS_CALLBACK_SECRET = env("SMS_CALLBACK_SECRET")
SMS_DEFAULT_SENDER = env("SMS_DEFAULT_SENDER", "Theke")

# --- Outbox and inbound e-mail --------------------------------------------------------------
# Retries are not set here: every channel follows theke/messaging/retries.py (≈ 27 h, 8 attempts).
OUTBOX_LEASE_SECONDS = int(env("OUTBOX_LEASE_SECONDS", "120"))
OUTBOX_SWEEP_SECONDS = int(env("OUTBOX_SWEEP_SECONDS", "30"))
OUTBOX_BATCH_SIZE = int(env("OUTBOX_BATCH_SIZE", "200"))
INBOUND_EMAIL_DOMAIN = env("INBOUND_EMAIL_DOMAIN", "reply.theke.localhost")
INBOUND_MAX_ATTACHMENT_BYTES = int(env("INBOUND_MAX_ATTACHMENT_BYTES", str(10 * 1024 * 1024)))
# Largest file (photo, PDF) the back office may upload through the API.
API_MAX_UPLOAD_BYTES = int(env("API_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
# Images (theke.core.images): the most pixels an upload may declare (checked before decoding),
# and the decoded pixels one process holds at once (further uploads wait for room).
IMAGE_MAX_PIXELS = int(env("IMAGE_MAX_PIXELS", "40000000"))
IMAGE_DECODE_MEMORY_BYTES = int(env("IMAGE_DECODE_MEMORY_MB", "160")) * 1024 * 1024
IMAP_HOST = env("IMAP_HOST")
IMAP_PORT = int(env("IMAP_PORT", "993"))
IMAP_USER = env("IMAP_USER")
IMAP_PASSWORD = env("IMAP_PASSWORD")
IMAP_FOLDER = env("IMAP_FOLDER", "INBOX")
IMAP_SSL = env_bool("IMAP_SSL", default=True)

# --- Background work (django.tasks run by huey) ----------------------------------------------
REDIS_URL = env("REDIS_URL")
HUEY_SQLITE_PATH = VAR_DIR / "huey.sqlite3"
# Lets several Theke installations (or test runs) share one Redis without sharing a queue.
QUEUE_NAME = env("QUEUE_NAME", "theke")
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "theke.core.tasks_backend.HueyBackend"),
    }
}

# --- Job manager: payments ------------------------------------------------------------------
# The payment provider of the job manager's payment fields (theke.jobs.payments). "test" is
# the shipped test provider: a fake checkout page of our own, no money moves.
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", "test")

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "huey": {"level": "WARNING"}},
}
