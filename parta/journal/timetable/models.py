"""The bell schedule, the weekly timetable and the dated lessons it produces."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parta.journal.school.models import (
    ClassGroup,
    Period,
    School,
    SchoolClass,
    Subject,
    Teacher,
    TeachingLoad,
)


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


class Bell(models.Model):
    """One line of the bell schedule: lesson number N runs from `starts_at` to `ends_at`."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="bells", verbose_name=_("school"))
    number = models.PositiveSmallIntegerField(_("lesson number"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))

    class Meta:
        verbose_name = _("bell")
        verbose_name_plural = _("bell schedule")
        ordering = ["school", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="bell_unique_number"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="bell_times"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class TimetableEntry(models.Model):
    """A weekly slot: on `weekday`, at bell `bell`, the load's teacher teaches it in `room`, during `period`."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="timetable", verbose_name=_("period"))
    load = models.ForeignKey(
        TeachingLoad, on_delete=models.CASCADE, related_name="timetable", verbose_name=_("teaching load")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    bell = models.ForeignKey(Bell, on_delete=models.PROTECT, related_name="+", verbose_name=_("bell"))
    room = models.CharField(_("room"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("timetable entry")
        verbose_name_plural = _("timetable")
        ordering = ["period", "weekday", "bell__number"]
        constraints = [
            models.UniqueConstraint(fields=["period", "load", "weekday", "bell"], name="timetable_unique_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()}, {self.bell.number}: {self.load}"


class LessonQuerySet(models.QuerySet["Lesson"]):
    def with_names(self) -> LessonQuerySet:
        return self.select_related("subject", "school_class", "group", "teacher__user")


class Lesson(models.Model):
    """One dated lesson. A substitution is the lesson's own data: `teacher` teaches it instead of `replaced_teacher`."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("school"))
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("class")
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="lessons", verbose_name=_("subject"))
    group = models.ForeignKey(
        ClassGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name=_("group"),
    )
    teacher = models.ForeignKey(Teacher, on_delete=models.PROTECT, related_name="lessons", verbose_name=_("teacher"))
    replaced_teacher = models.ForeignKey(
        Teacher,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaced_lessons",
        verbose_name=_("replaced teacher"),
        help_text=_("Set when another teacher takes this lesson (a substitution)."),
    )
    date = models.DateField(_("date"))
    number = models.PositiveSmallIntegerField(_("lesson number"), null=True, blank=True)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=30, blank=True)
    topic = models.CharField(_("topic"), max_length=500, blank=True)
    homework = models.TextField(_("homework"), blank=True)
    timetable_entry = models.ForeignKey(
        TimetableEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="lessons"
    )

    objects = LessonQuerySet.as_manager()

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["date", "starts_at"]
        indexes = [
            models.Index(fields=["school_class", "subject", "date"], name="lesson_class_subject_date"),
            models.Index(fields=["school_class", "date"], name="lesson_class_date"),
            models.Index(fields=["teacher", "date"], name="lesson_teacher_date"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["timetable_entry", "date"], name="lesson_unique_entry_date"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="lesson_times"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.starts_at:%H:%M} {self.subject}, {self.school_class}"

    @property
    def is_substitution(self) -> bool:
        return self.replaced_teacher_id is not None

    def starts(self) -> dt.datetime:
        from django.utils import timezone

        return dt.datetime.combine(self.date, self.starts_at, tzinfo=timezone.get_current_timezone())
