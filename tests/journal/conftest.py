import pytest

from tests.journal.builders import SchoolBuilder


@pytest.fixture
def school(db: None) -> SchoolBuilder:
    """A small school: 7Б with a class teacher who teaches Математика there, three students, a parent."""
    return SchoolBuilder.small()
