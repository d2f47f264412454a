"""CRM tokens become the portal's system tokens (``portal.integrations``), allowed to
record decisions: same ids, same hashes, so every token a vendor holds keeps working."""

from django.core.management.color import no_style
from django.db import migrations


def to_system_tokens(apps, schema_editor):
    CrmToken = apps.get_model("decisions", "CrmToken")
    SystemToken = apps.get_model("integrations", "SystemToken")
    rows = [
        SystemToken(
            id=token.id,
            vendor_id=token.vendor_id,
            name=token.name,
            uses=["decisions"],
            token_hash=token.token_hash,
            created_at=token.created_at,
            revoked_at=token.revoked_at,
        )
        for token in CrmToken.objects.all()
    ]
    SystemToken.objects.bulk_create(rows)
    if rows:
        # Ids were given: the sequence (PostgreSQL) must start after them.
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [SystemToken]):
                cursor.execute(sql)


def to_crm_tokens(apps, schema_editor):
    CrmToken = apps.get_model("decisions", "CrmToken")
    SystemToken = apps.get_model("integrations", "SystemToken")
    CrmToken.objects.bulk_create(
        CrmToken(
            id=token.id,
            vendor_id=token.vendor_id,
            name=token.name,
            token_hash=token.token_hash,
            created_at=token.created_at,
            revoked_at=token.revoked_at,
        )
        for token in SystemToken.objects.all()
        if "decisions" in token.uses
    )


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0004_crm_tokens"),
        ("integrations", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_system_tokens, to_crm_tokens),
        migrations.DeleteModel(name="CrmToken"),
    ]
