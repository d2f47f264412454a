from django.db import migrations

from portal.audit import guards


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [guards.refuse_truncate("audit_auditrecord")]
