"""Distance lessons (V1, V3, V9, V10, B2): a timetable lesson held as a call in the messenger.

The call itself lives in the messenger (docs/calls.md); the journal keeps which call belongs to which lesson, whether
it has ended (the webhook `call.ended`), and who attended, to offer the teacher the lesson's absences.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parta.journal.timetable.models import Lesson


class DistanceStatus(models.TextChoices):
    LIVE = "live", _("live")
    ENDED = "ended", _("ended")


class DistanceLesson(models.Model):
    """The messenger's call for one lesson; at most one per lesson (the messenger's request is idempotent too)."""

    lesson = models.OneToOneField(Lesson, on_delete=models.CASCADE, related_name="distance", verbose_name=_("lesson"))
    call_id = models.CharField(_("call in the messenger"), max_length=64)
    url = models.URLField(_("call page"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=DistanceStatus.choices, default=DistanceStatus.LIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=50, blank=True)
    # CallAttendance dicts (parta.common.integration.schemas): person_id, seconds, first_joined_at, last_left_at.
    attendance = models.JSONField(_("attendance"), default=list, blank=True)
    attendance_applied_at = models.DateTimeField(_("absences marked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("distance lesson")
        verbose_name_plural = _("distance lessons")
        indexes = [models.Index(fields=["call_id"], name="distance_call_id")]

    def __str__(self) -> str:
        return f"{self.lesson_id}: {self.call_id}"

    @property
    def is_ended(self) -> bool:
        return self.status == DistanceStatus.ENDED


class CatchUpStatus(models.TextChoices):
    WAITING = "waiting", _("waiting for the end of the lesson")
    SENT = "sent", _("sent")
    OFF = "off", _("turned off by the teacher")
    FAILED = "failed", _("not sent")


class CatchUp(models.Model):
    """A recording of the lesson's call (webhook `call.recording_ready`) and its catch-up pack: the messenger sends the
    recording, the topic and the homework to the students who missed the lesson (issue 11 point 5)."""

    distance = models.ForeignKey(
        DistanceLesson, on_delete=models.CASCADE, related_name="catch_ups", verbose_name=_("distance lesson")
    )
    recording_id = models.CharField(_("recording in the messenger"), max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=CatchUpStatus.choices, default=CatchUpStatus.WAITING)
    absent = models.PositiveIntegerField(_("absent students"), default=0)
    sent = models.PositiveIntegerField(_("students who got the recording"), default=0)
    skipped = models.PositiveIntegerField(_("students without a linked profile"), default=0)
    parents_notified = models.PositiveIntegerField(_("parents notified"), default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("catch-up pack")
        verbose_name_plural = _("catch-up packs")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.distance_id}: {self.recording_id} ({self.status})"
