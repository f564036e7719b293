import pytest

from .builders import build_ready


@pytest.fixture
def ready():
    return build_ready()
