from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        # Failed sign-ins are counted by django-axes now (per account and address).
        migrations.DeleteModel(name="LoginFailure"),
    ]
