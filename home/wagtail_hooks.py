"""Site-wide Wagtail registrations: rich-text page links pass the portal's visibility check."""

from wagtail import hooks

from portal.rich_text import VisiblePageLinkHandler


# After Wagtail's own registration of the "page" link type (order 0), so that ours wins.
@hooks.register("register_rich_text_features", order=100)
def page_links_follow_visibility(features):
    features.register_link_type(VisiblePageLinkHandler)
