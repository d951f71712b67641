"""ASGI entry point of the journal site."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parta.journal.settings")
application = get_asgi_application()
