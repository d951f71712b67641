from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "csv-import"


@pytest.fixture
def example_dir(tmp_path: Path) -> Path:
    """A copy of the documented example school («Гимназия № 2») that a test may edit."""
    folder = tmp_path / "gym2"
    shutil.copytree(EXAMPLE, folder)
    return folder


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, arcname=f"gym2/{path.name}")  # as Windows zips a folder: files inside it
    return target


@pytest.fixture
def huey_immediate() -> Iterator[None]:
    """Runs Huey tasks at once, in the test's process and transaction."""
    from huey.contrib.djhuey import HUEY

    saved = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = saved
