from django.urls import path

from parta.messenger.calls import views

app_name = "calls"
urlpatterns = [
    path("<uuid:public_id>/", views.call_page, name="call"),
    path("lib/<str:name>", views.library, name="library"),
]
