"""Marks and absences given on lessons (J2)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parta.journal.school.models import Student
from parta.journal.timetable.models import Lesson


class MarkKind(models.TextChoices):
    ANSWER = "answer", _("answer in class")
    TEST = "test", _("test")
    QUIZ = "quiz", _("quiz")
    HOMEWORK = "homework", _("homework")
    DICTATION = "dictation", _("dictation")
    ESSAY = "essay", _("essay")
    LAB = "lab", _("laboratory work")


class Mark(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="marks", verbose_name=_("lesson"))
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="marks", verbose_name=_("student"))
    value = models.PositiveSmallIntegerField(_("mark"))
    kind = models.CharField(_("kind"), max_length=20, choices=MarkKind.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        ordering = ["lesson", "student", "id"]
        indexes = [models.Index(fields=["student", "lesson"], name="mark_student_lesson")]
        constraints = [models.CheckConstraint(condition=Q(value__gte=1, value__lte=5), name="mark_value_range")]

    def __str__(self) -> str:
        return str(self.value)


class Absence(models.Model):
    """«Н» in the journal: the student was not at the lesson."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="absences", verbose_name=_("lesson"))
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="absences", verbose_name=_("student"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [models.UniqueConstraint(fields=["lesson", "student"], name="absence_unique")]

    def __str__(self) -> str:
        return "Н"
