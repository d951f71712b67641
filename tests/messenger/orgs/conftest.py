import pytest

from tests.messenger.orgs.builders import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()
