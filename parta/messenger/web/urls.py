from django.urls import include, path

from parta.messenger.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("", include("parta.messenger.accounts.urls")),  # sign-in, profile, devices, legal pages: web:accounts:…
]
