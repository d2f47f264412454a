"""Documents and images follow the pages that use them.

A file is served to client staff, and to a signed-in person who may open at least one
live page that uses it (Wagtail's reference index knows every use, in rich text and in
blocks alike; ``portal.visibility`` decides about each page). A file used only on a page
limited to another vendor, on drafts, or nowhere, does not exist for anyone else.
"""

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, ReferenceIndex

from portal.organisation.scoping import viewer_scope
from portal.visibility import visible_page_ids


def pages_using(obj) -> list[int]:
    """Ids of the pages whose saved (live) content refers to ``obj``."""
    page_type = ContentType.objects.get_for_model(Page)
    return [
        int(object_id)
        for object_id in ReferenceIndex.get_references_to(obj)
        .filter(base_content_type=page_type)
        .values_list("object_id", flat=True)
        .distinct()
    ]


def may_download(user, obj) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if viewer_scope(user).is_client_staff:
        return True
    return bool(visible_page_ids(user, pages_using(obj)))
