"""Publishing records versions; material versions are delivered again, others are not."""

import pytest
from django.core import mail

from notices.models import Delivery, NoticeDispatch, NoticeVersion
from notices.tasks import dispatch_notice
from notices.versions import current_material_version
from portal.publishing import publish_again
from tests.factories import make_agent

from .builders import ack, publish_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world, eager_celery, django_capture_on_commit_callbacks):
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return publish_notice(**kwargs)

    return run


def test_a_publish_records_the_version_and_delivers_to_exactly_the_audience(world, published):
    notice = published(vendors=[world.vendor_a])
    version = NoticeVersion.objects.get(notice=notice)
    assert (version.number, version.material) == (1, True)
    assert len(version.content_hash) == 64
    dispatch = NoticeDispatch.objects.get()
    assert dispatch.status == NoticeDispatch.Status.DONE
    delivered = set(Delivery.objects.values_list("agent_id", flat=True))
    vendor_a = {world.agent_a1.pk, world.agent_a2.pk, world.lead_a1.pk, world.manager_a.pk}
    assert delivered == vendor_a
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        p.user.email for p in (world.agent_a1, world.agent_a2, world.lead_a1, world.manager_a)
    )


def test_running_a_dispatch_again_adds_nothing(world, published):
    notice = published(teams=[world.team_a1])
    before = (Delivery.objects.count(), len(mail.outbox))
    dispatch_notice(NoticeDispatch.objects.get().pk)
    assert (Delivery.objects.count(), len(mail.outbox)) == before
    assert notice.live


def test_audience_dimensions_intersect(world, published):
    world.agent_a1.channels.set([])
    world.agent_a2.channels.set([])
    from portal.organisation.models import Channel

    chat = Channel.objects.get(code="chat")
    world.agent_a2.channels.add(chat)
    published(vendors=[world.vendor_a], channels=[chat])
    assert list(Delivery.objects.values_list("agent_id", flat=True)) == [world.agent_a2.pk]


def test_agents_who_left_are_not_in_the_audience(world, published):
    world.agent_a1.status = "left"
    world.agent_a1.save()
    published(everyone=True)
    assert not Delivery.objects.filter(agent=world.agent_a1).exists()
    assert Delivery.objects.filter(agent=world.agent_b1).exists()


def test_a_non_material_change_keeps_acknowledgements_and_notifies_nobody(
    world, published, django_capture_on_commit_callbacks
):
    notice = published(teams=[world.team_a1])
    ack(notice, world.agent_a1)
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        publish_again(notice, material=False, summary="오타 수정")
    assert NoticeVersion.objects.filter(notice=notice).count() == 2
    assert current_material_version(notice).number == 1
    assert len(mail.outbox) == sent
    assert Delivery.objects.filter(notice=notice).count() == 2  # agent_a1 and lead_a1


def test_a_non_material_change_still_reaches_people_added_to_the_audience(
    world, published, django_capture_on_commit_callbacks
):
    notice = published(teams=[world.team_a1])
    newcomer = make_agent(world.team_a1)
    with django_capture_on_commit_callbacks(execute=True):
        publish_again(notice, material=False)
    assert Delivery.objects.filter(notice=notice, agent=newcomer).count() == 1
    assert [m.to[0] for m in mail.outbox].count(newcomer.user.email) == 1


def test_a_material_change_asks_everyone_again(
    world, published, django_capture_on_commit_callbacks
):
    notice = published(teams=[world.team_a1])
    ack(notice, world.agent_a1)
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        publish_again(notice, material=True, changes="<p>14일 이내 환불 가능합니다.</p>")
    material = current_material_version(notice)
    assert material.number == 2
    assert Delivery.objects.filter(version=material).count() == 2
    assert len(mail.outbox) == sent + 2


def test_the_edit_form_asks_afresh_after_a_publish(world, published):
    from notices.models import ChangeNoticeForm, ChangeNoticePage

    notice = published(everyone=True)
    form_class = ChangeNoticePage.get_edit_handler().get_form_class()
    assert issubclass(form_class, ChangeNoticeForm)
    form = form_class(instance=notice, for_user=world.client_manager)
    assert form.initial["material_change"] is False


def test_a_scheduled_publish_records_the_version_and_its_dispatch(world):
    import time
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone
    from wagtail.models import Revision

    from notices.models import ChangeNoticePage

    from .builders import notice_section

    page = ChangeNoticePage(
        title="내일 시작하는 프로모션",
        kind="promotion",
        summary="내일 0시부터",
        changes="<p>10% 할인</p>",
        audience_everyone=True,
        go_live_at=timezone.now() + timedelta(seconds=2),
    )
    notice_section().add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    assert not page.live
    assert not NoticeVersion.objects.exists()
    assert Revision.objects.filter(approved_go_live_at__isnull=False).exists()
    time.sleep(2.5)
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live
    assert NoticeVersion.objects.get(notice=page).number == 1
    assert NoticeDispatch.objects.get().status == NoticeDispatch.Status.PENDING
