from django.db import migrations

from portal.audit import guards


class Migration(migrations.Migration):
    dependencies = [("notices", "0006_material_change_help_on_the_form")]
    operations = [guards.refuse_truncate("notices_acknowledgement")]
