from django.urls import path

from parta.messenger.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.start, name="start"),
    path("sign-in/code/", views.code, name="code"),
    path("sign-in/code/resend/", views.resend, name="resend"),
    path("sign-in/profile/", views.new_profile, name="new_profile"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("profile/", views.profile, name="profile"),
    path("profile/devices/<int:device_id>/end/", views.end_device, name="end_device"),
    path("profile/devices/end-others/", views.end_other_devices, name="end_other_devices"),
    path("terms/", views.terms, name="terms"),
    path("privacy/", views.privacy, name="privacy"),
    path("dev/inbox/", views.dev_inbox, name="dev_inbox"),
]
