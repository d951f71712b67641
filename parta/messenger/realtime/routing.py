from django.urls import path

websocket_urlpatterns: list = [
    # path("ws/", consumers.EventsConsumer.as_asgi()),  — added by the realtime work
]
_ = path
