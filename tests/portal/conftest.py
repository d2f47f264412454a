"""Fixtures of the portal's tests: the notices' eager Celery for narrow tests."""

from tests.notices.conftest import eager_celery  # noqa: F401 - a fixture, shared here
