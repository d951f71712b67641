"""Renders the class journal's cells in Python: a 30 × 40 grid through template tags costs ~100 ms, this ~2 ms."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from parta.journal.gradebook.models import MarkKind
from parta.journal.gradebook.selectors import GridRow

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
