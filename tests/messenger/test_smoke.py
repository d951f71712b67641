"""Smoke test: the messenger site starts, answers on its home page, and speaks Russian by default."""

# covers: L4 (the messenger's site answers), A1 (its first page is in Russian)

import pytest
from django.test import Client


@pytest.mark.django_db
def test_home_page_answers_in_russian(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    # The manifest storage needs `collectstatic`; this test is about the page, not the built static files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    response = client.get("/")

    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="ru"' in body or "Парта" in body
