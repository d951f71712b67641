"""`python -m parta.journal <command>`: Django's manage.py for the journal site."""

import os
import sys

from django.core.management import execute_from_command_line

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parta.journal.settings")
    execute_from_command_line(sys.argv)
