"""The Django admin of the school's data and of journal accounts, scoped to the schools a person administers.

`kit` is the scoped-admin kit other apps' admins use too; importing this package (Django's admin autodiscovery does)
registers the school's models (`registrations`) and the journal accounts (`accounts`).
"""

from parta.journal.school.admin import accounts, registrations  # noqa: F401 - registers the ModelAdmins
