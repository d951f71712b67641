from django.urls import path

from parta.journal.distance import views

app_name = "distance"
urlpatterns = [
    path("journal/lessons/<int:lesson_id>/distance/", views.attendance, name="attendance"),
    path("journal/lessons/<int:lesson_id>/distance/create/", views.create, name="create"),
    path("journal/lessons/<int:lesson_id>/distance/absent/", views.mark_absent, name="mark_absent"),
    path("journal/lessons/<int:lesson_id>/distance/refresh/", views.refresh, name="refresh"),
    path("diary/lessons/<int:lesson_id>/distance/", views.diary_entry, name="diary_entry"),
]
