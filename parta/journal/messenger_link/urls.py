from django.urls import path

from parta.journal.messenger_link.linking import views as linking
from parta.journal.messenger_link.subject_chats import views as subject_chats
from parta.journal.messenger_link.webhooks import views as webhooks

app_name = "messenger_link"
urlpatterns = [
    # The status page itself is web:messenger at /messenger/.
    path("messenger/start/", linking.start, name="start"),
    path("messenger/link/", linking.link_from_messenger, name="link"),
    path("messenger/relink/", linking.relink, name="relink"),
    path("messenger/callback/", linking.callback, name="callback"),
    path("messenger/resume/", linking.resume, name="resume"),
    path("messenger/done/", linking.done, name="done"),
    path("messenger/unlink/", linking.unlink, name="unlink"),
    path("messenger/webhook/", webhooks.webhook, name="webhook"),
    path("journal/chats/", subject_chats.chats, name="chats"),
    path("journal/chats/add/", subject_chats.add_chat, name="add_chat"),
]
