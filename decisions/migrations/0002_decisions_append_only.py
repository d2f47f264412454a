from django.db import migrations

from portal.audit import guards


def install(apps, schema_editor):
    guards.install(schema_editor.connection, "decisions_decision")


def remove(apps, schema_editor):
    guards.remove(schema_editor.connection, "decisions_decision")


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
