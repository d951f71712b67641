"""«Дневник»: a student's week; a parent switches between children (J3, J4)."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from parta.journal.diary.selectors import diary_week, monday_of
from parta.journal.school.models import Student
from parta.journal.school.selectors import list_diary_students, roles_for_request


@require_GET
@login_required
def week(request: HttpRequest, student_id: int | None = None) -> HttpResponse:
    roles = roles_for_request(request)
    own = list(list_diary_students(roles=roles))
    if student_id is None:
        if not own:
            raise Http404
        student = own[0]
    else:
        student = next((item for item in own if item.pk == student_id), None) or _administered(roles, student_id)
    today = timezone.localdate()
    monday = monday_of(_parse_day(request.GET.get("week")) or today)
    return render(
        request,
        "diary/week.html",
        {
            "nav": "diary",
            "week": diary_week(student=student, monday=monday),
            "student": student,
            "children": own if len(own) > 1 else [],
            "today": today,
            "this_monday": monday_of(today),
        },
    )


def _administered(roles: object, student_id: int) -> Student:
    """A school admin may open any diary of their school; everybody else gets 404, never data."""
    student = Student.objects.select_related("user", "school_class", "school").filter(pk=student_id).first()
    if student is None or not roles.may_view_diary(student):  # type: ignore[attr-defined]
        raise Http404
    return student


def _parse_day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
