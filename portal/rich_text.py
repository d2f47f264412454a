"""Rich text as each reader may see it. Apart from ``portal.visibility`` because
Wagtail's link handlers load the page model when imported, which models' modules (that
use ``visibility``) cannot wait for."""

from django.utils.html import escape
from wagtail.rich_text.pages import PageLinkHandler

from portal.visibility import viewer, visible_page_ids


class VisiblePageLinkHandler(PageLinkHandler):
    """Rich-text links to pages: a link to a page the reader may not open renders as its
    text alone, without the address (the page's own title is never shown by it)."""

    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict]) -> list[str]:
        pages = cls.get_many(attrs_list)
        allowed = visible_page_ids(viewer(), [page.pk for page in pages if page is not None])
        return [
            f'<a href="{escape(page.localized.url)}">' if page and page.pk in allowed else "<a>"
            for page in pages
        ]
