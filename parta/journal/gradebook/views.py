"""«Журнал»: the start page, «Классный журнал» (the grid) and «Выставить оценки» for one lesson."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from parta.journal.gradebook import selectors
from parta.journal.gradebook.forms import JournalChoiceForm, LessonMarksForm
from parta.journal.gradebook.models import Absence, Mark
from parta.journal.gradebook.services import save_lesson_marks
from parta.journal.school.selectors import journal_roles, roles_for_request
from parta.journal.timetable.models import Lesson


def journal_users_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in teachers and school admins; everybody else gets 403."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        journal_roles(request)
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@journal_users_only
def index(request: HttpRequest) -> HttpResponse:
    roles = roles_for_request(request)
    today = timezone.localdate()
    lessons = selectors.list_lessons_of_day(roles=roles, day=today)
    return render(request, "gradebook/index.html", {"nav": "journal", "lessons": lessons, "today": today})


@require_GET
@journal_users_only
def class_journal(request: HttpRequest) -> HttpResponse:
    roles = roles_for_request(request)
    choices = selectors.journal_choices(roles=roles)
    context: dict[str, object] = {"nav": "journal"}
    if "school_class" not in request.GET:
        current = selectors.current_period(choices.periods, timezone.localdate())
        form = JournalChoiceForm(initial={"period": current.pk if current else None}, **choices.as_form_lists())
        return render(request, "gradebook/class_journal.html", {**context, "form": form})
    form = JournalChoiceForm(request.GET, **choices.as_form_lists())
    if not form.is_valid():
        return render(request, "gradebook/class_journal.html", {**context, "form": form}, status=400)
    school_class, subject = form.chosen("school_class"), form.chosen("subject")
    if not selectors.get_visible_load(roles=roles, class_id=school_class.pk, subject_id=subject.pk):
        form.add_error("subject", _("This subject is not taught in the chosen class, or its journal is not yours."))
        return render(request, "gradebook/class_journal.html", {**context, "form": form}, status=400)
    class_periods = [period for period in choices.periods if period.year_id == school_class.year_id]
    period = form.chosen("period")
    if period is None or period.year_id != school_class.year_id:
        period = selectors.current_period(class_periods, timezone.localdate())
    if period is None:
        messages.warning(request, _("The class's academic year has no periods yet. Ask the school's administrator."))
        return render(request, "gradebook/class_journal.html", {**context, "form": form})
    form.data = {**request.GET.dict(), "period": str(period.pk)}  # show the period that was loaded
    grid = selectors.build_grid(roles=roles, school_class=school_class, subject=subject, period=period)
    return render(request, "gradebook/class_journal.html", {**context, "form": form, "grid": grid})


@require_http_methods(["GET", "POST"])
@login_required
def lesson_marks(request: HttpRequest, lesson_id: int) -> HttpResponse:
    roles = roles_for_request(request)
    lesson = get_object_or_404(Lesson.objects.with_names(), pk=lesson_id)
    may_edit = selectors.may_edit_lesson(roles=roles, lesson=lesson)
    if not may_edit:
        raise PermissionDenied
    students = selectors.lesson_students(lesson)
    marks = list(Mark.objects.filter(lesson=lesson).order_by("id"))
    absent_ids = set(Absence.objects.filter(lesson=lesson).values_list("student_id", flat=True))
    initial = {"topic": lesson.topic, "homework": lesson.homework}
    data = request.POST if request.method == "POST" else None
    form = LessonMarksForm(data, initial=initial, students=students, marks=marks, absent_ids=absent_ids)
    if data is not None:
        if form.is_valid():
            save_lesson_marks(
                author=request.user,  # type: ignore[arg-type]
                may_edit=may_edit,
                lesson=lesson,
                topic=form.cleaned_data["topic"],
                homework=form.cleaned_data["homework"],
                entries=form.entries(),
            )
            messages.success(request, _("Changes saved"))
            return redirect("gradebook:lesson_marks", lesson_id=lesson.pk)
        messages.error(
            request,
            _("Some fields are filled in wrongly; nothing was saved yet. Correct them and save again."),
        )
    previous_lesson, next_lesson = selectors.neighbour_lessons(roles=roles, lesson=lesson)
    return render(
        request,
        "gradebook/lesson_marks.html",
        {
            "nav": "journal",
            "lesson": lesson,
            "form": form,
            "previous_lesson": previous_lesson,
            "next_lesson": next_lesson,
        },
    )
