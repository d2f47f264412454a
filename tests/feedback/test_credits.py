"""Credit: an item a revision or a notice resolved shows on its agent's home and on
their vendor's list; counts by status for those who look after agents."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.credits import counts_by_status
from tests.feedback.builders import raise_on, resolve
from tests.notices.builders import publish_notice

pytestmark = pytest.mark.django_db


def test_a_resolved_item_is_credited_on_the_agents_home(client, world, pages):
    item = raise_on(pages["refund"], world.agent_a1)
    client.force_login(world.agent_a1.user)
    assert 'data-testid="credit"' not in client.get("/").text
    resolve(item, revision=pages["refund"].save_revision())
    other = raise_on(pages["coupon"], world.agent_a2)
    resolve(other, notice=publish_notice("쿠폰 안내 변경", everyone=True))

    home = client.get("/").text
    assert home.count('data-testid="credit"') == 1
    assert "단순 변심 환불" in home
    # Done without what resolved it: answered, not credited.
    resolve(raise_on(pages["coupon"], world.agent_a1))
    assert client.get("/").text.count('data-testid="credit"') == 1


def test_each_vendor_sees_its_own_credits_and_counts(client, world, pages):
    notice = publish_notice("쿠폰 안내 변경", everyone=True)
    resolve(raise_on(pages["coupon"], world.agent_a1), notice=notice)
    resolve(raise_on(pages["coupon"], world.agent_b1, text="온누리 상담사 의견"), notice=notice)
    raise_on(pages["refund"], world.agent_a2)

    client.force_login(world.manager_a.user)
    response = client.get(reverse("feedback:vendor"))
    assert response.status_code == 200
    assert len(response.context["credited"]) == 1
    assert response.context["credited"][0].agent == world.agent_a1
    assert counts_by_status(world.manager_a.user)["new"] == 1
    assert counts_by_status(world.manager_b.user) == {
        "new": 0,
        "in_review": 0,
        "accepted": 0,
        "declined": 0,
        "done": 1,
    }
    assert 'data-testid="feedback-counts"' in client.get("/").text

    client.force_login(world.lead_a1.user)
    assert client.get(reverse("feedback:vendor")).context["credited"][0].agent == world.agent_a1
    client.force_login(world.agent_a1.user)
    assert client.get(reverse("feedback:vendor")).status_code == 403


def test_the_vendor_list_reads_a_fixed_number_of_queries(
    client, world, pages, django_assert_num_queries
):
    notice = publish_notice("쿠폰 안내 변경", everyone=True)
    resolve(raise_on(pages["coupon"], world.agent_a1), notice=notice)
    client.force_login(world.manager_a.user)
    url = reverse("feedback:vendor")
    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for agent in (world.agent_a2, world.lead_a1, world.agent_a1):
        resolve(raise_on(pages["refund"], agent), revision=pages["refund"].save_revision())
    with django_assert_num_queries(len(one)):
        assert len(client.get(url).context["credited"]) == 4


def test_my_feedback_reads_a_fixed_number_of_queries(
    client, world, pages, django_assert_num_queries
):
    resolve(raise_on(pages["coupon"], world.agent_a1), notice=publish_notice(everyone=True))
    client.force_login(world.agent_a1.user)
    url = reverse("feedback:mine")
    client.get(url)  # warm-up: marks the answer seen
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _n in range(3):
        raise_on(pages["refund"], world.agent_a1)
    with django_assert_num_queries(len(one)):
        assert len(client.get(url).context["items"]) == 4


@pytest.mark.parametrize("who", ["agent_a1", "manager_a"])
def test_the_home_page_reads_a_fixed_number_of_queries(
    client, world, pages, who, django_assert_num_queries
):
    notice = publish_notice("쿠폰 안내 변경", everyone=True)
    resolve(raise_on(pages["coupon"], world.agent_a1), notice=notice)
    client.force_login(getattr(world, who).user)
    client.get("/")  # warm-up
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for _n in range(3):
        resolve(raise_on(pages["refund"], world.agent_a1), notice=notice)
        raise_on(pages["coupon"], world.agent_a2)
    with django_assert_num_queries(len(one)):
        client.get("/")


def test_the_vendor_list_pages_through_every_credit(client, world, pages, monkeypatch):
    monkeypatch.setattr("feedback.views.CREDITED_PER_PAGE", 2)
    notice = publish_notice("쿠폰 안내 변경", everyone=True)
    for agent in (world.agent_a1, world.agent_a2, world.lead_a1):
        resolve(raise_on(pages["coupon"], agent), notice=notice)
    client.force_login(world.manager_a.user)
    url = reverse("feedback:vendor")
    first, second = client.get(url), client.get(url, {"page": 2})
    assert [len(response.context["credited"]) for response in (first, second)] == [2, 1]
    assert "page=2" in first.text and "1 / 2" in first.text
    seen = {item.pk for response in (first, second) for item in response.context["credited"]}
    assert len(seen) == 3
    assert client.get(url, {"page": "zebra"}).status_code == 200
