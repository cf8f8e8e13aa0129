"""Settings, read from environment variables.

With no environment set, every `jineng` command works for development and the demo: the keys
are generated once into `var/keys.json` (git-ignored) and the database is `var/jineng.sqlite3`.
Production sets JINENG_DEBUG=0, DATABASE_URL, JINENG_SECRET_KEY, JINENG_FIELD_KEY,
JINENG_AUDIT_KEYS (with JINENG_AUDIT_KEY_ID), JINENG_CERTIFICATE_KEYS (with
JINENG_CERTIFICATE_KEY_ID) and JINENG_ALLOWED_HOSTS.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from jineng.core.keys import load_or_create_local_keys

BASE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BASE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("JINENG_DATA_DIR", PROJECT_ROOT / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("JINENG_DEBUG", True)

_local_keys = None
KEYS_FILE = DATA_DIR / "keys.json"
if not all(os.environ.get(k) for k in ("JINENG_SECRET_KEY", "JINENG_FIELD_KEY",
                                        "JINENG_AUDIT_KEYS", "JINENG_CERTIFICATE_KEYS")):
    _local_keys = load_or_create_local_keys(KEYS_FILE)

SECRET_KEY = os.environ.get("JINENG_SECRET_KEY") or _local_keys["secret_key"]
# 32-byte key for AES-GCM field encryption and the HMAC blind index, hex encoded.
FIELD_ENCRYPTION_KEY = os.environ.get("JINENG_FIELD_KEY") or _local_keys["field_key"]
# HMAC keys of the audit chain by id, kept outside the database (JSON: {"a2": hex, "a1": hex}),
# and the id that new events are keyed with; every event records its key id.
if os.environ.get("JINENG_AUDIT_KEYS"):
    AUDIT_KEYS = json.loads(os.environ["JINENG_AUDIT_KEYS"])
    AUDIT_KEY_ID = os.environ.get("JINENG_AUDIT_KEY_ID") or (
        next(iter(AUDIT_KEYS)) if len(AUDIT_KEYS) == 1 else "")
else:
    AUDIT_KEYS, AUDIT_KEY_ID = _local_keys["audit_keys"], _local_keys["audit_key_id"]
if AUDIT_KEY_ID not in AUDIT_KEYS:
    raise ImproperlyConfigured("JINENG_AUDIT_KEY_ID 应为 JINENG_AUDIT_KEYS 中的一个密钥编号")
# Ed25519 private keys that sign certificates by id (JSON: {"c2": hex, "c1": hex}, the raw 32
# bytes), and the id new certificates are signed with; old ones verify with the key they name.
if os.environ.get("JINENG_CERTIFICATE_KEYS"):
    CERTIFICATE_KEYS = json.loads(os.environ["JINENG_CERTIFICATE_KEYS"])
    CERTIFICATE_KEY_ID = os.environ.get("JINENG_CERTIFICATE_KEY_ID") or (
        next(iter(CERTIFICATE_KEYS)) if len(CERTIFICATE_KEYS) == 1 else "")
else:
    CERTIFICATE_KEYS = _local_keys["certificate_keys"]
    CERTIFICATE_KEY_ID = _local_keys["certificate_key_id"]
if CERTIFICATE_KEY_ID not in CERTIFICATE_KEYS:
    raise ImproperlyConfigured(
        "JINENG_CERTIFICATE_KEY_ID 应为 JINENG_CERTIFICATE_KEYS 中的一个密钥编号")
# Rendered certificate PDFs, cached by number and status.
CERTIFICATE_PDF_DIR = DATA_DIR / "certificates"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("JINENG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("JINENG_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "jineng.core",
    "jineng.orgs",
    "jineng.people",
    "jineng.catalog",
    "jineng.training",
    "jineng.evaluation",
    "jineng.portal",
    "jineng.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jineng.core.middleware.EdgeMiddleware",  # control characters refused; CSP on every answer
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jineng.core.middleware.RequestContextMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jineng.orgs.middleware.UserLanguageMiddleware",
    "jineng.orgs.middleware.SecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "jineng.core.middleware.RefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "jineng.urls"
WSGI_APPLICATION = "jineng.wsgi.application"

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
                "jineng.orgs.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'jineng.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue on busy_timeout instead of failing mid-way.
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=10000;PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = ["jineng.orgs.backends.RoleBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "jineng.orgs.passwords.PolicyPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Idle timeout: the session cookie lives 30 minutes and is renewed on every request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# A roster file larger than this is refused before it is stored (pages and API).
JINENG_IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("JINENG_IMPORT_MAX_UPLOAD_BYTES",
                                                    200 * 1024 * 1024))
# The region the public catalogue opens on (a code): unset, the first region that publishes
# a training-subsidy catalogue (in one province's deployment, the province).
JINENG_PUBLIC_REGION = os.environ.get("JINENG_PUBLIC_REGION", "").strip()

# Rows written and committed (partial mode) together, each batch with its audit event.
JINENG_IMPORT_BATCH_ROWS = int(os.environ.get("JINENG_IMPORT_BATCH_ROWS", 10_000))
# A running import whose heartbeat is older than this lost its worker: it is marked failed.
JINENG_IMPORT_STALE_MINUTES = int(os.environ.get("JINENG_IMPORT_STALE_MINUTES", 10))

# Background tasks: the database backend and `jineng db_worker` by default; with
# JINENG_REDIS_URL (and `pip install '.[rq]'`) Redis queues and `jineng rqworker` on any
# number of machines. Imports have a queue of their own (TASK_QUEUES): a long import keeps
# only the import worker busy (`make demo` runs one worker for `imports` and one for the
# other queues; with RQ, `jineng rqworker imports` and `jineng rqworker default`).
TASK_QUEUES = ["default", "imports"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
REDIS_URL = os.environ.get("JINENG_REDIS_URL", "")
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    # RQ stops a job after DEFAULT_TIMEOUT seconds (180 unless set): a million rows take longer.
    RQ_QUEUES = {"default": {"URL": REDIS_URL},
                 "imports": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 4 * 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JINENG_LOG_LEVEL", "WARNING")},
}

if not DEBUG:
    # JINENG_HTTPS=0: plain HTTP on this machine (`make demo`): the production pages (Chinese
    # 404/500, no debug page) without the HTTPS redirect, HSTS and HTTPS-only cookies.
    _https = env_bool("JINENG_HTTPS", True)
    SECURE_SSL_REDIRECT = env_bool("JINENG_SSL_REDIRECT", _https)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000 if _https else 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
    SECURE_HSTS_PRELOAD = _https
    SESSION_COOKIE_SECURE = _https
    CSRF_COOKIE_SECURE = _https
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
