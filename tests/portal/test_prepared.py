"""Prepared queries: compiled once, they give what the ORM gives, for any parameters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notices.access import addressee
from notices.models import ChangeNoticePage, Delivery, NoticeVersion
from notices.versions import published_notice
from portal.organisation.models import AgentProfile
from portal.organisation.scoping import UnscopedQueryError, acting_as
from portal.prepared import PreparedQuery, instance, loaded_fields
from portal.publishing import publish_again

from ..notices.builders import QUESTION, publish_notice

pytestmark = pytest.mark.django_db


def _deliveries(notice_id, agent_id):
    return (
        Delivery.objects.unscoped()
        .filter(notice_id=notice_id, agent_id=agent_id)
        .order_by("pk")
        .values_list("pk", "version_id", "read_at", "created_at", "email_status")
    )


def test_a_prepared_query_returns_what_the_queryset_returns_for_each_parameter(world):
    from django.utils import timezone

    first = publish_notice(teams=[world.team_a1])
    second = publish_notice(teams=[world.team_a1, world.team_b1])
    Delivery.objects.unscoped().filter(notice=second, agent=world.agent_b1).update(
        read_at=timezone.now()
    )
    prepared = PreparedQuery(_deliveries, "notice_id", "agent_id")
    for notice in (first, second):
        for agent in (world.agent_a1, world.agent_b1, world.agent_a2):
            expected = list(_deliveries(notice.pk, agent.pk))
            # Dates converted as the ORM converts them (strings on SQLite, otherwise).
            assert prepared(notice_id=notice.pk, agent_id=agent.pk) == expected


def test_a_prepared_query_is_compiled_once(world):
    notice = publish_notice(teams=[world.team_a1])
    prepared = PreparedQuery(_deliveries, "notice_id", "agent_id")
    prepared(notice_id=notice.pk, agent_id=world.agent_a1.pk)
    with CaptureQueriesContext(connection) as queries:
        for agent in (world.agent_a1, world.agent_a2, world.agent_b1):
            prepared(notice_id=notice.pk, agent_id=agent.pk)
    assert len(queries) == 3
    assert len({query["sql"] for query in queries}) == 3  # the same SQL, other ids
    assert len(prepared._compiled) == 1


def test_every_parameter_must_be_used_and_the_scope_is_checked_when_compiling(world):
    unused = PreparedQuery(
        lambda notice_id, agent_id: (
            Delivery.objects.unscoped().filter(notice_id=notice_id).values_list("pk")
        ),
        "notice_id",
        "agent_id",
    )
    with pytest.raises(ValueError, match="agent_id"):
        unused(notice_id=1, agent_id=2)
    # A vendor-owned query neither scoped nor unscoped fails closed, as it would anyway.
    unscoped = PreparedQuery(
        lambda agent_id: Delivery.objects.filter(agent_id=agent_id).values_list("pk"), "agent_id"
    )
    with acting_as(world.agent_a1.user), pytest.raises(UnscopedQueryError):
        unscoped(agent_id=world.agent_a1.pk)


def test_an_instance_from_a_row_loads_what_was_left_out_when_read(world):
    fields = loaded_fields(AgentProfile, leave_out=("employee_number",))
    row = (
        AgentProfile.objects.unscoped()
        .filter(pk=world.agent_a1.pk)
        .values_list(*(f.name for f in fields))
        .get()
    )
    profile = instance(AgentProfile, fields, row)
    assert profile.pk == world.agent_a1.pk
    assert profile.vendor_id == world.agent_a1.vendor_id
    assert not profile._state.adding
    assert profile.get_deferred_fields() == {"employee_number"}
    with CaptureQueriesContext(connection) as queries:
        assert profile.employee_number == world.agent_a1.employee_number
    assert len(queries) == 1


def test_the_published_notice_is_the_notice_the_orm_reads(world):
    notice = publish_notice(teams=[world.team_a1], questions=[QUESTION])
    publish_again(notice, material=False)
    publish_again(ChangeNoticePage.objects.get(pk=notice.pk), material=True)
    read, versions = published_notice(notice.pk)
    stored = ChangeNoticePage.objects.get(pk=notice.pk)
    assert isinstance(read, ChangeNoticePage)
    for field in ("live", "expired", "expire_at", "effective_until", "acknowledge_by", "url_path"):
        assert getattr(read, field) == getattr(stored, field), field
    assert read.acknowledgement_required is stored.acknowledgement_required
    assert read.understanding_check.get_prep_value() == stored.understanding_check.get_prep_value()
    assert len(read.questions) == 1
    assert [v.pk for v in versions] == list(
        NoticeVersion.objects.filter(notice=notice).order_by("-number").values_list("pk", flat=True)
    )
    assert all(v.notice is read for v in versions)
    assert versions[0].content_hash == NoticeVersion.objects.get(pk=versions[0].pk).content_hash
    assert published_notice(notice.pk + 999) == (None, [])


def test_the_addressee_is_the_signed_in_agent_only_while_they_are_active(world):
    notice = publish_notice(teams=[world.team_a1])
    profile, delivered = addressee(notice, world.agent_a1.user)
    assert profile.pk == world.agent_a1.pk
    assert profile.user is world.agent_a1.user
    assert list(delivered) == list(
        Delivery.objects.unscoped()
        .filter(notice=notice, agent=world.agent_a1)
        .values_list("version_id", flat=True)
    )
    # Another vendor's agent: no delivery, and their own profile, not the addressee's.
    with acting_as(world.agent_b1.user):
        other, none = addressee(notice, world.agent_b1.user)
    assert (other.pk, none) == (world.agent_b1.pk, {})
    world.agent_a1.status = AgentProfile.Status.LEFT
    world.agent_a1.save()
    assert addressee(notice, world.agent_a1.user) == (None, {})
