"""The whiteboard of a call (issue 10, docs/board.md): one shared Yjs document per call.

The document is stored as a compacted snapshot (`Board.state`, every update up to `state_seq` merged) plus the log of
the updates accepted since (`BoardUpdate`, numbered per board). The board's row is what writers lock.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parta.messenger.calls.models import Call
from parta.messenger.chats.models import Message


class DrawMode(models.TextChoices):
    ORGANIZER = "organizer", _("only the organizer")
    EVERYONE = "everyone", _("everyone")
    CHOSEN = "chosen", _("the organizer and chosen people")


class Board(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # in the WebSocket's URL
    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="board")
    draw_mode = models.CharField(_("who may draw"), max_length=10, choices=DrawMode.choices)
    locked = models.BooleanField(_("locked"), default=False)  # nobody draws, the organizer included, until unlocked
    # The compacted document: a Yjs update holding every accepted update with seq <= state_seq.
    state = models.BinaryField(default=b"")
    state_seq = models.PositiveBigIntegerField(default=0)
    last_seq = models.PositiveBigIntegerField(default=0)  # the seq of the last accepted update
    stored_bytes = models.PositiveBigIntegerField(default=0)  # the snapshot and the log: what the size limit counts
    created_at = models.DateTimeField(default=timezone.now)
    # The board's PDF posted into the call's chat when the call ended (once: `exported_at` set, with the message, or
    # without one for an empty board). A failed try counts in `export_failures`; housekeeping retries a few times.
    exported_at = models.DateTimeField(null=True, blank=True)
    export_message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    export_failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("whiteboard")
        verbose_name_plural = _("whiteboards")

    def __str__(self) -> str:
        return str(self.public_id)


class BoardDrawer(models.Model):
    """A person the organizer chose to draw (draw mode "chosen")."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="drawers")
    profile = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "profile"], name="boards_drawer_once")]

    def __str__(self) -> str:
        return f"{self.board_id}: {self.profile_id}"


class BoardUpdate(models.Model):
    """One accepted Yjs update, append-only until compaction merges it into the board's snapshot."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="updates")
    seq = models.PositiveBigIntegerField()
    data = models.BinaryField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )  # empty: a guest of the call
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["board", "seq"]
        constraints = [models.UniqueConstraint(fields=["board", "seq"], name="boards_update_seq_once")]

    def __str__(self) -> str:
        return f"{self.board_id}#{self.seq}"


class BackgroundKind(models.TextChoices):
    PDF = "pdf", _("PDF")
    IMAGE = "image", _("image")


def background_path(instance: BoardBackground, filename: str) -> str:
    return f"boards/{instance.board.public_id}/{instance.public_id}/{filename}"


class BoardBackground(models.Model):
    """A PDF or an image the organizer put on the board: each of its pages a picture (`pages`: [{"page", "width",
    "height", "file"}], PNG for a PDF page, the image's own type for an image), the original PDF kept for the board's
    vector PDF. Files live under MEDIA_ROOT/boards/<board>/<background>/ and are served only through the boards API."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="backgrounds")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=BackgroundKind.choices)
    name = models.CharField(max_length=255)
    original = models.FileField(upload_to=background_path, max_length=300)
    content_type = models.CharField(max_length=50)  # of the page pictures
    page_count = models.PositiveIntegerField()
    pages = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["board", "created_at"]

    def __str__(self) -> str:
        return self.name
