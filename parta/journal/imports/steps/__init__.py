"""One step per CSV file, in the order the files depend on each other (school.csv is read before them all)."""

from parta.journal.imports.steps.base import ImportContext, Step
from parta.journal.imports.steps.calendar import (
    SCHOOL_COLUMNS,
    SCHOOL_FILE,
    BellsStep,
    PeriodsStep,
    import_school_file,
)
from parta.journal.imports.steps.people import ParentsStep, StudentsStep, TeachersStep
from parta.journal.imports.steps.structure import ClassesStep, GroupsStep, LoadStep, SubjectsStep
from parta.journal.imports.steps.timetable import TimetableStep

STEPS: list[type[Step]] = [
    PeriodsStep,
    BellsStep,
    SubjectsStep,
    TeachersStep,
    ClassesStep,
    StudentsStep,
    ParentsStep,
    GroupsStep,
    LoadStep,
    TimetableStep,
]

__all__ = ["SCHOOL_COLUMNS", "SCHOOL_FILE", "STEPS", "ImportContext", "Step", "import_school_file"]
