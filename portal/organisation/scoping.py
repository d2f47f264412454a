"""Vendor isolation: the one mechanism every vendor-side query goes through.

It fails closed, as django-scopes does. A queryset of a vendor-owned model
(``ScopedQuerySet``) must be narrowed with ``.for_user(user)`` before it runs, or
explicitly widened with ``.unscoped()`` by code that has already checked access;
otherwise it raises ``UnscopedQueryError``, unless whoever is being served may see every
vendor. Who is being served is set by ``ViewerMiddleware`` in a request; everywhere else
the code says so by name:

- ``acting_as(user)``: a block on behalf of one person;
- ``system_scope(reason)``: the named escape for work done for the whole system (beat
  tasks, commands, publishing); a context manager and a decorator.

With neither, nobody is served and a vendor-owned query raises: a Celery task
(``portal.celery.PortalTask``) and a portal command (``ScopedCommand``) start with no
viewer whoever called them, so each states its scope. The check is made where SQL is
compiled, so a vendor-owned queryset used as a subquery (``__in``, ``Subquery``,
``Exists``) is held to it too. Forgetting the scope is a crash in tests, never a leak.

What a user may see is decided in one place, ``viewer_scope``:
- client staff (a client role, or a superuser) see every vendor;
- a vendor manager sees their vendor; a team lead, their team; an agent, themselves;
- anybody else sees nothing.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum

from django.core.management.base import BaseCommand
from django.db import models
from django.db.models.sql import Query

from .roles import CLIENT_ROLES, Role


class UnscopedQueryError(RuntimeError):
    """A vendor-owned queryset was evaluated without a user scope."""


class Reach(StrEnum):
    ALL = "all"
    VENDOR = "vendor"
    TEAM = "team"
    SELF = "self"
    NOTHING = "nothing"


@dataclass(frozen=True)
class Scope:
    reach: Reach
    vendor_id: int | None = None
    team_id: int | None = None
    agent_id: int | None = None

    @property
    def is_client_staff(self) -> bool:
        return self.reach is Reach.ALL

    @property
    def sees_agents(self) -> bool:
        """Client staff, vendor managers and team leads look after other agents."""
        return self.reach in (Reach.ALL, Reach.VENDOR, Reach.TEAM)


NOTHING = Scope(Reach.NOTHING)
_CACHE_ATTR = "_portal_viewer_scope"
_NO_VIEWER = object()
#: Who is being served right now; unset outside requests.
current_viewer: ContextVar = ContextVar("portal_current_viewer", default=_NO_VIEWER)


@contextmanager
def acting_as(user):
    """Run a block as if serving ``user`` (``None``: an anonymous visitor)."""
    token = current_viewer.set(user)
    try:
        yield
    finally:
        current_viewer.reset(token)


class SystemViewer:
    """Who system work acts as: it sees every vendor's content."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None

    def __init__(self, reason: str = "system"):
        self.reason = reason
        setattr(self, _CACHE_ATTR, Scope(Reach.ALL))


def system_scope(reason: str):
    """The named escape: ``with system_scope("why"):`` or ``@system_scope("why")`` runs
    a block for the whole system, seeing every vendor. The reason is for the reader (and
    for ``current_viewer.get().reason`` when debugging); it changes nothing."""
    if not reason:
        raise ValueError("system_scope needs a reason.")
    return acting_as(SystemViewer(reason))


def nobody_served():
    """Run a block with no viewer, as a task or a command starts: vendor-owned queries
    must then state their scope."""
    return acting_as(_NO_VIEWER)


class ScopedCommand(BaseCommand):
    """A portal management command: it starts with nobody served, whoever called it, so
    ``handle`` states its scope (``@system_scope("why")`` or ``acting_as``)."""

    def execute(self, *args, **options):
        with nobody_served():
            return super().execute(*args, **options)


class ViewerMiddleware:
    """Marks every request's queries as made on behalf of its user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(getattr(request, "user", None)):
            return self.get_response(request)


def unscoped_queries_allowed() -> bool:
    viewer = current_viewer.get()
    if viewer is _NO_VIEWER:
        return False
    return viewer_scope(viewer).is_client_staff


def viewer_scope(user) -> Scope:
    """What ``user`` may see of vendors, teams and agents; cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    setattr(user, _CACHE_ATTR, scope)
    return scope


def _compute_scope(user) -> Scope:
    from .models import AgentProfile  # models import this module for their querysets

    role_names = set(user.groups.values_list("name", flat=True))
    profile = (
        AgentProfile.objects.unscoped()
        .filter(user=user)
        .only("id", "vendor_id", "team_id", "status")
        .first()
    )
    # A vendor-side person is scoped by their vendor even if they also hold a client role,
    # and sees nothing once they have left: isolation fails closed.
    if profile is not None:
        if profile.status != AgentProfile.Status.ACTIVE:
            return NOTHING
        if Role.VENDOR_MANAGER.value in role_names:
            return Scope(Reach.VENDOR, vendor_id=profile.vendor_id)
        if Role.TEAM_LEAD.value in role_names and profile.team_id:
            return Scope(Reach.TEAM, vendor_id=profile.vendor_id, team_id=profile.team_id)
        return Scope(
            Reach.SELF, vendor_id=profile.vendor_id, team_id=profile.team_id, agent_id=profile.pk
        )
    if user.is_superuser or role_names & {role.value for role in CLIENT_ROLES}:
        return Scope(Reach.ALL)
    return NOTHING


def _require_scope(query) -> None:
    if not query.scoped and not unscoped_queries_allowed():
        raise UnscopedQueryError(
            f"{query.model.__name__} rows are vendor-owned: call .for_user(user) (or "
            f".unscoped() in code that has checked access), or run inside acting_as(user) "
            f"or system_scope(reason)."
        )


_building_exclusion: ContextVar = ContextVar("portal_building_exclusion", default=False)


class ScopedQuery(Query):
    """The SQL of a vendor-owned queryset. Whether it was scoped travels with the query
    (clones copy it), and is checked when the SQL is compiled: evaluated directly, or as
    a subquery of another model's query."""

    scoped = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if _building_exclusion.get():
            self.scoped = True

    def split_exclude(self, *args, **kwargs):
        # Django's own NOT EXISTS for an exclude across a many-valued relation: correlated
        # to this query's rows, it can only take rows away, never show others.
        token = _building_exclusion.set(True)
        try:
            return super().split_exclude(*args, **kwargs)
        finally:
            _building_exclusion.reset(token)

    def get_compiler(self, *args, **kwargs):
        _require_scope(self)
        return super().get_compiler(*args, **kwargs)


class ScopedQuerySet(models.QuerySet):
    """A queryset that refuses to run until it has been scoped to a user (or unscoped)."""

    def __init__(self, model=None, query=None, using=None, hints=None):
        super().__init__(model, query or ScopedQuery(model), using, hints)

    def scope_filter(self, scope: Scope) -> models.Q:
        """The rows ``scope`` may see, for a scope other than ALL and NOTHING."""
        raise NotImplementedError

    def for_user(self, user):
        return self.for_scope(viewer_scope(user))

    def for_scope(self, scope: Scope):
        if scope.reach is Reach.ALL:
            qs = self.all()
        elif scope.reach is Reach.NOTHING:
            qs = self.none()
        else:
            qs = self.filter(self.scope_filter(scope))
        return qs._mark_scoped()

    def unscoped(self):
        """Code that has checked access itself, or that must see every vendor, says so."""
        return self.all()._mark_scoped()

    def _mark_scoped(self):
        self.query.scoped = True
        return self

    # Updates and deletes compile other query classes; they are checked here.
    def update(self, **kwargs):
        _require_scope(self.query)
        return super().update(**kwargs)

    def delete(self):
        _require_scope(self.query)
        return super().delete()


class AgentOwnedQuerySet(ScopedQuerySet):
    """Rows that belong to one agent: a vendor manager sees their vendor's, a team lead
    their team's, an agent their own. ``agent_field`` is the path to the agent (a
    subclass names another, e.g. ``"delivery__agent"``)."""

    agent_field = "agent"

    def scope_filter(self, scope: Scope) -> models.Q:
        if scope.reach is Reach.VENDOR:
            return models.Q(**{f"{self.agent_field}__vendor_id": scope.vendor_id})
        if scope.reach is Reach.TEAM:
            return models.Q(**{f"{self.agent_field}__team_id": scope.team_id})
        return models.Q(**{f"{self.agent_field}_id": scope.agent_id})


class VendorOwnedQuerySet(ScopedQuerySet):
    """Rows about a vendor (or one of its teams) as a whole: its manager sees them, a
    team lead sees their team's when the row names a team (``team_field``), an agent
    sees none. ``vendor_field`` is the path to the vendor (a subclass names another, e.g.
    ``"contract__vendor"``)."""

    vendor_field = "vendor"
    team_field: str | None = None

    def scope_filter(self, scope: Scope) -> models.Q:
        if scope.reach is Reach.VENDOR:
            return models.Q(**{f"{self.vendor_field}_id": scope.vendor_id})
        if scope.reach is Reach.TEAM and self.team_field:
            return models.Q(**{f"{self.team_field}_id": scope.team_id})
        return models.Q(pk__in=[])
