"""Who may see which page: the one check behind every link, list, chooser, search hit and
file download of the portal.

Each app says who may see its own page types by registering a rule
(``register_page_rule``, in its ``AppConfig.ready``): a function that takes a signed-in
user and page ids and returns the ids among them that the user may open, in a fixed
number of queries. Around the rules, this module decides the rest once:

- nobody signed out, and nobody whose account is inactive, sees any page;
- a page that is not live, or has expired, is never linked to;
- client staff see every live page;
- a page type with no rule (the home page, the notice and training sections) is seen by
  every signed-in person.

Rules are found along the page class's inheritance, so registering an abstract base
(``KnowledgePage``) covers every page type built on it.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page

from portal.organisation.scoping import current_viewer, viewer_scope

PageRule = Callable[[object, list[int]], set[int]]

_rules: dict[type, PageRule] = {}


def register_page_rule(*page_classes) -> Callable[[PageRule], PageRule]:
    """Decorator: ``rule(user, page_ids)`` decides for pages of these classes."""

    def decorator(rule: PageRule) -> PageRule:
        for page_class in page_classes:
            _rules[page_class] = rule
        return rule

    return decorator


def _rule_for(page_class) -> PageRule | None:
    for klass in page_class.__mro__:
        if klass in _rules:
            return _rules[klass]
    return None


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def live_pages(pages):
    """``pages`` narrowed to those live and not expired."""
    return pages.live().filter(Q(expire_at__isnull=True) | Q(expire_at__gt=timezone.now()))


def visible_page_ids(user, page_ids: Iterable[int]) -> set[int]:
    """The ids among ``page_ids`` that ``user`` may open."""

    page_ids = {int(pk) for pk in page_ids if pk is not None}
    if not page_ids or not _signed_in(user):
        return set()
    rows = live_pages(Page.objects.filter(pk__in=page_ids)).values_list("pk", "content_type_id")
    by_type: dict[int, list[int]] = defaultdict(list)
    for pk, content_type_id in rows:
        by_type[content_type_id].append(pk)
    if viewer_scope(user).is_client_staff:
        return {pk for ids in by_type.values() for pk in ids}
    visible: set[int] = set()
    for content_type_id, ids in by_type.items():
        page_class = ContentType.objects.get_for_id(content_type_id).model_class()
        rule = _rule_for(page_class) if page_class is not None else None
        visible |= set(ids) if rule is None else rule(user, ids) & set(ids)
    return visible


def can_see_page(user, page) -> bool:
    return page is not None and page.pk in visible_page_ids(user, [page.pk])


def visible(user, pages: Iterable) -> list:
    """The pages of ``pages`` that ``user`` may open, in their order."""
    pages = [page for page in pages if page is not None]
    allowed = visible_page_ids(user, [page.pk for page in pages])
    return [page for page in pages if page.pk in allowed]


def viewer():
    """The person being served now (``None`` outside a request or when signed out)."""
    user = current_viewer.get()
    return user if _signed_in(user) else None
