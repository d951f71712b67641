from django.contrib import admin
from django.urls import include, path

from parta.messenger.api import api

urlpatterns = [
    path("", include("parta.messenger.web.urls")),
    path("chats/", include("parta.messenger.chatui.urls")),
    path("", include("parta.messenger.chats.urls")),  # /join/<token>/ and attachment files
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
