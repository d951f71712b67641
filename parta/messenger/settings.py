"""Settings of the messenger site («Парта»: educational profiles, chats and calls)."""

from parta.common.settings_base import *  # noqa: F403
from parta.common.settings_base import (
    COMMON_APPS,
    DATA_DIR,
    SECRET_KEY,
    database_from_env,
    require_secret_key,
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
    "parta.messenger.accounts",
    "parta.messenger.orgs",
    "parta.messenger.chats",
    "parta.messenger.realtime",
]
AUTH_USER_MODEL = "messenger_accounts.Profile"

DATABASES = {"default": database_from_env("messenger")}
TEMPLATES = templates(["parta.messenger.web.context_processors.layout"])
STATIC_ROOT = DATA_DIR / "static" / "messenger"
MEDIA_ROOT = DATA_DIR / "media" / "messenger"
SESSION_COOKIE_NAME = "parta_messenger_session"
CSRF_COOKIE_NAME = "parta_messenger_csrftoken"

# Channel layer: Redis when REDIS_URL is set (several processes), in-memory otherwise (one process).
from parta.common.settings_base import REDIS_URL  # noqa: E402

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
