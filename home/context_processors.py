from django.conf import settings

from portal.organisation.scoping import Reach, viewer_scope


def chrome(request):
    """What the site header needs on every page."""
    user = getattr(request, "user", None)
    scope = viewer_scope(user) if user else None
    return {
        "portal_name": settings.WAGTAIL_SITE_NAME,
        "sees_agents": bool(scope and scope.sees_agents),
        # The KPI board is about a vendor as a whole: its manager's and the client's.
        "sees_contracts": bool(scope and scope.reach in (Reach.ALL, Reach.VENDOR)),
    }
