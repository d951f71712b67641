"""The school's own data (J1): the school, its year and periods, classes, subjects, people and teaching load."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class School(models.Model):
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=255, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class AcademicYear(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="years", verbose_name=_("school"))
    name = models.CharField(_("name"), max_length=20, help_text="2026/2027")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="academic_year_unique_name"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="academic_year_dates"),
        ]

    def __str__(self) -> str:
        return self.name


class Period(models.Model):
    """A part of the year that marks are given for: a quarter (четверть) or a half-year."""

    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="periods", verbose_name=_("year"))
    name = models.CharField(_("name"), max_length=50)
    number = models.PositiveSmallIntegerField(_("number"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="period_unique_number"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="period_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year.name}"

    def contains(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class Subject(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="subjects", verbose_name=_("school"))
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="subject_unique_name")]

    def __str__(self) -> str:
        return self.name


class Teacher(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="teacher_roles",
        verbose_name=_("account"),
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="teachers", verbose_name=_("school"))
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "user"], name="teacher_unique_user"),
            models.UniqueConstraint(
                fields=["school", "external_id"],
                condition=~Q(external_id=""),
                name="teacher_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class SchoolClass(models.Model):
    """A class of one academic year, e.g. 7Б."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes", verbose_name=_("school"))
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="classes", verbose_name=_("year"))
    grade = models.PositiveSmallIntegerField(_("grade"))
    letter = models.CharField(_("letter"), max_length=5)
    class_teacher = models.ForeignKey(
        Teacher,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="home_classes",
        verbose_name=_("class teacher"),
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["grade", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "grade", "letter"], name="class_unique_name"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=11), name="class_grade_range"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"


class Student(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="student_roles",
        verbose_name=_("account"),
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="students", verbose_name=_("school"))
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="students", verbose_name=_("class")
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["user__last_name", "user__first_name", "user__patronymic"]
        constraints = [
            models.UniqueConstraint(fields=["school", "user"], name="student_unique_user"),
            models.UniqueConstraint(
                fields=["school", "external_id"],
                condition=~Q(external_id=""),
                name="student_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class ClassGroup(models.Model):
    """A part of a class taught separately, e.g. «Английский, группа 1»."""

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="groups", verbose_name=_("class")
    )
    name = models.CharField(_("name"), max_length=100)
    students = models.ManyToManyField(Student, related_name="groups", blank=True, verbose_name=_("students"))

    class Meta:
        verbose_name = _("class group")
        verbose_name_plural = _("class groups")
        ordering = ["school_class", "name"]
        constraints = [models.UniqueConstraint(fields=["school_class", "name"], name="group_unique_name")]

    def __str__(self) -> str:
        return f"{self.school_class.name}, {self.name}"


class Parent(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="parent_roles",
        verbose_name=_("account"),
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="parents", verbose_name=_("school"))
    children: models.ManyToManyField[Student, Guardianship] = models.ManyToManyField(
        Student, through="Guardianship", related_name="parents", verbose_name=_("children")
    )
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("parent")
        verbose_name_plural = _("parents")
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "user"], name="parent_unique_user"),
            models.UniqueConstraint(
                fields=["school", "external_id"],
                condition=~Q(external_id=""),
                name="parent_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class Guardianship(models.Model):
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="guardianships")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardianships")

    class Meta:
        verbose_name = _("parent and child")
        verbose_name_plural = _("parents and children")
        constraints = [models.UniqueConstraint(fields=["parent", "student"], name="guardianship_unique")]

    def __str__(self) -> str:
        return f"{self.parent} → {self.student}"


class SchoolAdmin(models.Model):
    """A person who manages one school's data in the admin."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="admin_roles",
        verbose_name=_("account"),
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="admins", verbose_name=_("school"))

    class Meta:
        verbose_name = _("school admin")
        verbose_name_plural = _("school admins")
        constraints = [models.UniqueConstraint(fields=["school", "user"], name="school_admin_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.school})"


class TeachingLoad(models.Model):
    """Who teaches what to whom: teacher × class × subject, optionally for one group of the class."""

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="load", verbose_name=_("teacher"))
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="load", verbose_name=_("class")
    )
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="load", verbose_name=_("subject"))
    group = models.ForeignKey(
        ClassGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="load",
        verbose_name=_("group"),
    )
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"), default=0)

    class Meta:
        verbose_name = _("teaching load")
        verbose_name_plural = _("teaching load")
        ordering = ["school_class", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "school_class", "subject"],
                condition=Q(group=None),
                name="load_unique_class",
            ),
            models.UniqueConstraint(
                fields=["teacher", "school_class", "subject", "group"],
                condition=~Q(group=None),
                name="load_unique_group",
            ),
        ]

    def __str__(self) -> str:
        target = str(self.group) if self.group_id else self.school_class.name
        return f"{self.teacher.user.short_name}: {self.subject}, {target}"
