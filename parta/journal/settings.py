"""Settings of the journal site (электронный журнал и дневник)."""

from parta.common.settings_base import *  # noqa: F403
from parta.common.settings_base import (
    COMMON_APPS,
    DATA_DIR,
    DEBUG,
    FRONTEND_BUILD_DIR,
    LOGGING,
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
STATICFILES_DIRS = [("bundles", FRONTEND_BUILD_DIR / SITE_NAME)]  # the front end, built from web/
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

# ---------------------------------------------------------------------------------------------------------------------
# Linking with the messenger (issue 4: L1–L6, C2, C3) — parta/journal/messenger_link. The journal is one registered
# client of the messenger's integration API (docs/integration-api.md): OAuth 2.0 + PKCE + OpenID Connect to link a
# person, the client credentials grant of the same client for server calls (roster, subject chats, unlinking), and
# signed webhooks back to /messenger/webhook/. The messenger's address is MESSENGER_URL (PARTA_MESSENGER_URL).
# ---------------------------------------------------------------------------------------------------------------------
import os  # noqa: E402
from typing import Any, cast  # noqa: E402

INSTALLED_APPS += ["parta.journal.messenger_link"]

# The journal's credentials in the messenger (`python -m parta.messenger register_journal`; run.sh: the demo's).
# Outside debugging they must come from the environment: without them linking and roster delivery stay off (the
# outbox keeps everything until they are set), rather than run with secrets everyone knows.
_DEV_LINK = DEBUG  # run.sh exports the same development values explicitly
MESSENGER_CLIENT_ID = os.environ.get("PARTA_MESSENGER_CLIENT_ID", "parta-journal" if _DEV_LINK else "")
MESSENGER_CLIENT_SECRET = os.environ.get(
    "PARTA_MESSENGER_CLIENT_SECRET", "parta-journal-development-secret" if _DEV_LINK else ""
)
MESSENGER_WEBHOOK_SECRET = os.environ.get(
    "PARTA_MESSENGER_WEBHOOK_SECRET", "parta-journal-development-webhook-secret" if _DEV_LINK else ""
)
# Server-to-server calls: a page that asks the messenger waits at most this long, then says it is unavailable.
MESSENGER_CONNECT_TIMEOUT = float(os.environ.get("PARTA_MESSENGER_CONNECT_TIMEOUT", "3"))
MESSENGER_TIMEOUT = float(os.environ.get("PARTA_MESSENGER_TIMEOUT", "10"))
# The outbox (roster changes, subject chats): the worker looks for due rows every POLL seconds and is also woken on
# commit; a failed delivery is retried after 1, 2, 4 … seconds, at most RETRY_MAX apart; a worker delivering a school
# holds it for LEASE seconds at most (another worker takes over after a crash).
MESSENGER_OUTBOX_POLL_SECONDS = float(os.environ.get("PARTA_MESSENGER_OUTBOX_POLL_SECONDS", "2"))
MESSENGER_OUTBOX_RETRY_MAX_SECONDS = float(os.environ.get("PARTA_MESSENGER_OUTBOX_RETRY_MAX_SECONDS", "30"))
MESSENGER_OUTBOX_LEASE_SECONDS = 60
# An idle Huey consumer polls its queue ever more slowly (up to 10 s): a change's wake-up should not wait that long.
cast(dict[str, Any], HUEY["consumer"])["max_delay"] = 1.0
# Not a log line per request to the messenger (a copy: the shared dict in settings_base stays as it is).
LOGGING = {**LOGGING, "loggers": {**cast(dict[str, Any], LOGGING["loggers"]), "httpx": {"level": "WARNING"}}}

# ---------------------------------------------------------------------------------------------------------------------
# Distance lessons (issue 5: V1, V3, V9, V10, B2) — parta/journal/distance: a lesson's call (docs/calls.md).
# Students may enter EARLY_JOIN seconds before the lesson (the messenger's CALLS_EARLY_JOIN_SECONDS); the call ends
# GRACE seconds after the lesson (its CALLS_GRACE_SECONDS), after which the journal shows the lesson as ended.
# ---------------------------------------------------------------------------------------------------------------------
INSTALLED_APPS += ["parta.journal.distance"]
DISTANCE_EARLY_JOIN_SECONDS = int(os.environ.get("PARTA_CALLS_EARLY_JOIN_SECONDS", str(10 * 60)))
DISTANCE_GRACE_SECONDS = int(os.environ.get("PARTA_CALLS_GRACE_SECONDS", str(10 * 60)))
