"""The class journal's «Дистанционный урок» row and the diary's distance-lesson icon, rendered in Python (one cell
per lesson column: template includes would cost more than the rest of the grid)."""

from __future__ import annotations

from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from parta.journal.distance.models import DistanceLesson
from parta.journal.distance.selectors import Shown, is_lesson_over, is_lesson_teacher, is_not_today, shown_state
from parta.journal.gradebook.selectors import JournalGrid
from parta.journal.school.selectors import Roles
from parta.journal.timetable.models import Lesson

register = template.Library()


def distance_of(lesson: Lesson) -> DistanceLesson | None:
    """The lesson's distance lesson as select_related("distance") left it: None when there is none (no query)."""
    return getattr(lesson, "distance", None)


def _url(name: str) -> str:
    return reverse(name, args=[0]).replace("/0/", "/{}/")


class _Cells:
    """Renders one lesson's «Дистанционный урок» controls; the texts and URLs are made once per page."""

    def __init__(self, context: Any) -> None:
        request = context["request"]
        self.roles: Roles = context["roles"]
        self.now = timezone.now()
        self.create_url, self.attendance_url = _url("distance:create"), _url("distance:attendance")
        self.csrf = escape(get_token(request))
        self.back = escape(request.get_full_path())
        self.texts = {
            "create": escape(_("Create")),
            "open": escape(_("Open")),
            "live": escape(_("Created")),
            "ended": escape(_("Ended")),
            "attendance": escape(_("Attendance")),
        }
        self.create_label, self.open_label = _("Create a distance lesson on %s"), _("Open the distance lesson on %s")

    def state(self, lesson: Lesson) -> Shown:
        return shown_state(lesson, distance_of(lesson), self.now)

    def controls(self, lesson: Lesson) -> str:
        """«Создать» / «Открыть» / «Завершён» + «Посещаемость» for the lesson's teacher; the state only for the
        others (the school's admin still opens the attendance)."""
        distance, state = distance_of(lesson), self.state(lesson)
        teacher = is_lesson_teacher(roles=self.roles, lesson=lesson)
        day = f"{lesson.date:%d.%m}"
        if state == Shown.NONE:
            if not teacher or is_lesson_over(lesson, self.now) or is_not_today(lesson, self.now):
                return ""
            return (
                f'<form method="post" action="{self.create_url.format(lesson.pk)}">'
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{self.csrf}">'
                f'<input type="hidden" name="next" value="{self.back}">'
                f'<button type="submit" class="small distance-create" aria-label="{escape(self.create_label % day)}">'
                f"{self.texts['create']}</button></form>"
            )
        if state == Shown.LIVE and distance is not None:
            if not teacher:
                return f'<span class="distance-state">{self.texts["live"]}</span>'
            return (
                f'<a class="button small distance-open" href="{escape(distance.url)}" target="_blank" '
                f'rel="noopener" aria-label="{escape(self.open_label % day)}">{self.texts["open"]}</a>'
            )
        cell = f'<span class="distance-state distance-ended">{self.texts["ended"]}</span>'
        if teacher or self.roles.administers(lesson.school_id):
            link = self.attendance_url.format(lesson.pk)
            cell += f' <a class="distance-attendance" href="{link}">{self.texts["attendance"]}</a>'
        return cell


@register.simple_tag(takes_context=True)
def distance_cells(context: Any, grid: JournalGrid) -> SafeString:
    """The class journal's «Дистанционный урок» row: one cell per lesson column."""
    cells = _Cells(context)
    parts = [
        f'<td class="distance-slot" data-lesson="{lesson.pk}" data-state="{cells.state(lesson)}">'
        f"{cells.controls(lesson)}</td>"
        for lesson in grid.lessons
    ]
    return mark_safe("".join(parts))  # noqa: S308 - ids, dates and escaped texts only


@register.simple_tag(takes_context=True)
def distance_panel(context: Any, lesson: Lesson) -> SafeString:
    """The same controls on «Выставить оценки» for its one lesson (one query: the lesson's distance lesson)."""
    cells = _Cells(context)
    controls = cells.controls(lesson)
    if not controls:
        return mark_safe("")
    return format_html(
        '<div class="distance-panel" data-lesson="{}" data-state="{}"><strong>{}:</strong> {}</div>',
        lesson.pk,
        cells.state(lesson),
        _("Distance lesson"),
        mark_safe(controls),  # noqa: S308 - built above from ids and escaped texts
    )


@register.simple_tag
def diary_distance_icon(lesson: Lesson) -> SafeString:
    """The distance-lesson icon of a lesson in the diary: a link to /diary/lessons/<id>/distance/ (V3)."""
    if distance_of(lesson) is None:
        return mark_safe("")
    return format_html(
        '<a class="distance-icon" href="{}" aria-label="{}" title="{}">{}</a>',
        reverse("distance:diary_entry", args=[lesson.pk]),
        _("Distance lesson"),
        _("Distance lesson"),
        mark_safe(_ICON),  # noqa: S308 - a constant
    )


# A video camera, drawn inline so the icon needs no extra request.
_ICON = (
    '<svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
    '<rect x="2" y="6" width="13" height="12" rx="2" fill="currentColor"/>'
    '<path d="M16 10.5 22 7v10l-6-3.5z" fill="currentColor"/></svg>'
)
