"""A person's records stay with the vendor they were made for: someone with records does
not move to another vendor (they get a new profile there), and a team is its vendor's."""

import pytest
from django.core.exceptions import ValidationError

from notices.delivery import create_deliveries
from notices.versions import current_material_version
from tests.notices.builders import publish_notice

pytestmark = pytest.mark.django_db


def _problems(agent) -> set[str]:
    try:
        agent.full_clean()
    except ValidationError as error:
        return set(error.message_dict)
    return set()


def test_a_person_with_records_stays_with_their_vendor(world):
    agent = world.agent_b1
    notice = publish_notice("부산 공지", vendors=[world.vendor_b])
    create_deliveries(current_material_version(notice), [agent.pk])
    agent.vendor, agent.team = world.vendor_a, world.team_a1
    assert _problems(agent) == {"vendor"}


def test_a_person_without_records_may_move(world):
    agent = world.agent_b1
    agent.vendor, agent.team = world.vendor_a, world.team_a1
    assert _problems(agent) == set()


def test_a_team_is_its_vendors(world):
    agent = world.agent_a1
    agent.team = world.team_b1
    assert _problems(agent) == {"team"}


def test_nobody_works_for_an_inactive_vendor(world):
    world.vendor_b.is_active = False
    world.vendor_b.save()
    agent = world.agent_b1
    agent.vendor = world.vendor_b
    assert _problems(agent) == {"vendor"}
    agent.status = agent.Status.LEFT
    assert _problems(agent) == set()
