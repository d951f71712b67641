"""WebSocket routes of the whiteboard (composed with realtime's by parta/messenger/asgi.py)."""

from django.urls import path

from parta.messenger.boards import consumers

# Without the slash too: y-websocket's WebsocketProvider opens `${serverUrl}/${roomname}`.
websocket_urlpatterns = [
    path("ws/boards/<uuid:public_id>/", consumers.BoardConsumer.as_asgi()),
    path("ws/boards/<uuid:public_id>", consumers.BoardConsumer.as_asgi()),
]
