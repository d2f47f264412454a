"""Turn Wagtail's initial welcome page into the portal's HomePage, in place.

Keeping the same page row (path, locale, site) avoids rebuilding the tree by hand.
"""

from django.db import migrations


def convert_welcome_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    HomePage = apps.get_model("home", "HomePage")

    home_type, _ = ContentType.objects.get_or_create(app_label="home", model="homepage")
    page_type = ContentType.objects.filter(app_label="wagtailcore", model="page").first()
    welcome = Page.objects.filter(depth=2, content_type=page_type).order_by("path").first()
    if welcome is None or HomePage.objects.exists():
        return
    home = HomePage(page_ptr_id=welcome.pk, welcome="")
    home.save_base(raw=True)
    Page.objects.filter(pk=welcome.pk).update(
        content_type=home_type, title="홈", draft_title="홈"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(convert_welcome_page, migrations.RunPython.noop)]
