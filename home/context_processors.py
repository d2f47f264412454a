from django.conf import settings

from portal.organisation.scoping import viewer_scope


def chrome(request):
    """What the site header needs on every page."""
    user = getattr(request, "user", None)
    return {
        "portal_name": settings.WAGTAIL_SITE_NAME,
        "sees_agents": bool(user and viewer_scope(user).sees_agents),
    }
