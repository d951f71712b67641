"""Settings of the journal site (электронный журнал и дневник)."""

from parta.common.settings_base import *  # noqa: F403
from parta.common.settings_base import (
    COMMON_APPS,
    DATA_DIR,
    DEBUG,
    REDIS_URL,
    SECRET_KEY,
    database_from_env,
    require_secret_key,
    templates,
)

require_secret_key(SECRET_KEY)

SITE_NAME = "journal"
ROOT_URLCONF = "parta.journal.urls"
ASGI_APPLICATION = "parta.journal.asgi.application"
AUTH_USER_MODEL = "journal_accounts.User"

INSTALLED_APPS = [
    "parta.journal.web",  # first: its templates override the admin's base
    *COMMON_APPS,
    "huey.contrib.djhuey",
    "parta.journal.accounts",
    "parta.journal.school",
    "parta.journal.timetable",
    "parta.journal.gradebook",
    "parta.journal.diary",
    "parta.journal.imports",
    "parta.journal.demo",
]

DATABASES = {"default": database_from_env("journal")}
TEMPLATES = templates(["parta.journal.web.context_processors.layout"])
STATIC_ROOT = DATA_DIR / "static" / "journal"
MEDIA_ROOT = DATA_DIR / "media" / "journal"
SESSION_COOKIE_NAME = "parta_journal_session"
CSRF_COOKIE_NAME = "parta_journal_csrftoken"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# The class journal's marks form posts one field per student and lesson column.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# Background work: Redis when configured, else a SQLite file next to the database.
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "parta-journal", "url": REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "parta-journal",
        "filename": str(DATA_DIR / "journal-tasks.sqlite3"),
        "immediate": False,
    }
HUEY["consumer"] = {"workers": 2, "worker_type": "thread"}

DEBUG_PROPAGATE_EXCEPTIONS = False
_ = DEBUG
