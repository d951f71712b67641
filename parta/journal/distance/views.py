"""Distance lessons (V1, V3, V9, B2): «Создать» in the class journal, the diary's link, the attendance page.

Creating and refreshing call the messenger, so they are async views like messenger_link's: a slow messenger delays
only the teacher who waits for it, and every failure ends in a Russian message on the page the teacher came from.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from parta.journal.accounts.models import User
from parta.journal.distance import selectors, services
from parta.journal.distance.models import DistanceLesson
from parta.journal.gradebook.models import Absence
from parta.journal.gradebook.views import journal_users_only
from parta.journal.messenger_link.client import Config, Refused, Unavailable
from parta.journal.messenger_link.linking import selectors as link_selectors
from parta.journal.school.selectors import ajournal_roles, roles_for_request
from parta.journal.timetable.models import Lesson

logger = logging.getLogger(__name__)
TEACHER_NOT_LINKED = "teacher_not_linked"


def _unavailable_text() -> str:
    return _("The messenger is unavailable right now, try again later.")


def _link_hint(text: str) -> SafeString:
    """The text with a link to the journal's messenger page, where the teacher links the educational profile."""
    return format_html('{} <a href="{}">{}</a>', text, reverse("web:messenger"), _("Link the profile"))


def _lesson(lesson_id: int) -> Lesson:
    lesson = Lesson.objects.with_names().filter(pk=lesson_id).first()
    if lesson is None:
        raise Http404
    return lesson


def _back(request: HttpRequest, lesson: Lesson) -> str:
    """Where «Создать» was pressed (the class journal with its choices), else the lesson's class journal."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure()):
        return wanted
    query = urlencode({"school_class": lesson.school_class_id, "subject": lesson.subject_id})
    return f"{reverse('gradebook:class_journal')}?{query}"


# --- «Создать» (V1) --------------------------------------------------------------------------------------------------


@require_POST
@login_required
async def create(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Asks the messenger for the lesson's call and keeps it; refusals come back as the messenger's own words."""
    roles = await ajournal_roles(request)
    lesson = await sync_to_async(_lesson)(lesson_id)
    if not selectors.is_lesson_teacher(roles=roles, lesson=lesson):
        raise PermissionDenied
    back = _back(request, lesson)
    if await sync_to_async(selectors.get_distance)(lesson_id=lesson.pk) is not None:
        messages.info(request, _("The distance lesson has already been created."))
        return redirect(back)
    if selectors.is_lesson_over(lesson, timezone.now()):
        messages.error(request, _("The lesson is over: a distance lesson can no longer be created for it."))
        return redirect(back)
    if selectors.is_not_today(lesson, timezone.now()):
        messages.error(request, _("A distance lesson is created on the day of the lesson."))
        return redirect(back)
    error = await _create_call(request, lesson)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The distance lesson is created. «Открыть» leads to it in the messenger."))
    return redirect(back)


async def _create_call(request: HttpRequest, lesson: Lesson) -> str:
    """POST /integration/v1/calls and keep the answer; the Russian text to show when it did not work, else ""."""
    if not Config.from_settings().configured:
        return _("The journal is not connected to the messenger yet. Tell the school's administrator.")
    user: User = await request.auser()  # type: ignore[assignment]
    if await sync_to_async(link_selectors.get_link)(user=user) is None:
        return _link_hint(_("Your journal account is not linked with the messenger yet, so a call cannot be made."))
    try:
        await services.acreate_call(lesson=lesson, created_by=user)
    except Unavailable as error:
        logger.warning("Could not create the lesson's call: %s", error)
        return _unavailable_text()
    except Refused as error:
        logger.info("The messenger refused the lesson's call: %s", error)
        if error.error.code == TEACHER_NOT_LINKED:
            return _link_hint(error.error.message)
        return error.error.message
    return ""


# --- the diary's link (V3) -------------------------------------------------------------------------------------------


@require_GET
@login_required
def diary_entry(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """A student of the lesson: the call's page in its window; before it «Урок начнётся в …», after it «завершён»."""
    lesson = selectors.get_lesson_for_student(roles=roles_for_request(request), lesson_id=lesson_id)
    distance = getattr(lesson, "distance", None) if lesson is not None else None
    if lesson is None or distance is None:
        raise Http404
    entry = selectors.diary_entry(lesson, distance, timezone.now())
    if entry == selectors.Entry.JOIN:
        return redirect(distance.url)
    starts_at, _ends_at = selectors.lesson_window(lesson)
    context = {
        "nav": "diary",
        "lesson": lesson,
        "entry": str(entry),
        "starts_at": timezone.localtime(starts_at),
        "today": timezone.localdate(),
    }
    return render(request, "distance/diary_entry.html", context)


# --- «Посещаемость» (B2) ---------------------------------------------------------------------------------------------


def _attendance_lesson(request: HttpRequest, lesson_id: int) -> tuple[Lesson, DistanceLesson]:
    lesson = _lesson(lesson_id)
    if not selectors.may_view_attendance(roles=roles_for_request(request), lesson=lesson):
        raise PermissionDenied
    distance = selectors.get_distance(lesson_id=lesson.pk)
    if distance is None:
        raise Http404
    distance.lesson = lesson
    return lesson, distance


@require_GET
@journal_users_only
def attendance(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson, distance = _attendance_lesson(request, lesson_id)
    absent_ids = set(Absence.objects.filter(lesson=lesson).values_list("student_id", flat=True))
    rows = selectors.attendance_rows(distance=distance, absent_ids=absent_ids)
    state = selectors.shown_state(lesson, distance, timezone.now())
    context = {
        "nav": "journal",
        "lesson": lesson,
        "distance": distance,
        "rows": rows,
        "ended": distance.is_ended,
        "time_over": state == selectors.Shown.ENDED,
        "to_mark": sum(1 for row in rows if not row.present and not row.absent_marked),
        "catch_ups": list(distance.catch_ups.all()),
        "back": _back(request, lesson),
    }
    return render(request, "distance/attendance.html", context)


@require_POST
@journal_users_only
def mark_absent(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """«Отметить отсутствующих»: «Н» for those who did not join; a second click adds nothing."""
    _lesson_row, distance = _attendance_lesson(request, lesson_id)
    if not distance.is_ended:
        messages.error(request, _("The attendance is known once the distance lesson has ended."))
        return redirect("distance:attendance", lesson_id=lesson_id)
    added = services.mark_absent_from_call(distance=distance, author=request.user)  # type: ignore[arg-type]
    if added:
        text = ngettext("%(count)d student is marked absent.", "%(count)d students are marked absent.", added)
        text %= {"count": added}
    else:
        text = _("Everyone who did not join is already marked absent.")
    messages.success(request, text)
    return redirect("distance:attendance", lesson_id=lesson_id)


@require_POST
@login_required
async def refresh(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """«Обновить»: asks the messenger about the call when its end has not come by webhook."""
    roles = await ajournal_roles(request)
    lesson = await sync_to_async(_lesson)(lesson_id)
    if not selectors.may_view_attendance(roles=roles, lesson=lesson):
        raise PermissionDenied
    distance = await sync_to_async(selectors.get_distance)(lesson_id=lesson.pk)
    if distance is None:
        raise Http404
    try:
        distance = await services.arefresh_call(distance=distance)
    except Unavailable as error:
        logger.warning("Could not read the lesson's call: %s", error)
        messages.error(request, _unavailable_text())
    except Refused as error:
        messages.error(request, error.error.message)
    else:
        if distance.is_ended:
            messages.success(request, _("The attendance is updated."))
        else:
            messages.info(request, _("The distance lesson is still going on; the attendance is known once it ends."))
    return redirect("distance:attendance", lesson_id=lesson_id)
