"""Settings both sites share; each site's own settings module imports these and adds its apps.

Everything that differs between machines comes from the environment (12-factor).
"""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("PARTA_DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite files and the task queue's file live here


def database_from_env(site: str) -> dict[str, Any]:
    """The site's database: `<SITE>_DATABASE_URL`, else `DATABASE_URL`, else SQLite in the data folder.

    The two sites never share a database, so a deployment that runs both on one machine sets both
    `JOURNAL_DATABASE_URL` and `MESSENGER_DATABASE_URL`.
    """
    url = os.environ.get(f"{site.upper()}_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{DATA_DIR / f'{site}.sqlite3'}"
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL and a busy timeout let the web process and the worker share the file.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    config.setdefault("TEST", {})
    return config


DEBUG = env_bool("PARTA_DEBUG")
_dev_secret = "parta-development-only-secret-key-change-me"  # noqa: S105 - refused below outside DEBUG
SECRET_KEY = os.environ.get("PARTA_SECRET_KEY", _dev_secret if DEBUG else "")
ALLOWED_HOSTS = env_list("PARTA_ALLOWED_HOSTS", "127.0.0.1,localhost")

JOURNAL_URL = os.environ.get("PARTA_JOURNAL_URL", "http://127.0.0.1:8000").rstrip("/")
MESSENGER_URL = os.environ.get("PARTA_MESSENGER_URL", "http://127.0.0.1:8001").rstrip("/")
REDIS_URL = os.environ.get("REDIS_URL", "")

COMMON_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "parta.common.frontend",  # {% entry_script %}: the front end's built modules
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parta.common.middleware.SchoolLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def templates(context_processors: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [],
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.template.context_processors.i18n",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                    *context_processors,
                ],
            },
        }
    ]


AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "parta" / "locale"]
TIME_ZONE = os.environ.get("PARTA_TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def storages_from_env(site: str, environ: Mapping[str, str] = os.environ) -> dict[str, dict[str, Any]]:
    """STORAGES: the uploaded files (chat attachments, call recordings) on the filesystem (MEDIA_ROOT) by default, in
    an S3-compatible bucket when PARTA_S3_BUCKET is set (docs/recording.md, «Storage»).

    S3 is django-storages[s3] (boto3), tested against moto's S3 server (tests/messenger/recordings/test_storage_s3.py).
    A file opened for reading is fetched whole into a temporary file that spills to disk past 1 MiB (not memory).
    The files stay private (no ACL, signed URLs if anything asks for one): every download goes through
    the messenger's checked views, which read them through the storage API.
    """
    bucket = environ.get("PARTA_S3_BUCKET", "")
    if not bucket:
        return {**STORAGES}
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": environ.get("PARTA_S3_PREFIX", site),
        "endpoint_url": environ.get("PARTA_S3_ENDPOINT_URL") or None,  # MinIO, Yandex Object Storage, …
        "region_name": environ.get("PARTA_S3_REGION") or None,
        "access_key": environ.get("PARTA_S3_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("PARTA_S3_SECRET_ACCESS_KEY") or None,
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": int(environ.get("PARTA_S3_URL_SECONDS", "300")),
        "file_overwrite": False,
        "max_memory_size": 1024 * 1024,
    }
    return {**STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}}


WHITENOISE_USE_FINDERS = DEBUG
# The front end's build (scripts/build-web.mjs): build/static/<site>/, which each site serves under static/bundles/.
# Its file names carry esbuild's content hash (name-ABCDEFGH.js), Django's copies its own (name.0123456789ab.css):
# both kinds are cached forever.
FRONTEND_BUILD_DIR = Path(os.environ.get("PARTA_FRONTEND_BUILD_DIR", BASE_DIR / "build" / "static"))
WHITENOISE_IMMUTABLE_FILE_TEST = r"(\.[0-9a-f]{12}\.\w+|/bundles/.+-[A-Z2-7]{8}\.js)$"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PARTA_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # httpx logs every request's URL at INFO; Janus's long-poll URLs carry its API token.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}


def require_secret_key(secret_key: str) -> None:
    from django.core.exceptions import ImproperlyConfigured

    if not secret_key:
        raise ImproperlyConfigured("Set PARTA_SECRET_KEY (or PARTA_DEBUG=1 for a local trial).")
