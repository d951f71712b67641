from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("parta.journal.web.urls")),
    path("accounts/", include("parta.journal.accounts.urls")),
    path("", include("parta.journal.distance.urls")),  # /journal/lessons/<id>/distance/… and /diary/lessons/…
    path("journal/", include("parta.journal.gradebook.urls")),
    path("diary/", include("parta.journal.diary.urls")),
    path("", include("parta.journal.messenger_link.urls")),  # /messenger/… and /journal/chats/
    path("admin/import/", include("parta.journal.imports.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler403 = "parta.journal.web.views.forbidden"
handler404 = "parta.journal.web.views.not_found"
handler500 = "parta.journal.web.views.server_error"
