"""The online lessons of the integration API (/integration/v1/calls…, V1, V9, V10, B2): what a journal calls to
make a lesson's call and read its attendance. A router of the calls app that the site mounts on the integration API
(parta/messenger/integration_api.py); the journals' tokens and error answers are the integration's.

The operation ids are those the endpoints had when the integration app held them: journals' generated clients use them.
"""

from django.http import HttpRequest
from ninja import Router

from parta.common.integration.schemas import LessonCallRef, LessonCallRequest
from parta.messenger.calls import services
from parta.messenger.calls.selectors import find_call
from parta.messenger.integration import errors
from parta.messenger.integration.api import api_errors, server_journal

router = Router(tags=["calls"])


@router.post(
    "",
    response={200: LessonCallRef, **api_errors(401, 403, 404, 409, 503)},
    summary="Create the online lesson (call) of a journal lesson, or get the existing one",
    operation_id="parta_messenger_integration_api_create_lesson_call",
)
def create_lesson_call(request: HttpRequest, payload: LessonCallRequest) -> LessonCallRef:
    """With the server's token. Idempotent on (journal, lesson_id). The teacher (linked) becomes the organizer; the
    class's linked students may join from `starts_at` minus the early-join window. Refusals: call_in_progress (409:
    the teacher's other lesson call is live, V10), teacher_not_linked (409), lesson_over (409), unknown_school and
    unknown_reference (404), calls_unavailable (503: no media server answers; try again later)."""
    journal = server_journal(request)
    return services.create_lesson_call(journal=journal, request=payload)


@router.get(
    "/{call_id}",
    response={200: LessonCallRef, **api_errors(401, 403, 404)},
    summary="A lesson call: its status, and attendance once it has ended (B2)",
    operation_id="parta_messenger_integration_api_get_lesson_call",
)
def get_lesson_call(request: HttpRequest, call_id: str) -> LessonCallRef:
    journal = server_journal(request)
    call = find_call(call_id)
    if call.journal_id != journal.pk:
        raise errors.unknown_call()
    return services.lesson_call_ref(call)
