"""An Elasticsearch the tests can read: the fake server behind the real client."""

import pytest

from knowledge.elastic import indexes

from .fake import FakeServer


@pytest.fixture
def fake_es(settings, monkeypatch):
    """The portal configured for Elasticsearch, talking to a ``FakeServer``."""
    settings.ELASTICSEARCH_URL = "http://fake-elasticsearch:9200"
    settings.ELASTICSEARCH_INDEX = "portal"
    server = FakeServer()
    es = server.client()
    monkeypatch.setattr(indexes, "client", lambda: es)
    return server
