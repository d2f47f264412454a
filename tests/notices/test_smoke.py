import pytest
from django.core import mail

from notices.models import Delivery, NoticeDispatch, NoticeVersion
from notices.tasks import dispatch_notice

from .conftest import publish_notice


@pytest.mark.django_db
def test_publish_delivers(world, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = publish_notice(vendors=[world.vendor_a])
    assert NoticeVersion.objects.filter(notice=notice).count() == 1
    dispatch = NoticeDispatch.objects.get()
    assert dispatch.status == NoticeDispatch.Status.DONE, dispatch.status
    agents = set(Delivery.objects.values_list("agent_id", flat=True))
    assert world.agent_a1.pk in agents and world.agent_b1.pk not in agents
    assert len(mail.outbox) == len(agents)
    dispatch_notice(dispatch.pk)
    assert len(mail.outbox) == len(agents)
