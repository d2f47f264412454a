"""Create the running app's PostgreSQL role and grant it least privilege (``app_role``)."""

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from portal.audit.app_role import RoleRefused, grant, plan
from portal.organisation.scoping import ScopedCommand


class Command(ScopedCommand):
    help = (
        "Create the role web, worker and beat connect as, if missing, and grant it SELECT "
        "and INSERT only on the ledger (append-only tables) and ordinary DML elsewhere. "
        "Run it as the role that owns the tables; it prints the SQL it runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--role",
            default=settings.DATABASE_APP_ROLE,
            help="the app's role (default: DATABASE_APP_ROLE)",
        )
        parser.add_argument(
            "--password",
            default=settings.DATABASE_APP_PASSWORD,
            help="set the role's password (default: DATABASE_APP_PASSWORD, which keeps it "
            "out of the process list)",
        )
        parser.add_argument(
            "--sql", action="store_true", help="only print the SQL, for a DBA; change nothing"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    # Catalog queries and GRANTs only: no vendor's rows are read, so no scope is stated.
    def handle(self, *args, **options):
        role = options["role"]
        if not role:
            raise CommandError("Name the app's role: --role NAME (or set DATABASE_APP_ROLE).")
        connection = connections[options["database"]]
        apply = plan if options["sql"] else grant
        try:
            grants = apply(connection, role, options["password"] or None)
        except RoleRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(grants.script())
        if not options["sql"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{role}: SELECT, INSERT on {len(grants.ledger)} ledger table(s); "
                    f"SELECT, INSERT, UPDATE, DELETE on the other tables of {grants.schema}."
                )
            )
