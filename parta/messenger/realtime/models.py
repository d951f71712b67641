"""The durable per-profile event sequence: what a reconnecting client resumes from (nothing missed, nothing twice)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class EventCursor(models.Model):
    """The last event number given to a profile. Services lock these rows to number new events in commit order."""

    profile = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="event_cursor"
    )
    last_seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.last_seq}"


class Event(models.Model):
    """One thing a profile must see, numbered in its own stream (`seq` 1, 2, 3… per profile, no holes).

    Written by `services.publish` only; pruned after the retention period (`prune_events`).
    """

    # No index of its own: the unique (profile, seq) index serves every read by profile. One index less per write.
    profile = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["profile", "seq"]
        constraints = [models.UniqueConstraint(fields=["profile", "seq"], name="event_unique_seq")]
        indexes = [models.Index(fields=["created_at"], name="event_created_at")]  # pruning by age

    def __str__(self) -> str:
        return f"{self.profile_id}#{self.seq} {self.type}"
