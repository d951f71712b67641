"""Renders the class journal's cells in Python: a 30 × 40 grid through template tags costs ~100 ms, this ~2 ms."""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from parta.journal.gradebook.models import MarkKind
from parta.journal.gradebook.selectors import GridRow, JournalGrid

register = template.Library()


@register.simple_tag
def grid_cells(row: GridRow) -> SafeString:
    labels = {kind.value: escape(kind.label) for kind in MarkKind}
    parts = []
    for cell in row.cells:
        classes = ("absent" if cell.absent else "") + ("" if cell.applies else " muted")
        marks = "".join(
            f'<span class="mark mark-{mark.value}" title="{labels[mark.kind]}">{mark.value}</span>'
            if mark.kind in labels
            else f'<span class="mark mark-{mark.value}">{mark.value}</span>'
            for mark in cell.marks
        )
        parts.append(f'<td class="{classes.strip()}">{"Н " if cell.absent else ""}{marks}</td>')
    return mark_safe("".join(parts))  # noqa: S308 - only ints and escaped labels are interpolated


@register.simple_tag
def grid_header(grid: JournalGrid) -> SafeString:
    """The date columns: «05.11», a link to the lesson's marks page where the person may edit it."""
    url = reverse("gradebook:lesson_marks", args=[0]).replace("/0/", "/{}/")
    parts = []
    for lesson in grid.lessons:
        title = f"{lesson.date:%d.%m.%Y} {lesson.starts_at:%H:%M}" + (f" — {lesson.topic}" if lesson.topic else "")
        label = f"{lesson.date:%d.%m}"
        if lesson.pk in grid.editable_lesson_ids:
            label = f'<a href="{url.format(lesson.pk)}">{label}</a>'
        today = ' class="today"' if lesson.date == grid.today else ""
        parts.append(f'<th scope="col"{today} title="{escape(title)}">{label}</th>')
    return mark_safe("".join(parts))  # noqa: S308 - dates, ids and an escaped title only
