"""The catch-up pack of a recorded lesson (issue 11 point 5): the journal's half.

The messenger reports each processed recording of a lesson's call (webhook `call.recording_ready`, with whether the
teacher left the catch-up on). The journal keeps it as a `CatchUp` and, once the call has ended (its attendance is
known: webhook `call.ended` or «Обновить»), a Huey task (tasks.send_catch_up_pack) asks the messenger to send the
recording with the lesson's topic and homework to the lesson's students who were not in the call
(POST /integration/v1/calls/{id}/catch-up). The messenger's request is idempotent per recording and person, so a
repeated task or webhook sends nothing twice. A messenger that is unavailable, or a recording whose materials are
not ready yet, is tried again with back-off (30 s doubling to an hour, 20 tries: about half a day).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from parta.common.integration.schemas import CatchUpResult, RecordingReady, WebhookEvent
from parta.journal.distance.models import CatchUp, CatchUpStatus, DistanceLesson
from parta.journal.distance.selectors import catch_up_request
from parta.journal.messenger_link import client
from parta.journal.messenger_link.client import Config, Refused, Unavailable

logger = logging.getLogger(__name__)

NOT_READY = "recording_not_ready"  # the messenger's refusal that means: later
TURNED_OFF = "catch_up_off"
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600
MAX_ATTEMPTS = 20


def kick(catch_up_id: int, *, delay: int = 0) -> None:
    """Queues the catch-up's task after the current transaction commits (at once, or after `delay` seconds)."""
    from parta.journal.distance import tasks  # the tasks module imports this one

    if delay:
        transaction.on_commit(lambda: tasks.send_catch_up_pack.schedule((catch_up_id,), delay=delay))
    else:
        transaction.on_commit(lambda: tasks.send_catch_up_pack(catch_up_id))


def kick_waiting(distance: DistanceLesson) -> None:
    """The call has ended: the catch-ups waiting for its attendance go now."""
    for catch_up_id in CatchUp.objects.filter(distance=distance, status=CatchUpStatus.WAITING).values_list(
        "pk", flat=True
    ):
        kick(catch_up_id)


def record_recording(*, data: RecordingReady) -> CatchUp | None:
    """Keeps a recording the messenger reported (once per recording); queues its catch-up when it is on and the call
    has ended. None when the journal knows no such call."""
    with transaction.atomic():
        distance = DistanceLesson.objects.select_for_update().filter(call_id=data.call_id).first()
        if distance is None:
            logger.info("call.recording_ready for a call the journal does not know: %s", data.call_id)
            return None
        status = CatchUpStatus.WAITING if data.catch_up else CatchUpStatus.OFF
        catch_up, created = CatchUp.objects.get_or_create(
            recording_id=data.recording_id, defaults={"distance": distance, "status": status}
        )
        if created and catch_up.status == CatchUpStatus.WAITING and distance.is_ended:
            kick(catch_up.pk)
    return catch_up


def on_recording_ready(event: WebhookEvent) -> None:
    """The handler distance lessons register for `call.recording_ready` (apps.py)."""
    try:
        data = RecordingReady.model_validate(event.data)
    except ValidationError:
        logger.warning("A call.recording_ready event with unexpected data: %s", event.data)
        return
    record_recording(data=data)


def _retry(catch_up: CatchUp, error: str) -> None:
    catch_up.attempts += 1
    catch_up.last_error = error[:500]
    if catch_up.attempts >= MAX_ATTEMPTS:
        catch_up.status = CatchUpStatus.FAILED
        logger.error("catch-up %s: the messenger did not take it after %s tries: %s", catch_up.pk, MAX_ATTEMPTS, error)
    else:
        kick(catch_up.pk, delay=min(FIRST_RETRY_SECONDS * 2 ** (catch_up.attempts - 1), MAX_RETRY_SECONDS))
    catch_up.save(update_fields=["attempts", "last_error", "status"])


def _sent(catch_up: CatchUp, *, absent: int, result: CatchUpResult | None) -> None:
    catch_up.status, catch_up.sent_at, catch_up.absent = CatchUpStatus.SENT, timezone.now(), absent
    catch_up.last_error = ""
    if result is not None:
        catch_up.sent = result.sent + result.already_sent
        catch_up.skipped = result.skipped_unlinked
        catch_up.parents_notified += result.parents_notified
    catch_up.save(update_fields=["status", "sent_at", "absent", "sent", "skipped", "parents_notified", "last_error"])


def deliver_catch_up(*, catch_up_id: int) -> CatchUp | None:
    """The task's work: asks the messenger to send the pack, records what it did. Waiting catch-ups only, of an ended
    call; failures to reach the messenger, and materials not ready yet, are queued again with back-off."""
    with transaction.atomic():
        catch_up = (
            CatchUp.objects.select_for_update(of=("self",))
            .select_related("distance__lesson__subject")
            .filter(pk=catch_up_id)
            .first()
        )
        if catch_up is None or catch_up.status != CatchUpStatus.WAITING or not catch_up.distance.is_ended:
            return catch_up  # sent, turned off, or the call's end (attendance) still to come: it kicks again
        request = catch_up_request(catch_up)
        if not request.absent_person_ids:
            _sent(catch_up, absent=0, result=None)
            return catch_up
        try:
            result = client.send_catch_up(Config.from_settings(), call_id=catch_up.distance.call_id, request=request)
        except Unavailable as error:
            logger.warning("catch-up %s: the messenger is unavailable: %s", catch_up.pk, error)
            _retry(catch_up, str(error))
            return catch_up
        except Refused as error:
            if error.error.code == NOT_READY:
                _retry(catch_up, error.error.code)
                return catch_up
            logger.info("catch-up %s refused: %s", catch_up.pk, error)
            catch_up.status = CatchUpStatus.OFF if error.error.code == TURNED_OFF else CatchUpStatus.FAILED
            catch_up.last_error = f"{error.error.code}: {error.error.message}"[:500]
            catch_up.save(update_fields=["status", "last_error"])
            return catch_up
        _sent(catch_up, absent=len(request.absent_person_ids), result=result)
    return catch_up
