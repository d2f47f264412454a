from django.db import migrations

from portal.audit import guards


def install(apps, schema_editor):
    guards.install(schema_editor.connection, "training_signoff")


def remove(apps, schema_editor):
    guards.remove(schema_editor.connection, "training_signoff")


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
