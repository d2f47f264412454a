"""The IP address and browser leave the row: they are kept, erasably, beside its audit
record (``portal.audit`` 0005 moved them there from the records, which held the same)."""

from django.db import migrations

from portal.audit import guards


def guard(apps, schema_editor):
    # Again: SQLite rebuilds a table to drop a column, and its triggers go with it.
    guards.install(schema_editor.connection, "training_signoff")


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0005_no_truncate"),
        ("audit", "0005_personal_details_beside_records"),
    ]

    operations = [
        migrations.RemoveField(model_name="signoff", name="ip_address"),
        migrations.RemoveField(model_name="signoff", name="user_agent"),
        migrations.RunPython(guard, migrations.RunPython.noop),
    ]
