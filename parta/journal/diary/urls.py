from django.urls import path

from parta.journal.diary import views

app_name = "diary"
urlpatterns = [
    path("", views.week, name="week"),
    path("<int:student_id>/", views.week, name="student_week"),
]
