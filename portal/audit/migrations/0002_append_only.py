from django.db import migrations

from portal.audit import guards


def install(apps, schema_editor):
    guards.install(schema_editor.connection, "audit_auditrecord")


def remove(apps, schema_editor):
    guards.remove(schema_editor.connection, "audit_auditrecord")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
