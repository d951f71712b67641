from django.urls import path

from parta.journal.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("messenger/", views.messenger, name="messenger"),
    path("favicon.ico", views.favicon),
]
