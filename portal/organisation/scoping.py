"""Vendor isolation: the one mechanism every vendor-side query goes through.

Vendor-owned models use ``ScopedQuerySet``. While a vendor-side person (or an anonymous
visitor) is being served, a queryset of such a model must be narrowed with
``.for_user(user)`` before it is evaluated, or explicitly widened with ``.unscoped()``
by system code that has already checked access; otherwise it raises
``UnscopedQueryError``. Forgetting the scope is therefore a crash in tests, never a
leak in production. Outside requests (Celery tasks, commands) and for client staff,
who see every vendor, plain queries are allowed, so Django and Wagtail internals work.
The request's viewer is set by ``ViewerMiddleware`` (or ``acting_as`` in code and tests).

What a user may see is decided in one place, ``viewer_scope``:
- client staff (a client role, or a superuser) see every vendor;
- a vendor manager sees their vendor; a team lead, their team; an agent, themselves;
- anybody else sees nothing.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum

from django.db import models

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
    """Who reports and commands act as when they must see every vendor's content."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None

    def __init__(self):
        setattr(self, _CACHE_ATTR, Scope(Reach.ALL))


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
        return True
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
    from .models import AgentProfile

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


class ScopedQuerySet(models.QuerySet):
    """A queryset that refuses to run until it has been scoped to a user (or unscoped)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scoped = False

    def _clone(self):
        clone = super()._clone()
        clone._scoped = self._scoped
        return clone

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
        qs._scoped = True
        return qs

    def unscoped(self):
        """System code that must see every vendor says so by name."""
        qs = self.all()
        qs._scoped = True
        return qs

    def _require_scope(self):
        if not self._scoped and not unscoped_queries_allowed():
            raise UnscopedQueryError(
                f"{self.model.__name__} rows are vendor-owned: call .for_user(user) "
                f"(or .unscoped() in system code) before evaluating the queryset."
            )

    def _fetch_all(self):
        if self._result_cache is None:
            self._require_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._require_scope()
        return super().iterator(*args, **kwargs)

    def count(self):
        self._require_scope()
        return super().count()

    def exists(self):
        self._require_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._require_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        self._require_scope()
        return super().update(**kwargs)

    def delete(self):
        self._require_scope()
        return super().delete()


class AgentOwnedQuerySet(ScopedQuerySet):
    """Rows that belong to one agent (an ``agent`` foreign key): a vendor manager sees
    their vendor's, a team lead their team's, an agent their own."""

    def scope_filter(self, scope: Scope) -> models.Q:
        if scope.reach is Reach.VENDOR:
            return models.Q(agent__vendor_id=scope.vendor_id)
        if scope.reach is Reach.TEAM:
            return models.Q(agent__team_id=scope.team_id)
        return models.Q(agent_id=scope.agent_id)
