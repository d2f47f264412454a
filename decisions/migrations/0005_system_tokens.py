"""CRM tokens become the portal's system tokens (``portal.integrations``), allowed to
record decisions: same ids, same hashes, so every token a vendor holds keeps working."""

from django.core.management.color import no_style
from django.db import migrations


def _reset_sequence(schema_editor, model) -> None:
    # Ids were given: the sequence (PostgreSQL) must start after them.
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


def to_system_tokens(apps, schema_editor):
    CrmToken = apps.get_model("decisions", "CrmToken")
    SystemToken = apps.get_model("integrations", "SystemToken")
    # Applied again after a rollback, the tokens kept for other uses are there already.
    present = set(SystemToken.objects.values_list("token_hash", flat=True))
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
        for token in CrmToken.objects.exclude(token_hash__in=present)
    ]
    SystemToken.objects.bulk_create(rows)
    if rows:
        _reset_sequence(schema_editor, SystemToken)


def to_crm_tokens(apps, schema_editor):
    CrmToken = apps.get_model("decisions", "CrmToken")
    SystemToken = apps.get_model("integrations", "SystemToken")
    deciding = [token for token in SystemToken.objects.all() if "decisions" in token.uses]
    CrmToken.objects.bulk_create(
        CrmToken(
            id=token.id,
            vendor_id=token.vendor_id,
            name=token.name,
            token_hash=token.token_hash,
            created_at=token.created_at,
            revoked_at=token.revoked_at,
        )
        for token in deciding
    )
    if deciding:
        _reset_sequence(schema_editor, CrmToken)
    # Tokens for decisions alone are CRM tokens again; those for other uses stay too.
    SystemToken.objects.filter(pk__in=[t.pk for t in deciding if t.uses == ["decisions"]]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0004_crm_tokens"),
        ("integrations", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_system_tokens, to_crm_tokens),
        migrations.DeleteModel(name="CrmToken"),
    ]
