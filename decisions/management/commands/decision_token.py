"""python manage.py decision_token create --vendor CODE --name NAME | revoke ID | list"""

from django.core.management.base import CommandError
from django.utils import timezone

from decisions.api import issue_token
from decisions.models import CrmToken
from portal.organisation.models import Vendor
from portal.organisation.scoping import ScopedCommand, system_scope


class Command(ScopedCommand):
    help = "Tokens with which a vendor's CRM records decisions (README: Decisions)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a token and print it, once")
        create.add_argument("--vendor", required=True, help="vendor code, e.g. HGCS")
        create.add_argument("--name", required=True, help="the system using it, e.g. CRM")
        revoke = actions.add_parser("revoke", help="stop a token from working")
        revoke.add_argument("id", type=int)
        actions.add_parser("list", help="every token, without the token itself")

    @system_scope("manages every vendor's CRM tokens, from the command line")
    def handle(self, *args, action, **options):
        tokens = CrmToken.objects.unscoped()
        if action == "create":
            vendor = Vendor.objects.unscoped().filter(code__iexact=options["vendor"]).first()
            if vendor is None:
                raise CommandError(f"Unknown vendor code {options['vendor']!r}.")
            row, token = issue_token(vendor, options["name"])
            self.stdout.write(f"token {row.pk} for {vendor.code} ({row.name}); shown only now:")
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
                self.stdout.write(f"{row.pk}\t{row.vendor.code}\t{row.name}\t{state}")
