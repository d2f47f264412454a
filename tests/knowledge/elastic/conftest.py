"""An Elasticsearch the tests can read: the fake server behind the real client."""

from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import connection

from knowledge.elastic import indexes, sync
from knowledge.search import ELASTICSEARCH_DOWN_KEY

from .fake import FakeServer


@pytest.fixture
def fake_es(settings, monkeypatch):
    """The portal configured for Elasticsearch, talking to a ``FakeServer``."""
    settings.ELASTICSEARCH_URL = "http://fake-elasticsearch:9200"
    settings.ELASTICSEARCH_INDEX = "portal"
    # A failure of an earlier test's server is not this one's.
    cache.delete(ELASTICSEARCH_DOWN_KEY)
    server = FakeServer()
    es = server.client()
    monkeypatch.setattr(indexes, "client", lambda: es)
    return server


@pytest.fixture
def on_commit(eager_celery, django_capture_on_commit_callbacks):
    """Run what is queued on commit, with tasks in this process: ``with on_commit():``
    stands for a transaction of its own. (A test is one transaction: what its fixtures
    changed would otherwise be collected with what the block changes, and the block's
    commit would run none of it.)"""

    @contextmanager
    def run():
        setattr(connection, sync._PENDING, None)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks

    return run
