"""python manage.py api_token create --vendor CODE --name NAME --use USE [--use USE…]
| revoke ID | list"""

from django.core.management.base import CommandError
from django.utils import timezone

from portal.integrations.models import SystemToken
from portal.integrations.tokens import USES, issue_token
from portal.organisation.models import Vendor
from portal.organisation.scoping import ScopedCommand, system_scope


class Command(ScopedCommand):
    help = "Tokens with which a vendor's systems call the portal (README: Integrations)."

    #: A command fixed to some uses (``decision_token``) sets them; --use is then not asked.
    fixed_uses: tuple[str, ...] = ()

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a token and print it, once")
        create.add_argument("--vendor", required=True, help="vendor code, e.g. HGCS")
        create.add_argument("--name", required=True, help="the system using it, e.g. CRM")
        if not self.fixed_uses:
            create.add_argument(
                "--use",
                action="append",
                dest="uses",
                required=True,
                choices=sorted(USES),
                help="what the token may do; repeat for several",
            )
        revoke = actions.add_parser("revoke", help="stop a token from working")
        revoke.add_argument("id", type=int)
        actions.add_parser("list", help="every token, without the token itself")

    @system_scope("manages every vendor's system tokens, from the command line")
    def handle(self, *args, action, **options):
        tokens = SystemToken.objects.unscoped()
        if self.fixed_uses:
            tokens = tokens.filter(pk__in=self._ids_with_fixed_uses(tokens))
        if action == "create":
            vendor = Vendor.objects.unscoped().filter(code__iexact=options["vendor"]).first()
            if vendor is None:
                raise CommandError(f"Unknown vendor code {options['vendor']!r}.")
            uses = self.fixed_uses or options["uses"]
            row, token = issue_token(vendor, options["name"], uses)
            self.stdout.write(
                f"token {row.pk} for {vendor.code} ({row.name}; {', '.join(row.uses)}); "
                "shown only now:"
            )
            self.stdout.write(token)
        elif action == "revoke":
            if not tokens.filter(pk=options["id"], revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            ):
                raise CommandError(f"No active token {options['id']}.")
            self.stdout.write(f"token {options['id']} revoked")
        else:
            for row in tokens.select_related("vendor").order_by("pk"):
                state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
                uses = ",".join(row.uses)
                self.stdout.write(f"{row.pk}\t{row.vendor.code}\t{row.name}\t{uses}\t{state}")

    def _ids_with_fixed_uses(self, tokens) -> list[int]:
        # ``uses`` is a JSON list; SQLite cannot ask "contains" of it in SQL.
        return [
            pk for pk, uses in tokens.values_list("pk", "uses") if set(self.fixed_uses) & set(uses)
        ]
