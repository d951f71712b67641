"""ASGI entry point of the messenger site: HTTP through Django, WebSockets through Channels."""

import gc
import os

from django.core.asgi import get_asgi_application

# Fewer, cheaper collections: with 1,000 open connections a full collection paused fan-out for 100–190 ms
# (tests/bench/messenger, docs/performance.md).
gc.set_threshold(50_000, 20, 100)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parta.messenger.settings")
django_asgi = get_asgi_application()  # before importing anything that touches models

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from parta.messenger.boards.routing import websocket_urlpatterns as board_routes  # noqa: E402
from parta.messenger.realtime.routing import websocket_urlpatterns as realtime_routes  # noqa: E402

websocket_urlpatterns = [*realtime_routes, *board_routes]

application = ProtocolTypeRouter(
    {
        "http": django_asgi,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
