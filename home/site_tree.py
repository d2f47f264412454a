"""The site tree every portal needs: Wagtail's root, our HomePage, the default site, and
the root media collection.

Migrations make it once; this rebuilds it where it is missing (a flushed test database,
a database restored without pages). Safe to re-run.
"""

from django.conf import settings
from wagtail.models import Collection, Locale, Page, Site

from .models import HomePage


def ensure_site_tree() -> HomePage:
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        if not site.site_name:
            # The admin shows a site by its name, else by its hostname ("localhost").
            site.site_name = settings.WAGTAIL_SITE_NAME
            site.save(update_fields=["site_name"])
        return site.root_page.specific
    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    home = HomePage.objects.first()
    if home is None:
        home = root.add_child(instance=HomePage(title="홈", slug="home"))
    Site.objects.create(
        hostname="localhost",
        port=80,
        site_name=settings.WAGTAIL_SITE_NAME,
        root_page=home,
        is_default_site=True,
    )
    return home
