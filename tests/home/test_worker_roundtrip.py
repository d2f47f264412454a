"""A task goes through the real broker to a real worker and back through the database."""

import pytest
from django.utils import timezone

from home.models import WorkerHeartbeat
from home.tasks import record_worker_heartbeat
from tests.worker import celery_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_task_round_trip_through_broker_worker_and_database():
    sent_at = timezone.now()
    with celery_worker("roundtrip") as worker:
        record_worker_heartbeat.delay()
        beat = wait_for(
            lambda: WorkerHeartbeat.objects.filter(
                worker=worker.hostname, seen_at__gte=sent_at
            ).first(),
            worker=worker,
        )
    assert beat.seen_at >= sent_at
