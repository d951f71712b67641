"""The events tests drive every app's services, calls included: the calls tests' real Janus and attachments in a
fresh folder per test."""

from pathlib import Path
from typing import Any

import pytest

from tests.messenger.calls.conftest import janus, janus_process, janus_processes  # noqa: F401 - fixtures used here


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
