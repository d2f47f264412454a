from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase

from home.models import HomePage
from tests.factories import TeamFactory, make_agent, make_vendor_manager


class HomePageTreeTests(WagtailPageTestCase):
    def test_the_site_root_is_the_home_page(self):
        root = Site.objects.get(is_default_site=True).root_page
        assert isinstance(root.specific, HomePage)

    def test_tree_rules(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        # One home page: the migration made it, a second cannot be created.
        assert not HomePage.can_create_at(Page.get_first_root_node())


@pytest.mark.django_db
def test_an_agent_sees_their_tasks_and_go_live(client):
    team = TeamFactory(name="서울 1팀", vendor__name="한결CS")
    agent = make_agent(team, go_live_date=timezone.localdate() + timedelta(days=5))
    client.force_login(agent.user)
    response = client.get("/")
    assert response.status_code == 200
    text = response.text
    assert "한결CS" in text and "서울 1팀" in text
    assert "D-5" in text
    assert 'data-testid="notices-count">0<' in text


@pytest.mark.django_db
def test_a_vendor_manager_gets_manager_links(client):
    team = TeamFactory()
    manager = make_vendor_manager(team.vendor)
    client.force_login(manager.user)
    text = client.get("/").text
    assert "/org/agents/" in text
    assert "/org/roster/" in text
    assert "/admin/" not in text  # vendor-side people never enter the admin


@pytest.mark.django_db
def test_the_home_page_uses_a_fixed_number_of_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.knowledge.builders import section
    from tests.notices.builders import ack, publish_notice

    team = TeamFactory()
    agent = make_agent(team)
    client.force_login(agent.user)

    def deliver(notice):
        from notices.delivery import create_deliveries
        from notices.versions import current_material_version

        create_deliveries(current_material_version(notice), [agent.pk])
        return notice

    section("분류")
    ack(deliver(publish_notice("공지", teams=[team])), agent)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for n in range(5):
        section(f"분류 {n}")
        ack(deliver(publish_notice(f"공지 {n}", teams=[team])), agent)
        deliver(publish_notice(f"새 공지 {n}", teams=[team]))
    # The same with 6 sections and 11 notices as with 1 of each: nothing here grows.
    with CaptureQueriesContext(connection) as many:
        response = client.get("/")
    assert len(response.context["sections"]) == 6
    assert len(response.context["tasks"].notices) == 11
    assert response.context["tasks"].notices_to_acknowledge == 5
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


@pytest.mark.django_db
def test_the_site_tree_is_rebuilt_when_missing_and_left_alone_otherwise():
    from home.site_tree import ensure_site_tree

    home = Site.objects.get(is_default_site=True).root_page.specific
    assert ensure_site_tree() == home
    Site.objects.all().delete()
    Page.objects.filter(depth__gt=1).delete()
    rebuilt = ensure_site_tree()
    assert Site.objects.get(is_default_site=True).root_page_id == rebuilt.pk
    assert isinstance(rebuilt, HomePage)


def test_the_health_check_answers_without_signing_in(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.django_db
def test_the_site_is_named_after_the_portal_not_its_hostname(settings):
    from wagtail.models import Site

    from home.site_tree import ensure_site_tree

    Site.objects.update(site_name="")
    settings.WAGTAIL_SITE_NAME = "누리마켓 상담 포털"
    ensure_site_tree()
    assert Site.objects.get(is_default_site=True).site_name == "누리마켓 상담 포털"
    Site.objects.update(site_name="고객센터")
    ensure_site_tree()  # a name chosen in the admin stays
    assert Site.objects.get(is_default_site=True).site_name == "고객센터"
