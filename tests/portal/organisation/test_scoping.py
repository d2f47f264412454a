import pytest

from portal.organisation.models import AgentProfile, Team, Vendor
from portal.organisation.scoping import Reach, UnscopedQueryError, acting_as, viewer_scope
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "evaluate",
    [
        list,
        len,
        lambda qs: qs.count(),
        lambda qs: qs.exists(),
        lambda qs: qs.first(),
        lambda qs: qs.get(pk=1),
        lambda qs: list(qs.iterator()),
        lambda qs: list(qs.values_list("pk", flat=True)),
        lambda qs: qs.update(status="left"),
        lambda qs: qs.delete(),
        lambda qs: qs.aggregate(),
    ],
)
def test_an_unscoped_query_raises_while_serving_a_vendor_side_user(world, evaluate):
    for viewer in (world.manager_a.user, world.lead_a1.user, world.agent_a1.user, None):
        with acting_as(viewer), pytest.raises(UnscopedQueryError):
            evaluate(AgentProfile.objects.filter(status="active"))


def test_unscoped_queries_are_allowed_for_client_staff_and_outside_requests(world):
    assert AgentProfile.objects.count() == 6
    with acting_as(world.client_manager):
        assert AgentProfile.objects.count() == 6
    with acting_as(world.manager_a.user):
        assert AgentProfile.objects.unscoped().count() == 6


def test_scope_survives_chaining(world):
    with acting_as(world.manager_a.user):
        qs = AgentProfile.objects.for_user(world.manager_a.user).filter(status="active")
        assert {a.vendor_id for a in qs.order_by("pk")} == {world.vendor_a.pk}


def test_scopes_by_role(world):
    assert viewer_scope(world.client_manager).reach is Reach.ALL
    assert viewer_scope(world.manager_a.user) == viewer_scope(world.manager_a.user)
    assert viewer_scope(world.manager_a.user).reach is Reach.VENDOR
    assert viewer_scope(world.lead_a1.user).reach is Reach.TEAM
    assert viewer_scope(world.agent_a1.user).reach is Reach.SELF
    assert viewer_scope(UserFactory()).reach is Reach.NOTHING


def test_what_each_role_sees(world):
    def agents(user):
        return set(AgentProfile.objects.for_user(user).values_list("pk", flat=True))

    everyone = set(AgentProfile.objects.unscoped().values_list("pk", flat=True))
    assert agents(world.client_manager) == everyone
    assert agents(world.manager_a.user) == {
        world.agent_a1.pk,
        world.agent_a2.pk,
        world.lead_a1.pk,
        world.manager_a.pk,
    }
    assert agents(world.lead_a1.user) == {world.agent_a1.pk, world.lead_a1.pk}
    assert agents(world.agent_a1.user) == {world.agent_a1.pk}
    assert agents(UserFactory()) == set()

    assert set(Vendor.objects.for_user(world.manager_b.user)) == {world.vendor_b}
    assert set(Team.objects.for_user(world.manager_a.user)) == {world.team_a1, world.team_a2}
    assert set(Team.objects.for_user(world.lead_a1.user)) == {world.team_a1}


def test_a_vendor_person_with_a_client_role_stays_inside_their_vendor(world):
    from django.contrib.auth.models import Group

    from portal.organisation.roles import Role

    world.manager_a.user.groups.add(Group.objects.get(name=Role.CLIENT_MANAGER.value))
    assert viewer_scope(world.manager_a.user).reach is Reach.VENDOR


def test_people_who_left_see_nothing(world):
    world.manager_a.status = AgentProfile.Status.LEFT
    world.manager_a.save()
    assert viewer_scope(world.manager_a.user).reach is Reach.NOTHING


def test_the_middleware_marks_every_request_with_its_viewer(world, rf):
    from portal.organisation.scoping import ViewerMiddleware

    def careless_view(request):
        return AgentProfile.objects.count()

    def careful_view(request):
        return AgentProfile.objects.for_user(request.user).count()

    request = rf.get("/")
    request.user = world.manager_a.user
    with pytest.raises(UnscopedQueryError):
        ViewerMiddleware(careless_view)(request)
    assert ViewerMiddleware(careful_view)(request) == 4
    request.user = world.client_manager
    assert ViewerMiddleware(careless_view)(request) == 6
