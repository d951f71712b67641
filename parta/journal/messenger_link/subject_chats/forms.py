"""«Управление чатами» → «Добавить»: class, subject (and group), with or without parents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parta.journal.school.models import TeachingLoad

WHOLE_CLASS = ""


class SubjectChatForm(forms.Form):
    """Choices come from the load the person may manage (read by the view); the chosen triple must be one of it."""

    school_class = forms.TypedChoiceField(label=_("Class"), coerce=int)
    subject = forms.TypedChoiceField(label=_("Subject"), coerce=int)
    group = forms.ChoiceField(label=_("Group"), required=False)
    include_parents = forms.BooleanField(
        label=_("Add parents"),
        required=False,
        help_text=_("The students' parents join the chat too."),
    )

    def __init__(self, *args: Any, loads: Sequence[TeachingLoad], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loads = list(loads)
        classes = {load.school_class_id: load.school_class.name for load in self.loads}
        subjects = {load.subject_id: load.subject.name for load in self.loads}
        groups = {load.group_id: load.group.name for load in self.loads if load.group is not None}
        self.fields["school_class"].choices = sorted(classes.items(), key=lambda item: _class_order(item[1]))  # type: ignore[attr-defined]
        self.fields["subject"].choices = sorted(subjects.items(), key=lambda item: item[1])  # type: ignore[attr-defined]
        self.fields["group"].choices = [  # type: ignore[attr-defined]
            (WHOLE_CLASS, _("whole class")),
            *sorted(((str(pk), name) for pk, name in groups.items()), key=lambda item: item[1]),
        ]
        self.load: TeachingLoad | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        group = data.get("group") or WHOLE_CLASS
        matching = [
            load
            for load in self.loads
            if load.school_class_id == data["school_class"] and load.subject_id == data["subject"]
        ]
        exact = [load for load in matching if str(load.group_id or WHOLE_CLASS) == group]
        if group == WHOLE_CLASS and not exact and len(matching) == 1:
            exact = matching  # the subject is taught to one group only: that group's chat
        if not exact:
            raise forms.ValidationError(
                _("This subject is not in your teaching load for the chosen class (or group). Choose another pair.")
            )
        self.load = exact[0]
        return data


def _class_order(name: str) -> tuple[int, str]:
    digits = "".join(ch for ch in name if ch.isdigit())
    return (int(digits) if digits else 0, name)
