"""The tests of this package read English messages: pages are asked for in English and code outside
a request runs in English, so the Ukrainian translations added later do not change what they see."""

import pytest
from django.test import Client
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})
