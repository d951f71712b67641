"""The school of the call tests: the demo school with two lessons of `teacher` going on now, and the people of 7Б
linked with the messenger through the real linking flow (journal → messenger sign-in → consent), once per module.

Linking through the browser takes a few seconds per person; it is what a school does, and it leaves both sites'
data (links, roles, the class chats) exactly as they are in life — no hand-made rows on either side.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from playwright.sync_api import BrowserContext, expect

from tests.e2e.helpers import login
from tests.e2e.messenger_helpers import DevMessenger
from tests.e2e.servers import Sites, run_site_python
from tests.e2e.test_linking import check_consent, sign_in_to_messenger

# Lessons of `teacher` (Кузнецова Ирина Викторовна, Математика in 7Б and 5А), both under way now: a lesson's call may
# only be made before its end, and the second one is there to be refused while the first is live (V10).
_LESSON_NOW = """
import datetime as dt, json
from django.utils import timezone
from parta.journal.school.models import Parent, Student
from parta.journal.timetable.models import Lesson

now = timezone.localtime()
midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
starts = max(now - dt.timedelta(minutes=5), midnight).time().replace(second=0, microsecond=0)
ends = min(now + dt.timedelta(minutes=45), midnight + dt.timedelta(hours=23, minutes=59)).time().replace(microsecond=0)

def lesson_now(grade, letter, topic):
    like = Lesson.objects.filter(
        school_class__grade=grade, school_class__letter=letter, subject__name="Математика",
        teacher__user__username="teacher",
    ).order_by("-date").first()
    made = Lesson.objects.create(
        school=like.school, school_class=like.school_class, subject=like.subject, group=like.group,
        teacher=like.teacher, date=now.date(), number=None, starts_at=starts, ends_at=ends, room=like.room,
        topic=topic,
    )
    return made.pk
"""
_SEED_LESSONS = (
    _LESSON_NOW
    + """
seventh = lesson_now(7, "Б", "Дистанционный урок: уравнения")
fifth = lesson_now(5, "А", "Дистанционный урок: дроби")
students = [
    {"username": s.user.username, "last_name": s.user.last_name, "first_name": s.user.first_name,
     "full_name": s.user.full_name}
    for s in Student.objects.filter(school_class__grade=7, school_class__letter="Б").select_related("user")
    .order_by("user__last_name", "user__first_name")
]
print("SEED" + json.dumps({"seventh": seventh, "fifth": fifth, "students": students}))
"""
)


@dataclass(frozen=True)
class Person:
    key: str  # how the tests call them: teacher, student, student2, student3, parent
    username: str  # the journal account (password: demo)
    phone: str  # the messenger sign-in
    last_name: str
    first_name: str
    full_name: str  # as the journal prints it (the attendance page)


@dataclass(frozen=True)
class School:
    lesson_7b: int  # 7Б, Математика, now
    lesson_5a: int  # 5А, Математика, now (the same teacher)
    people: dict[str, Person]


def run_python(sites: Sites, site: str, code: str) -> str:
    """Runs code in a site's Django on the harness's database; answers its output."""
    return run_site_python(sites.env, site, code)


def seed_school(sites: Sites) -> School:
    """Two lessons going on now; the people: `teacher`, `student` (Соколов Максим, 7Б), two other students of 7Б
    (`student2`, `student3`), and `parent` (Соколова Елена, Максим's mother)."""
    output = run_python(sites, "journal", _SEED_LESSONS)
    seed = json.loads(output.split("SEED", 1)[1])
    students = {s["username"]: s for s in seed["students"]}
    others = [s for s in seed["students"] if s["username"] != "student"]
    other, third = others[0], others[1]
    people = {
        "teacher": Person(
            "teacher", "teacher", "8 (916) 555-61-01", "Кузнецова", "Ирина", "Кузнецова Ирина Викторовна"
        ),
        "student": Person(
            "student",
            "student",
            "8 (916) 555-61-02",
            "Соколов",
            "Максим",
            students["student"]["full_name"],
        ),
        "student2": Person(
            "student2",
            other["username"],
            "8 (916) 555-61-03",
            other["last_name"],
            other["first_name"],
            other["full_name"],
        ),
        "student3": Person(
            "student3",
            third["username"],
            "8 (916) 555-61-05",
            third["last_name"],
            third["first_name"],
            third["full_name"],
        ),
        "parent": Person("parent", "parent", "8 (916) 555-61-04", "Соколова", "Елена", "Соколова Елена Сергеевна"),
    }
    return School(lesson_7b=int(seed["seventh"]), lesson_5a=int(seed["fifth"]), people=people)


def seed_lesson(sites: Sites, topic: str) -> int:
    """One more lesson of `teacher` in 7Б going on now (a lesson's call is made once: each test module has its own)."""
    code = _LESSON_NOW + f"\nprint('SEED' + json.dumps(lesson_now(7, 'Б', {topic!r})))\n"
    return int(json.loads(run_python(sites, "journal", code).split("SEED", 1)[1]))


def link_from_journal(context: BrowserContext, person: Person, sites: Sites, inbox: DevMessenger) -> None:
    """Signs in to the journal, «Мессенджер «Парта»» → «Привязать учебный профиль» → the messenger's sign-in with a
    code from the development inbox → the consent → «Готово!». The context stays signed in to both sites."""
    page = context.new_page()
    try:
        login(page, person.username)
        page.get_by_role("link", name="Мессенджер «Парта»").click()
        page.get_by_role("button", name="Привязать учебный профиль", exact=True).click()
        expect(page).to_have_url(re.compile(re.escape(sites.messenger.url)))
        sign_in_to_messenger(page, inbox, phone=person.phone, last_name=person.last_name, first_name=person.first_name)
        check_consent(page)
        expect(page).to_have_url(f"{sites.journal.url}/messenger/done/")
        expect(page.get_by_role("heading", name="Готово!", exact=True)).to_be_visible()
    finally:
        page.close()
