"""The shared listing: filters whose vendor and team choices are the viewer's own, and one
view for the portal page, the admin page and the export."""

import csv
import io
from types import SimpleNamespace

import django_filters
import pytest
from django.http import Http404
from django.template.response import TemplateResponse

from portal.listing import AgentFilterSet, ManagerListing
from portal.organisation.scoping import acting_as

pytestmark = pytest.mark.django_db


class StateFilter(AgentFilterSet):
    state = django_filters.ChoiceFilter(
        choices=[("all", "all"), ("some", "some")],
        empty_label=None,
        method="applied_by_the_view",
    )
    defaults = {"state": "all"}


def _filters(rf, person, query=""):
    request = rf.get("/listing/" + query)
    request.user = getattr(person, "user", person)
    return StateFilter(request.GET, request=request)


def test_the_choices_are_the_viewers_vendors_and_teams(rf, world):
    with acting_as(world.manager_a.user):
        filters = _filters(rf, world.manager_a)
        assert list(filters.form.fields["vendor"].rows) == [world.vendor_a]
        assert {t.pk for t in filters.form.fields["team"].rows} == {
            world.team_a1.pk,
            world.team_a2.pk,
        }
        assert not filters.show_vendor
    with acting_as(world.lead_a1.user):
        filters = _filters(rf, world.lead_a1)
        assert list(filters.form.fields["team"].rows) == [world.team_a1]
    with acting_as(world.client_manager):
        filters = _filters(rf, world.client_manager)
        assert filters.show_vendor
        labels = [label for _value, label in filters.form.fields["team"].choices]
        assert f"{world.vendor_b.name} · {world.team_b1.name}" in labels


@pytest.mark.parametrize(
    "query",
    ["?vendor={vendor_b}", "?team={team_b1}", "?vendor=nope", "?team=999999"],
)
def test_a_foreign_vendor_or_team_fails_validation_and_filters_nothing(rf, world, query):
    query = query.format(vendor_b=world.vendor_b.pk, team_b1=world.team_b1.pk)
    with acting_as(world.manager_a.user):
        filters = _filters(rf, world.manager_a, query)
        assert not filters.is_valid()
        assert filters.outside_scope()
        field = "vendor" if "vendor" in query else "team"
        assert [e.code for e in filters.errors.as_data()[field]] == ["invalid_choice"]
        # The foreign id is ignored: the viewer's own agents, never the other vendor's.
        agents = set(filters.qs)
        assert world.agent_b1 not in agents
        assert {world.agent_a1, world.agent_a2} <= agents
        assert filters.query_string() == "state=all"


def test_valid_filters_narrow_the_agents_and_survive_in_the_query_string(rf, world):
    query = f"?team={world.team_a2.pk}&state=some&page=3"
    with acting_as(world.manager_a.user):
        filters = _filters(rf, world.manager_a, query)
        assert filters.is_valid() and not filters.outside_scope()
        assert list(filters.qs) == [world.agent_a2]
        assert filters.pk("team") == world.team_a2.pk and filters.pk("vendor") is None
        assert filters.query_string() == f"team={world.team_a2.pk}&state=some"
        assert filters.query_string(page=4).endswith("&page=4")


def test_an_absent_or_invalid_filter_takes_its_default(rf, world):
    with acting_as(world.manager_a.user):
        assert _filters(rf, world.manager_a).value("state") == "all"
        filters = _filters(rf, world.manager_a, "?state=bogus")
        assert filters.value("state") == "all"
        assert "state" in filters.errors and not filters.outside_scope()


def test_the_choices_are_read_once(rf, world, django_assert_num_queries):
    with acting_as(world.client_manager):
        filters = _filters(rf, world.client_manager, f"?team={world.team_b1.pk}")
        # The vendors, the teams; nothing per check or per rendering.
        with django_assert_num_queries(2):
            assert filters.is_valid()
            assert filters.show_vendor
            str(filters.form["vendor"]), str(filters.form["team"])
            str(filters.form["vendor"]), str(filters.form["team"])


class AgentListing(ManagerListing):
    """A listing as an app writes one: its filters, its page, its export columns."""

    filterset_class = StateFilter
    template_name = "listing/_agents.html"
    page_title = "Agents"

    def get_context_data(self, **context):
        agents = self.filters.qs.select_related("user", "vendor", "team").order_by("pk")
        rows = [SimpleNamespace(agent=agent) for agent in agents]
        return super().get_context_data(page=rows, columns=4, **context)

    def get_export_items(self):
        return self.filters.qs.select_related("user", "vendor", "team").order_by("pk")

    def get_export_columns(self):
        return [("Status", lambda agent: agent.status)]

    def get_export_filename(self):
        return "agents"

    def export_agent(self, item):
        return item


def _get(rf, person, query="", **kwargs):
    request = rf.get("/listing/" + query)
    request.user = getattr(person, "user", person)
    with acting_as(request.user):
        response = AgentListing.as_view()(request, **kwargs)
        if isinstance(response, TemplateResponse):
            response.render()
        return response


def test_the_listing_page_has_its_filters_query_and_title(rf, world):
    response = _get(rf, world.manager_a, f"?team={world.team_a1.pk}")
    assert response.status_code == 200
    context = response.context_data
    assert context["page_title"] == "Agents"
    assert context["query"] == f"team={world.team_a1.pk}&state=all"
    assert context["show_vendor"] is False
    assert {row.agent for row in context["page"]} == {world.agent_a1, world.lead_a1}
    body = response.content.decode()
    assert 'id="f-team"' in body and 'id="f-vendor"' not in body
    assert world.agent_a1.employee_number in body and world.agent_a2.employee_number not in body
    assert world.team_b1.name not in body


def test_a_listing_refuses_a_foreign_filter_with_404(rf, world):
    with pytest.raises(Http404):
        _get(rf, world.manager_a, f"?vendor={world.vendor_b.pk}")
    with pytest.raises(Http404):
        _get(rf, world.lead_a1, f"?team={world.team_a2.pk}", fmt="csv")


def test_the_export_is_the_agent_columns_then_the_listings_inert(rf, world):
    world.agent_a1.user.name = "=1+1"
    world.agent_a1.user.save()
    response = _get(rf, world.manager_a, f"?team={world.team_a1.pk}", fmt="csv")
    assert response["Content-Disposition"] == 'attachment; filename="agents.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-1] == "Status" and len(rows[0]) == 5
    assert {row[0] for row in rows[1:]} == {
        world.agent_a1.employee_number,
        world.lead_a1.employee_number,
    }
    assert "'=1+1" in [row[1] for row in rows]
