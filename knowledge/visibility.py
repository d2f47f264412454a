"""Who may see which knowledge page: the knowledge pages' rule of ``portal.visibility``.

A page is visible to a signed-in person when it is live, not expired, and neither it
nor any page above it is limited to an audience the person is outside of. Client
staff see every live page. Drafts are never shown here: editors preview in the admin.
"""

from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page

from portal.organisation.scoping import Reach, viewer_scope
from portal.visibility import register_page_rule

from .models import KnowledgeAudience, KnowledgePage


def _audience_filter(scope) -> Q:
    """Audience rows that admit this viewer."""
    if scope.reach is Reach.VENDOR:
        return Q(vendor_id=scope.vendor_id) | Q(team__vendor_id=scope.vendor_id)
    if scope.team_id is not None:
        return Q(vendor_id=scope.vendor_id, team__isnull=True) | Q(team_id=scope.team_id)
    if scope.vendor_id is not None:
        return Q(vendor_id=scope.vendor_id, team__isnull=True)
    return Q(pk__in=[])


def _denied_pages(user):
    """Pages limited to audiences ``user`` is not in (their subtrees are denied too)."""
    scope = viewer_scope(user)
    if scope.is_client_staff:
        return Page.objects.none()
    restricted = KnowledgeAudience.objects.values_list("page_id", flat=True)
    admitted = KnowledgeAudience.objects.filter(_audience_filter(scope)).values("page_id")
    return Page.objects.filter(pk__in=restricted).exclude(pk__in=admitted)


def denied_paths(user) -> list[str]:
    """Tree paths of pages limited to audiences ``user`` is not in (their subtrees too)."""
    return list(_denied_pages(user).values_list("path", flat=True))


def denied_page_ids(user) -> list[int]:
    """Ids of the same pages as ``denied_paths``: what stays true of a page below them
    when sections are reordered (Elasticsearch's documents hold their ancestors' ids)."""
    return list(_denied_pages(user).values_list("pk", flat=True))


def visible_pages(user, pages=None):
    """``pages`` (default: all pages) narrowed to what ``user`` may open."""
    pages = Page.objects.all() if pages is None else pages
    if not user.is_authenticated:
        return pages.none()
    now = timezone.now()
    pages = pages.live().filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now))
    pages = pages.exclude(
        content_type__app_label="knowledge",
        content_type__model="answerpolicypage",
        answerpolicypage__effective_until__lt=timezone.localdate(),
    )
    denied = denied_paths(user)
    if denied:
        blocked = Q()
        for path in denied:
            blocked |= Q(path__startswith=path)
        pages = pages.exclude(blocked)
    return pages


def can_view(user, page) -> bool:
    if not user.is_authenticated or not page.live or page.specific.is_expired():
        return False
    return not any(page.path.startswith(path) for path in denied_paths(user))


@register_page_rule(KnowledgePage)
def visible_knowledge_ids(user, page_ids) -> set[int]:
    return set(
        visible_pages(user, Page.objects.filter(pk__in=page_ids)).values_list("pk", flat=True)
    )
