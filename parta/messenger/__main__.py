"""`python -m parta.messenger <command>`: Django's manage.py for the messenger site."""

import os
import sys

from django.core.management import execute_from_command_line

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parta.messenger.settings")
    execute_from_command_line(sys.argv)
