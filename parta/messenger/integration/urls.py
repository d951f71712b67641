"""Pages of the integration: «Подключить дневник» (/connect/), unlinking, and the «Помощник» help page (/help/)."""

from django.urls import path

from parta.messenger.integration import views

app_name = "integration"
urlpatterns = [
    path("connect/", views.connect, name="connect"),
    path("connect/unlink/<int:link_id>/", views.unlink, name="unlink"),
    path("help/", views.helper, name="help"),
]
