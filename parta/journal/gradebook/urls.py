from django.urls import path

from parta.journal.gradebook import views

app_name = "gradebook"
urlpatterns = [
    path("", views.index, name="index"),
    path("class/", views.class_journal, name="class_journal"),
    path("lessons/<int:lesson_id>/marks/", views.lesson_marks, name="lesson_marks"),
]
