from django.db import migrations

from portal.audit import guards


def install(apps, schema_editor):
    guards.install(schema_editor.connection, "notices_acknowledgement")


def remove(apps, schema_editor):
    guards.remove(schema_editor.connection, "notices_acknowledgement")


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
