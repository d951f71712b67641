"""Settings of the messenger site («Парта»: educational profiles, chats and calls)."""

from parta.common.settings_base import *  # noqa: F403
from parta.common.settings_base import (
    COMMON_APPS,
    DATA_DIR,
    FRONTEND_BUILD_DIR,
    REDIS_URL,
    SECRET_KEY,
    database_from_env,
    require_secret_key,
    storages_from_env,
    templates,
)

require_secret_key(SECRET_KEY)

SITE_NAME = "messenger"
ROOT_URLCONF = "parta.messenger.urls"
ASGI_APPLICATION = "parta.messenger.asgi.application"

INSTALLED_APPS = [
    "parta.messenger.web",
    *COMMON_APPS,
    "channels",
    "huey.contrib.djhuey",
    "parta.messenger.accounts",
    "parta.messenger.orgs",
    "parta.messenger.chats",
    "parta.messenger.realtime",
    "parta.messenger.chatui",
    "parta.messenger.calls",
    "parta.messenger.boards",
    "parta.messenger.recordings",
]
AUTH_USER_MODEL = "messenger_accounts.Profile"

DATABASES = {"default": database_from_env("messenger")}
TEMPLATES = templates(["parta.messenger.web.context_processors.layout"])
STATIC_ROOT = DATA_DIR / "static" / "messenger"
STATICFILES_DIRS = [("bundles", FRONTEND_BUILD_DIR / SITE_NAME)]  # the front end, built from web/
MEDIA_ROOT = DATA_DIR / "media" / "messenger"
STORAGES = storages_from_env("messenger")  # the filesystem; an S3-compatible bucket by PARTA_S3_* (issue 11)
SESSION_COOKIE_NAME = "parta_messenger_session"
CSRF_COOKIE_NAME = "parta_messenger_csrftoken"

# Channel layer (real time, docs/realtime-protocol.md): Redis when REDIS_URL is set (several processes), in-memory
# otherwise (one process). It only carries wake-ups and typing: events themselves are in the database, so Redis's
# pub/sub (at most once, no queues in Redis) is enough, and it fans a chat's wake-up out once per process.
import os  # noqa: E402

_CHANNELS_PREFIX = os.environ.get("PARTA_CHANNELS_PREFIX", "asgi")  # Redis key prefix: deployments sharing a Redis
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # A ping every 30 s on an idle subscription: a connection dropped on the way is noticed (and its
                # subscriptions renewed) instead of silently ending live delivery for the whole process.
                "hosts": [{"address": REDIS_URL, "socket_connect_timeout": 5, "health_check_interval": 30}],
                "prefix": _CHANNELS_PREFIX,
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        # channels' in-memory layer, without its per-call sweep of every group (quadratic in a big chat's fan-out)
        "default": {
            "BACKEND": "parta.messenger.realtime.layers.FanoutInMemoryChannelLayer",
            # A connection busy sending a long backlog queues its wake-ups; past this many they are dropped, which
            # costs it a database read on the next one, never an event.
            "CONFIG": {"capacity": 1_000},
        }
    }

# Every real-time event is checked against its type's schema before it is stored (realtime/events.py, ADR 0017): about
# 10 µs for a message. PARTA_VALIDATE_EVENTS=0 skips the payload check; a type that is not registered is always refused.
from parta.common.settings_base import env_bool  # noqa: E402

REALTIME_VALIDATE_EVENTS = env_bool("PARTA_VALIDATE_EVENTS", default=True)

# ---------------------------------------------------------------------------------------------------------------------
# Accounts (issue 3: A1, A2, A6): sign-in by one-time code, code delivery, device sessions. Owned by the accounts app.
# ---------------------------------------------------------------------------------------------------------------------
import os  # noqa: E402

from parta.common.settings_base import MIDDLEWARE, env_bool  # noqa: E402

LOGIN_URL = "/"  # the home page is the sign-in screen
LOGIN_REDIRECT_URL = "/chats/"

# Each signed-in device is a DeviceSession row; the middleware refreshes its "last seen" at most once a minute.
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "parta.messenger.accounts.middleware.DeviceSessionMiddleware",
)
ACCOUNTS_DEVICE_TOUCH_SECONDS = 60  # "last seen" is written at most once a minute per device

# One-time codes (A6). Tighten, never loosen, without reading docs/adr on sign-in.
ACCOUNTS_CODE_TTL_SECONDS = 300  # a code lives 5 minutes
ACCOUNTS_CODE_MAX_ATTEMPTS = 5  # wrong tries per code; then the code is burnt
ACCOUNTS_CODE_RESEND_SECONDS = 60  # pause before another code to the same phone or address
ACCOUNTS_CODES_PER_CONTACT_HOUR = 5  # codes per phone or address per hour
ACCOUNTS_CODES_PER_IP_HOUR = 20  # codes per client address per hour
ACCOUNTS_SIGNUP_WINDOW_SECONDS = 900  # time to fill in the new-profile form after the code
ACCOUNTS_EMAIL_MAX_AGE = 14  # an e-mail instead of a phone only for children younger than this

# SMS: the development inbox (/dev/inbox/ when DEBUG, and the log) unless an HTTP provider is configured.
SMS_HTTP_URL = os.environ.get("PARTA_SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = os.environ.get("PARTA_SMS_HTTP_TOKEN", "")
SMS_HTTP_SENDER = os.environ.get("PARTA_SMS_SENDER", "Parta")
SMS_HTTP_TIMEOUT = float(os.environ.get("PARTA_SMS_HTTP_TIMEOUT", "10"))
SMS_GATEWAY = (
    "parta.messenger.accounts.gateways.HttpSmsGateway"
    if SMS_HTTP_URL
    else "parta.messenger.accounts.gateways.DevInboxSmsGateway"
)

# E-mail: SMTP when PARTA_EMAIL_HOST is set, else the development inbox (stored like SMS codes, and logged).
EMAIL_HOST = os.environ.get("PARTA_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("PARTA_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("PARTA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PARTA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("PARTA_EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("PARTA_EMAIL_USE_SSL")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("PARTA_EMAIL_FROM", "Парта <no-reply@localhost>")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "parta.messenger.accounts.mail.DevInboxEmailBackend"
)

# --- Chats: attachment limits (bytes). A reverse proxy in front should cap request bodies at the largest one.
CHATS_MAX_FILE_BYTES = int(os.environ.get("PARTA_CHATS_MAX_FILE_BYTES", 20 * 1024 * 1024))
CHATS_MAX_PHOTO_BYTES = int(os.environ.get("PARTA_CHATS_MAX_PHOTO_BYTES", 10 * 1024 * 1024))
CHATS_MAX_AUDIO_BYTES = int(os.environ.get("PARTA_CHATS_MAX_AUDIO_BYTES", 20 * 1024 * 1024))
CHATS_MAX_VIDEO_BYTES = int(os.environ.get("PARTA_CHATS_MAX_VIDEO_BYTES", 100 * 1024 * 1024))
CHATS_MAX_ATTACHMENTS = 10
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # larger uploads stream to temporary files

# ---------------------------------------------------------------------------------------------------------------------
# Integration (issue 4: L1–L6, A5, C1–C3): the public API for journals (/integration/v1/), the OAuth 2.0 + OpenID
# Connect provider (/o/, django-oauth-toolkit) and signed webhooks to journals. Owned by the integration app.
# ---------------------------------------------------------------------------------------------------------------------
from parta.common.settings_base import MESSENGER_URL  # noqa: E402
from parta.messenger.integration.keys import oidc_rsa_private_key  # noqa: E402

INSTALLED_APPS += ["oauth2_provider", "parta.messenger.integration"]
# Named explicitly: migrations that point at the toolkit's (swappable) application model resolve it from settings.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    # PARTA_OIDC_RSA_KEY (a PEM), else a key generated once into the data folder and kept: tokens stay verifiable
    # across restarts, and every process of one deployment signs with the same key.
    "OIDC_RSA_PRIVATE_KEY": oidc_rsa_private_key(DATA_DIR),
    "OIDC_ISS_ENDPOINT": f"{MESSENGER_URL}/o",  # the issuer does not depend on the Host a request came with
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "PKCE_REQUIRED": True,
    "SCOPES_BACKEND_CLASS": "parta.messenger.integration.oauth.IntegrationScopes",
    "OAUTH2_VALIDATOR_CLASS": "parta.messenger.integration.oauth.IntegrationValidator",
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 120,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REQUEST_APPROVAL_PROMPT": "force",  # the consent screen every time: linking is rare and must be deliberate
    # RFC 9700 (OAuth 2.0 security best practice): S256 only, no implicit or password grants, tokens in headers only,
    # `iss` in the authorization response, token values not stored at rest (only their checksums).
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}
INTEGRATION_WEBHOOK_TIMEOUT = float(os.environ.get("PARTA_WEBHOOK_TIMEOUT", "5"))  # seconds per delivery attempt
INTEGRATION_WEBHOOK_MAX_ATTEMPTS = 20  # then the delivery is marked failed (about ten hours of retries)

# ---------------------------------------------------------------------------------------------------------------------
# Calls (issue 5: V1–V5, V8–V10, B2) through Janus VideoRoom. Owned by the calls app (docs/calls.md).
# ---------------------------------------------------------------------------------------------------------------------
import hashlib  # noqa: E402
import hmac as _hmac  # noqa: E402
import json  # noqa: E402


def _derived_secret(purpose: str) -> str:
    """A development secret made from SECRET_KEY: run_janus writes the same into Janus's config."""
    return _hmac.new(SECRET_KEY.encode(), f"parta-janus-{purpose}".encode(), hashlib.sha256).hexdigest()[:40]


# Janus servers: a JSON list of {"name", "url" (HTTP API, as the messenger reaches it), "public_url" (as browsers
# reach it; default: url), "admin_key", "token_secret", "admin_url" and "admin_secret" (Janus's admin API, optional:
# lets the messenger cut off a removed participant's subscriptions)}. A new call goes to the least loaded reachable
# one. The default is the one that `python -m parta.messenger run_janus` starts on loopback.
CALLS_JANUS_HTTP_PORT = int(os.environ.get("PARTA_JANUS_HTTP_PORT", "8188"))
CALLS_JANUS_SERVERS = json.loads(os.environ.get("PARTA_JANUS_SERVERS", "null")) or [
    {
        "name": "local",
        "url": f"http://127.0.0.1:{CALLS_JANUS_HTTP_PORT}/janus",
        "admin_key": os.environ.get("PARTA_JANUS_ADMIN_KEY", _derived_secret("admin-key")),
        "token_secret": os.environ.get("PARTA_JANUS_TOKEN_SECRET", _derived_secret("token-secret")),
        "admin_url": f"http://127.0.0.1:{CALLS_JANUS_HTTP_PORT + 1}/admin",
        "admin_secret": os.environ.get("PARTA_JANUS_ADMIN_SECRET", _derived_secret("admin-secret")),
    }
]
CALLS_JANUS_TIMEOUT = float(os.environ.get("PARTA_JANUS_TIMEOUT", "5"))  # seconds per request to a Janus server
CALLS_ICE_SERVERS = json.loads(os.environ.get("PARTA_CALLS_ICE_SERVERS", "[]"))  # e.g. your coturn; never public STUN
CALLS_EARLY_JOIN_SECONDS = int(os.environ.get("PARTA_CALLS_EARLY_JOIN_SECONDS", str(10 * 60)))  # before the lesson
CALLS_GRACE_SECONDS = int(os.environ.get("PARTA_CALLS_GRACE_SECONDS", str(10 * 60)))  # after the lesson's end
CALLS_EMPTY_END_SECONDS = int(os.environ.get("PARTA_CALLS_EMPTY_END_SECONDS", str(5 * 60)))  # a chat call, nobody in
CALLS_HEARTBEAT_SECONDS = 15  # the call page reports every this often; 4 missed beats and the person has left
CALLS_MAX_PUBLISHERS = 100
# Call recordings (docs/recording.md): Janus writes each recording's .mjr files into <this>/<room id>/<recording id>;
# the Janus process must be able to write here (the same machine, or a shared mount at the same path).
CALLS_RECORDINGS_DIR = str(os.environ.get("PARTA_CALLS_RECORDINGS_DIR") or DATA_DIR / "recordings")

# The whiteboard of a call (docs/board.md): one Yjs update at most this big, a document (snapshot and log) at most this
# big; the log is merged into the snapshot past this many rows (and when the call ends); awareness frames (cursors).
BOARDS_MAX_UPDATE_BYTES = int(os.environ.get("PARTA_BOARDS_MAX_UPDATE_BYTES", str(256 * 1024)))
BOARDS_MAX_DOCUMENT_BYTES = int(os.environ.get("PARTA_BOARDS_MAX_DOCUMENT_BYTES", str(16 * 1024 * 1024)))
BOARDS_COMPACT_AFTER = int(os.environ.get("PARTA_BOARDS_COMPACT_AFTER", "500"))
BOARDS_MAX_AWARENESS_BYTES = 4_096
# Backgrounds (a PDF's pages or an image put on the board) and the board's PDF (docs/board.md "Backgrounds").
BOARDS_MAX_BACKGROUND_BYTES = int(os.environ.get("PARTA_BOARDS_MAX_BACKGROUND_BYTES", str(20 * 1024 * 1024)))
BOARDS_MAX_PDF_PAGES = int(os.environ.get("PARTA_BOARDS_MAX_PDF_PAGES", "30"))
BOARDS_MAX_PAGES = int(os.environ.get("PARTA_BOARDS_MAX_PAGES", "60"))
BOARDS_MAX_IMAGE_PIXELS = 50_000_000  # an image past this is refused before it is decoded (a decompression bomb)
BOARDS_PAGE_IMAGE_SIDE = 2000  # px, the long side of a PDF page's picture and of a background image
BOARDS_PDF_FONT = os.environ.get("PARTA_BOARDS_PDF_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# ---------------------------------------------------------------------------------------------------------------------
# Background work (issue 11): Huey, as the journal has it — Redis when configured, else a SQLite file in the data
# folder; `python -m parta.messenger run_huey` (run.sh). Its first job is turning a call's recording into one video
# (parta/messenger/recordings, docs/recording.md "Processing"): one recording is one long ffmpeg run, so at most two
# run at once (the machine's two cores); the rest wait in the queue.
# ---------------------------------------------------------------------------------------------------------------------
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "parta-messenger", "url": REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "parta-messenger",
        "filename": str(DATA_DIR / "messenger-tasks.sqlite3"),
        "immediate": False,
    }
HUEY["consumer"] = {
    "workers": max(1, min(2, int(os.environ.get("PARTA_MESSENGER_WORKERS", "2")))),
    "worker_type": "thread",
    "max_delay": 1.0,  # an idle consumer polls at most a second apart: a stopped recording starts at once
}

# Processing a recording: janus-pp-rec (package janus-tools) and ffmpeg/ffprobe (package ffmpeg). The intermediate
# files live in RECORDINGS_WORK_DIR/<recording> (kept until the video is stored, so a resumed job reuses them).
from pathlib import Path  # noqa: E402

RECORDINGS_JANUS_PP_REC = os.environ.get("PARTA_JANUS_PP_REC", "janus-pp-rec")
RECORDINGS_FFMPEG = os.environ.get("PARTA_FFMPEG", "ffmpeg")
RECORDINGS_FFPROBE = os.environ.get("PARTA_FFPROBE", "ffprobe")
RECORDINGS_WORK_DIR = Path(os.environ.get("PARTA_RECORDINGS_WORK_DIR", str(DATA_DIR / "recordings-work")))
RECORDINGS_PROCESSING_TIMEOUT = int(os.environ.get("PARTA_RECORDINGS_PROCESSING_TIMEOUT", str(4 * 3600)))  # s
RECORDINGS_STALE_SECONDS = 120  # a job whose heartbeat is older than this is taken for dead and requeued
RECORDINGS_MAX_ATTEMPTS = 3  # then the recording is marked failed
RECORDINGS_FFMPEG_THREADS = int(os.environ.get("PARTA_RECORDINGS_FFMPEG_THREADS", "2"))
RECORDINGS_KEEP_SOURCES = env_bool("PARTA_RECORDINGS_KEEP_SOURCES")  # keep the .mjr files after the video is made
