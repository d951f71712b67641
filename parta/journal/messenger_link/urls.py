from django.urls import path

from parta.journal.messenger_link import views

app_name = "messenger_link"
urlpatterns = [
    # The status page itself is web:messenger at /messenger/.
    path("messenger/start/", views.start, name="start"),
    path("messenger/link/", views.link_from_messenger, name="link"),
    path("messenger/relink/", views.relink, name="relink"),
    path("messenger/callback/", views.callback, name="callback"),
    path("messenger/resume/", views.resume, name="resume"),
    path("messenger/done/", views.done, name="done"),
    path("messenger/unlink/", views.unlink, name="unlink"),
    path("messenger/webhook/", views.webhook, name="webhook"),
    path("journal/chats/", views.chats, name="chats"),
    path("journal/chats/add/", views.add_chat, name="add_chat"),
]
