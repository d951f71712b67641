"""WebSocket routes of the messenger (mounted by parta/messenger/asgi.py behind the session authentication)."""

from django.urls import path

from parta.messenger.realtime import consumers

websocket_urlpatterns = [
    path("ws/", consumers.EventsConsumer.as_asgi()),
]
