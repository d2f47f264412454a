"""The app role's grants again after every migrate (``app_role``), when one is named."""

import sys

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from .app_role import RoleRefused, grant


def grant_app_role_after_migrate(
    sender, using=DEFAULT_DB_ALIAS, verbosity=1, stdout=None, **kwargs
):
    """``DATABASE_APP_ROLE`` gets its grants again once every migration has run: a table a
    migration just added is open to the app, and a new ledger table only to SELECT and
    INSERT. Without it the app role could not touch a new table at all (no default
    privileges), which fails closed but fails."""
    role = settings.DATABASE_APP_ROLE
    connection = connections[using]
    if not role or connection.vendor != "postgresql":
        return
    try:
        grants = grant(connection, role, settings.DATABASE_APP_PASSWORD or None)
    except RoleRefused as refusal:
        raise CommandError(
            f"DATABASE_APP_ROLE: {refusal} The migrations were applied; the grants were not."
        ) from refusal
    if verbosity >= 1:
        # migrate passes its stdout; flush does not.
        (stdout or sys.stdout).write(
            f"  {role}: SELECT, INSERT only on {', '.join(grants.ledger) or 'no ledger table'}\n"
        )
