"""Chats' pages outside the API: the invite page and attachment files (names in the "chats" namespace)."""

from django.urls import path

from parta.messenger.chats import views

app_name = "chats"
urlpatterns = [
    path("join/<str:token>/", views.join, name="join"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("attachments/<int:pk>/thumbnail/", views.attachment_thumbnail, name="attachment-thumbnail"),
]
