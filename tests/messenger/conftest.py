from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _plain_static_files(settings: Any) -> None:
    """Templates render {% static %} without a collectstatic manifest in unit tests."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Tests sign in often; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
