from django.db import migrations

from portal.audit import guards


class Migration(migrations.Migration):
    dependencies = [("training", "0004_material_change_help_on_the_form")]
    operations = [guards.refuse_truncate("training_signoff")]
