from django.urls import path

from parta.messenger.chatui import views

app_name = "chatui"
urlpatterns = [
    path("", views.chat_list, name="list"),
    path("<int:chat_id>/", views.chat, name="chat"),
    path("new/", views.new_chat, name="new"),
]
