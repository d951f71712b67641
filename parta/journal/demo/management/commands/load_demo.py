"""`python -m parta.journal load_demo [--if-empty]`: the demo school for a first look and for guided tours."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.journal.demo.services import DemoNotLoaded, load_demo_school, refresh_live_lesson
from parta.journal.school.models import School


class Command(BaseCommand):
    help = (
        "Loads the demo school with a whole academic year. Sign in as teacher, student, parent or admin "
        "with the password demo. Refuses when the database already has a school."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="When the database already has a school, say so and succeed without loading anything.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            summary = load_demo_school(today=timezone.localdate(), now=timezone.now())
        except (DemoNotLoaded, IntegrityError) as error:
            has_school = School.objects.exists()
            if isinstance(error, IntegrityError) and not has_school:
                raise
            # An IntegrityError with a school: another process loaded the demo at the same moment.
            if options["if_empty"] and has_school:
                self.stdout.write(_("The database already has a school, so the demo school was not loaded."))
                if refresh_live_lesson(now=timezone.now()):
                    self.stdout.write(_("7Б Математика has a lesson going on now (for a distance lesson)."))
                return
            raise CommandError(
                _(
                    "The database already has a school (or a demo account), so the demo school was not loaded. "
                    "Use an empty database, or add --if-empty to skip this step without an error."
                )
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo school “%(school)s” loaded in %(seconds).1f s: %(classes)d classes, %(students)d "
                    "students, %(teachers)d teachers, %(lessons)d lessons, %(marks)d marks."
                )
                % {
                    "school": summary.school.name,
                    "seconds": time.monotonic() - started,
                    "classes": summary.classes,
                    "students": summary.students,
                    "teachers": summary.teachers,
                    "lessons": summary.lessons,
                    "marks": summary.marks,
                }
            )
        )
        self.stdout.write(_("Sign in as teacher, student, parent or admin with the password “demo”."))
