"""Calls (V1–V5, V8–V10, B2): online lessons bound to a journal's lesson, and calls started in a chat.

Media goes through a Janus VideoRoom (parta/messenger/calls/janus.py); this is what the messenger knows about a call:
who may join, who is in it, what each participant may do, and when each one was present (attendance).
Recording (issue 11: `Recording`, one per «Запись» press … stop, its `RecordingTrack`s = the .mjr files Janus wrote)
and breakout rooms hang off `Call` the same way.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parta.messenger.chats.models import Chat, Message
from parta.messenger.integration.models import Journal


class CallKind(models.TextChoices):
    LESSON = "lesson", _("online lesson")
    CHAT = "chat", _("call in a chat")


class CallStatus(models.TextChoices):
    LIVE = "live", _("live")
    ENDED = "ended", _("ended")


class EndReason(models.TextChoices):
    ADMIN = "admin", _("ended by the organizer")
    TIME = "time", _("the lesson's time is over")
    EMPTY = "empty", _("everyone left")
    SERVER = "server", _("the media server was lost")


class Call(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # in URLs and the API
    kind = models.CharField(_("kind"), max_length=10, choices=CallKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=CallStatus.choices, default=CallStatus.LIVE)
    title = models.CharField(_("name"), max_length=200)
    # The call's own chat (V5 "Чат"): a lesson call gets a new chat of kind "call" with the class; a chat call uses
    # the chat it was started in. Who may join is decided by membership of this chat (and `allow_anonymous`).
    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="calls")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_calls", verbose_name=_("organizer")
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The lesson's window (lesson calls): joining opens CALLS_EARLY_JOIN_SECONDS before `starts_at`; the call ends
    # CALLS_GRACE_SECONDS after `ends_at`. Chat calls have neither.
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=EndReason.choices, blank=True)
    allow_anonymous = models.BooleanField(_("guests may join by link"), default=False)
    # What everyone may do (V8); a participant's own setting overrides these. The organizer may always do all.
    allow_screen = models.BooleanField(_("screen sharing"), default=True)
    allow_microphone = models.BooleanField(_("microphone"), default=True)
    allow_camera = models.BooleanField(_("camera"), default=True)
    # Issue 11: after a recorded lesson the absent students get the recording (the teacher may turn it off).
    catch_up_enabled = models.BooleanField(_("send the recording to the absent"), default=True)
    # Where the media is: a Janus server of settings.CALLS_JANUS_SERVERS (by name) and its VideoRoom.
    server_name = models.CharField(max_length=50, blank=True)
    room_id = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    room_secret = models.CharField(max_length=64, blank=True)
    # A lesson call: the journal's lesson (its ids as the journal sent them, parta.common.integration.schemas).
    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, null=True, blank=True, related_name="calls")
    school_external_id = models.CharField(max_length=64, blank=True)
    lesson_external_id = models.CharField(max_length=64, blank=True)
    class_external_id = models.CharField(max_length=64, blank=True)
    teacher_external_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-created_at"]
        constraints = [
            # V10: one live lesson call per teacher, held by the database under concurrent "Создать".
            models.UniqueConstraint(
                fields=["created_by"],
                condition=Q(status="live", kind="lesson"),
                name="calls_one_live_lesson_per_organizer",
            ),
            # One call per journal lesson: asking again returns it.
            models.UniqueConstraint(
                fields=["journal", "lesson_external_id"],
                condition=Q(kind="lesson"),
                name="calls_one_call_per_lesson",
            ),
            # One live call per chat: "Позвонить" in a chat with a live call joins it.
            models.UniqueConstraint(
                fields=["chat"], condition=Q(status="live", kind="chat"), name="calls_one_live_call_per_chat"
            ),
        ]
        indexes = [models.Index(fields=["status", "ends_at"], name="calls_live_by_end")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_live(self) -> bool:
        return self.status == CallStatus.LIVE


class Participant(models.Model):
    """A person (or a guest, `profile` empty) who has joined the call at least once."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="participants")
    profile = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="call_participations"
    )
    display_name = models.CharField(max_length=200)
    is_admin = models.BooleanField(default=False)
    # Janus: the publisher feed ids the messenger assigned (camera/microphone, and the screen), and the one-time room
    # tokens (VideoRoom "allowed" list) not yet used. A token leaves the list once its join is confirmed.
    feed_id = models.PositiveBigIntegerField(null=True, blank=True)
    screen_feed_id = models.PositiveBigIntegerField(null=True, blank=True)
    # The whiteboard's canvas published as a feed of its own (the organizer's page, while recording with it open).
    board_feed_id = models.PositiveBigIntegerField(null=True, blank=True)
    pending_tokens = models.JSONField(default=list, blank=True)
    # V8: None = the call's setting for everyone.
    may_screen = models.BooleanField(null=True, blank=True)
    may_microphone = models.BooleanField(null=True, blank=True)
    may_camera = models.BooleanField(null=True, blank=True)
    # Issue 11: None = only the organizer may start and stop recording.
    may_record = models.BooleanField(null=True, blank=True)
    # State as the participant's client reports it (and the organizer's mutes force it off).
    microphone_on = models.BooleanField(default=False)
    camera_on = models.BooleanField(default=False)
    screen_on = models.BooleanField(default=False)
    hand_raised_at = models.DateTimeField(null=True, blank=True)
    # Moves on every organizer action that turns something of this participant off (a mute, a withdrawn permission).
    # A heartbeat names the number its page last saw: an older one cannot turn back on what was turned off since.
    moderation_seq = models.PositiveIntegerField(default=0)
    is_present = models.BooleanField(default=False)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)  # removed by the organizer: may not join again
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["call", "profile"], condition=Q(profile__isnull=False), name="calls_participant_once"
            )
        ]
        indexes = [models.Index(fields=["is_present", "last_seen_at"], name="calls_present_by_seen")]

    def __str__(self) -> str:
        return self.display_name


class Presence(models.Model):
    """One stretch of a participant being in the call (B2 attendance): from joining until leaving."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="presences")
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at"]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.joined_at:%H:%M}–{self.left_at:%H:%M}" if self.left_at else str(self.pk)


class RecordingStatus(models.TextChoices):
    RECORDING = "recording", _("recording")
    PROCESSING = "processing", _("processing")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")
    DELETED = "deleted", _("deleted")


class RecordingErrorCode(models.TextChoices):
    JANUS_FILES_MISSING = "janus_files_missing", _("the media server's files are missing")
    STREAM_BROKEN = "stream_broken", _("a stream is broken")
    DISK_FULL = "disk_full", _("the disk is full")
    PROCESSING_FAILED = "processing_failed", _("processing failed")


class Recording(models.Model):
    """One recording of a call: from a «Запись» press until its stop (a call may have several).

    Janus writes one .mjr file per stream into `folder` (docs/recording.md); on stop the files become
    `RecordingTrack`s and the recordings app's worker turns them into one video in the call's chat.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="recordings")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=RecordingStatus.choices, default=RecordingStatus.RECORDING)
    # The absolute directory Janus writes this recording's .mjr files into:
    # settings.CALLS_RECORDINGS_DIR/<room id>/<public_id>.
    folder = models.CharField(max_length=500)
    progress = models.PositiveSmallIntegerField(default=0)  # 0..100 while processing
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the worker touches it; stale => requeued
    attempts = models.PositiveSmallIntegerField(default=0)
    error_code = models.CharField(max_length=30, choices=RecordingErrorCode.choices, blank=True)
    # The chat message: the progress text, then the video.
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    catch_up_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        ordering = ["started_at"]
        constraints = [
            # One recording running per call at a time, held by the database under concurrent «Запись».
            models.UniqueConstraint(
                fields=["call"], condition=Q(status="recording"), name="calls_one_active_recording_per_call"
            )
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="calls_recording_by_status")]

    def __str__(self) -> str:
        return f"{self.call_id}: {self.started_at:%H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status == RecordingStatus.RECORDING


class TrackSource(models.TextChoices):
    CAMERA = "camera", _("camera")
    SCREEN = "screen", _("screen")
    BOARD = "board", _("whiteboard")


class TrackMedia(models.TextChoices):
    AUDIO = "audio", _("audio")
    VIDEO = "video", _("video")


class RecordingTrack(models.Model):
    """One .mjr file of a recording: one stream (audio or video) of one feed."""

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="tracks")
    participant = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    feed_id = models.PositiveBigIntegerField()
    source = models.CharField(max_length=10, choices=TrackSource.choices)
    media = models.CharField(max_length=10, choices=TrackMedia.choices)
    path = models.CharField(max_length=1000)  # absolute
    # The first and the last packet (from the .mjr header / the worker).
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recording", "started_at", "path"]
        constraints = [models.UniqueConstraint(fields=["recording", "path"], name="calls_track_once")]

    def __str__(self) -> str:
        return self.path
