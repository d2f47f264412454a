"""Notes a page shows its reader above its content, from whichever app knows them.

A page's template asks ``{% page_banners page %}`` (``home`` template tags); apps
register what they have to say about a page (``register_banner_source``): the notices
app, a page's pending or recent change and whether its notice is still to confirm. The
pages do not import the apps that speak about them.
"""

from collections.abc import Callable

BannerSource = Callable[[object, object], list[dict]]

_sources: list[tuple[str, BannerSource]] = []


def register_banner_source(template: str):
    """Decorator: ``source(page, user)`` returns items rendered with ``template``."""

    def decorator(source: BannerSource) -> BannerSource:
        _sources.append((template, source))
        return source

    return decorator


def banners_for(page, user) -> list[tuple[str, object]]:
    """(template, item) for everything the sources say about ``page`` to ``user``."""
    if page is None or not getattr(user, "is_authenticated", False):
        return []
    return [(template, item) for template, source in _sources for item in source(page, user)]
