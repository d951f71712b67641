from django.contrib import admin
from django.urls import include, path

from parta.messenger.api import api
from parta.messenger.integration_api import integration_api

urlpatterns = [
    path("", include("parta.messenger.web.urls")),
    path("chats/", include("parta.messenger.chatui.urls")),
    path("calls/", include("parta.messenger.calls.urls")),  # the call page (docs/calls.md)
    path("", include("parta.messenger.chats.urls")),  # /join/<token>/ and attachment files
    path("api/v1/", api.urls),
    path("", include("parta.messenger.integration.urls")),  # /connect/, /help/
    path("o/", include("parta.messenger.integration.oauth_urls")),  # OAuth 2.0 + OpenID Connect (journals)
    path("integration/v1/", integration_api.urls),  # the integration API (docs/integration-api.md)
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
