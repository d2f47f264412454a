import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Exists, OuterRef, Subquery

from portal.organisation.models import AgentProfile, Team, Vendor
from portal.organisation.scoping import (
    Reach,
    ScopedCommand,
    UnscopedQueryError,
    acting_as,
    nobody_served,
    system_scope,
    viewer_scope,
)
from tests.factories import UserFactory

User = get_user_model()

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
        lambda qs: qs.aggregate(n=Count("pk")),
    ],
)
def test_an_unscoped_query_raises_while_serving_a_vendor_side_user(world, evaluate):
    for viewer in (world.manager_a.user, world.lead_a1.user, world.agent_a1.user, None):
        with acting_as(viewer), pytest.raises(UnscopedQueryError):
            evaluate(AgentProfile.objects.filter(status="active"))


def test_unscoped_queries_are_allowed_for_client_staff_and_in_a_named_system_scope(world):
    with acting_as(world.client_manager):
        assert AgentProfile.objects.count() == 6
    with nobody_served(), system_scope("a test of the escape"):
        assert AgentProfile.objects.count() == 6
    with acting_as(world.manager_a.user):
        assert AgentProfile.objects.unscoped().count() == 6


def test_with_nobody_served_a_vendor_owned_query_fails_closed(world):
    with nobody_served(), pytest.raises(UnscopedQueryError):
        AgentProfile.objects.count()


@pytest.mark.parametrize(
    "wrap",
    [
        lambda qs: User.objects.filter(agent_profile__in=qs),
        lambda qs: User.objects.filter(Exists(qs.filter(user=OuterRef("pk")))),
        lambda qs: User.objects.annotate(
            vendor=Subquery(qs.filter(user=OuterRef("pk")).values("vendor")[:1])
        ),
    ],
    ids=["in", "exists", "subquery"],
)
def test_an_unscoped_subquery_fails_closed_inside_another_models_query(world, wrap):
    """The outer model (users) is not vendor-owned: the check travels with the subquery."""
    unscoped = AgentProfile.objects.filter(status="active")
    with acting_as(world.agent_a1.user), pytest.raises(UnscopedQueryError):
        list(wrap(unscoped))
    with acting_as(world.manager_a.user):
        scoped = AgentProfile.objects.for_user(world.manager_a.user)
        assert len(list(wrap(scoped).distinct())) >= 4


def test_a_task_states_its_scope_whoever_calls_it(world, eager_celery):
    """A task starts with nobody served even when called from a system-scoped caller."""
    from celery import shared_task

    @shared_task(name="tests.careless_count")
    def careless_count():
        return AgentProfile.objects.count()

    @shared_task(name="tests.careful_count")
    @system_scope("counts every vendor's agents")
    def careful_count():
        return AgentProfile.objects.count()

    with pytest.raises(UnscopedQueryError):
        careless_count.delay().get()
    with pytest.raises(UnscopedQueryError):
        careless_count()
    assert careful_count.delay().get() == 6


def test_a_command_states_its_scope_whoever_calls_it(world):
    class Careless(ScopedCommand):
        def handle(self, *args, **options):
            return str(AgentProfile.objects.count())

    class Careful(ScopedCommand):
        @system_scope("counts every vendor's agents")
        def handle(self, *args, **options):
            return str(AgentProfile.objects.count())

    with pytest.raises(UnscopedQueryError):
        call_command(Careless())
    assert call_command(Careful()) == "6"


FIRST_PARTY = {"portal", "knowledge", "notices", "training", "home", "searchindex"}


def test_every_portal_command_is_a_scoped_command():
    from django.core.management import get_commands, load_command_class

    ours = {
        name: app
        for name, app in get_commands().items()
        if app.split(".")[0]
        in {"portal", "knowledge", "notices", "training", "home", "searchindex"}
    }
    assert ours
    for name, app in ours.items():
        assert isinstance(load_command_class(app, name), ScopedCommand), name


def test_every_model_with_an_agent_or_vendor_is_scoped():
    from django.apps import apps

    from portal.organisation.scoping import ScopedQuerySet

    # Who may read a page is the client's configuration, read by the visibility check
    # for every reader; it holds no vendor's data.
    page_audience_rules = {"knowledgeaudience"}
    for model in apps.get_models():
        if model._meta.model_name in page_audience_rules:
            continue
        names = {field.name for field in model._meta.get_fields()}
        first_party = model._meta.app_label in {"organisation", "knowledge", "notices", "training"}
        if first_party and names & {"agent", "vendor", "delivery"}:
            assert isinstance(model._default_manager.all(), ScopedQuerySet), model


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
