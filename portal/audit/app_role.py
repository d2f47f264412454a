"""The running app's PostgreSQL role: least privilege under the append-only triggers.

Migrations run as the role that owns the tables. Web, worker and beat connect as a role
that owns nothing and may only SELECT and INSERT on the ledger (every table in
``guards.guarded_tables()``), so neither a bug nor a stolen app password can UPDATE,
DELETE or TRUNCATE a ledger row, nor lift the triggers that refuse it: ALTER TABLE ...
DISABLE TRIGGER and DROP TRIGGER take the table's owner. Every other table gets ordinary
DML (SELECT, INSERT, UPDATE, DELETE), the sequences USAGE and SELECT, the schema USAGE.

``grant`` (re)applies all of it in one transaction and then checks what the role can
still do on the ledger, however it came by it (PUBLIC, a role it belongs to); anything
beyond SELECT and INSERT undoes the lot. ``grant_app_role`` runs it or prints it for a
DBA, and ``migrate`` runs it again when ``DATABASE_APP_ROLE`` is set, so a table a later
migration adds is covered. No default privileges are set on purpose: a table created
before the next grant is closed to the app, never open to it.
"""

import re
from dataclasses import dataclass

from django.db import transaction
from psycopg import sql

from .guards import guarded_tables

#: A plain, unquoted identifier as a DBA would type it. Anything else is refused rather
#: than quoted into a role nobody meant (``Portal`` and ``portal`` are two roles).
_PLAIN = re.compile(r"[a-z_][a-z0-9_]{0,62}")
#: Names PostgreSQL reads as something other than an ordinary role.
_RESERVED = {"public", "none", "current_role", "current_user", "session_user"}
LEDGER_PRIVILEGES = ("SELECT", "INSERT")
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
#: What the role must not hold on a ledger table by any route.
_FORBIDDEN = ("UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
#: Column privileges: UPDATE on one column is still an UPDATE of the ledger.
_BY_COLUMN = ("UPDATE", "REFERENCES")
#: The password is printed as this psql variable: the SQL a DBA is handed never holds it.
_PSQL_VARIABLE = "app_password"


class RoleRefused(Exception):
    """Nothing was changed; the message says why."""


@dataclass(frozen=True)
class Statement:
    run: str
    shown: str


@dataclass(frozen=True)
class Grants:
    role: str
    database: str
    schema: str
    ledger: list[str]
    not_yet_created: list[str]
    statements: list[Statement]

    def script(self) -> str:
        """The SQL as a DBA would apply it with psql, in one transaction."""
        lines = [f"-- The running app's role {self.role}: SELECT and INSERT only on the ledger"]
        lines.append(f"-- ({', '.join(self.ledger) or 'no ledger table yet'}).")
        if self.not_yet_created:
            waiting = ", ".join(self.not_yet_created)
            lines.append(f"-- Not created yet, covered by the next migrate: {waiting}.")
        if any(f":'{_PSQL_VARIABLE}'" in statement.shown for statement in self.statements):
            lines.append(f"-- In psql, first: \\set {_PSQL_VARIABLE} '<the password>'")
        lines.append("BEGIN;")
        lines += [f"{statement.shown};" for statement in self.statements]
        lines.append("COMMIT;")
        return "\n".join(lines)


def check_name(role: str) -> None:
    if not _PLAIN.fullmatch(role or ""):
        raise RoleRefused(
            f"{role!r} is not a plain role name: use lower-case letters, digits and "
            f"underscores, starting with a letter or underscore, at most 63 characters."
        )
    if role in _RESERVED or role.startswith("pg_"):
        raise RoleRefused(f"{role!r} is reserved by PostgreSQL; choose another role name.")


def plan(connection, role: str, password: str | None = None) -> Grants:
    """What ``grant`` would run, after refusing a role that cannot be held to it."""
    if connection.vendor != "postgresql":
        raise RoleRefused(
            f"Database roles are a PostgreSQL feature; this database is "
            f"{connection.display_name}, which has none, so nothing was changed. The "
            f"append-only triggers still guard the ledger."
        )
    check_name(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database(), current_schema()")
        owner, database, schema = cursor.fetchone()
        if schema is None:
            raise RoleRefused("No schema on the search path holds the portal's tables.")
        if role == owner:
            raise RoleRefused(
                f"{role} is the role this command runs as, which owns the tables; the "
                f"running app needs a role of its own."
            )
        exists = _refuse_privileged(cursor, role)
        if exists:
            _refuse_owner(cursor, role, schema)
        cursor.execute(
            "SELECT c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = %s "
            "WHERE c.relname = ANY(%s) AND c.relkind IN ('r', 'p')",
            [schema, guarded_tables()],
        )
        created = {name for (name,) in cursor.fetchall()}
    ledger = [table for table in guarded_tables() if table in created]
    statements = _statements(role, password, exists, database, schema, ledger)
    raw = connection.connection
    return Grants(
        role=role,
        database=database,
        schema=schema,
        ledger=ledger,
        not_yet_created=[table for table in guarded_tables() if table not in created],
        statements=[
            Statement(run=run.as_string(raw), shown=shown.as_string(raw))
            for run, shown in statements
        ],
    )


def grant(connection, role: str, password: str | None = None) -> Grants:
    """Create ``role`` if missing and grant it exactly the app's privileges; idempotent."""
    with transaction.atomic(using=connection.alias):
        grants = plan(connection, role, password)
        with connection.cursor() as cursor:
            for statement in grants.statements:
                cursor.execute(statement.run)
            left = _forbidden_left(cursor, role, grants.schema, grants.ledger)
        if left:
            # Raising inside the atomic block undoes every statement above.
            raise RoleRefused(
                f"{role} would still hold {', '.join(left)} through PUBLIC or a role it "
                f"belongs to; revoke that first. Nothing was changed."
            )
    return grants


def _refuse_privileged(cursor, role: str) -> bool:
    """Whether ``role`` exists; a role that could lift its own limits is refused."""
    cursor.execute(
        "SELECT rolsuper, rolcreaterole, rolbypassrls, rolreplication "
        "FROM pg_roles WHERE rolname = %s",
        [role],
    )
    row = cursor.fetchone()
    if row is None:
        return False
    held = [
        name
        for name, has in zip(
            ("SUPERUSER", "CREATEROLE", "BYPASSRLS", "REPLICATION"), row, strict=True
        )
        if has
    ]
    if held:
        raise RoleRefused(
            f"{role} exists with {', '.join(held)}: no grant can limit it. Use another role, "
            f"or ALTER ROLE {role} NO{' NO'.join(held)} first."
        )
    return True


def _refuse_owner(cursor, role: str, schema: str) -> None:
    """An owner (or a member of the owner) may ALTER, DISABLE TRIGGER and DROP: refused."""
    cursor.execute(
        "SELECT count(*) FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid "
        "WHERE r.rolname = %s AND d.deptype = 'o'",
        [role],
    )
    (owned,) = cursor.fetchone()
    if owned:
        raise RoleRefused(
            f"{role} owns {owned} database object(s); the running app's role must own "
            f"nothing (REASSIGN OWNED BY {role} TO <owner> first)."
        )
    cursor.execute(
        "SELECT kind, name, pg_get_userbyid(owner) FROM ("
        "  SELECT 'database' AS kind, datname AS name, datdba AS owner FROM pg_database"
        "  WHERE datname = current_database()"
        "  UNION ALL SELECT 'schema', nspname, nspowner FROM pg_namespace WHERE nspname = %s"
        "  UNION ALL SELECT 'table', c.relname, c.relowner FROM pg_class c"
        "  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = %s"
        ") AS owned WHERE pg_has_role(%s, owner, 'MEMBER') ORDER BY kind, name LIMIT 3",
        [schema, schema, role],
    )
    rows = cursor.fetchall()
    if rows:
        named = ", ".join(f"{kind} {name} (owned by {owner})" for kind, name, owner in rows)
        raise RoleRefused(
            f"{role} may act as the owner of {named}: the running app's role must belong "
            f"to no role that owns the database, the schema or its tables."
        )


def _statements(role, password, exists, database, schema, ledger):
    """(run, shown) pairs; they differ only where the password is."""
    name, space = sql.Identifier(role), sql.Identifier(schema)
    pairs = []
    about_role = None
    if not exists:
        about_role = sql.SQL(
            "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
        ).format(name)
    elif password:
        about_role = sql.SQL("ALTER ROLE {}").format(name)
    if about_role is not None and password:
        about_role += sql.SQL(" PASSWORD ")
        shown_as = sql.SQL(f":'{_PSQL_VARIABLE}'")
        pairs.append((about_role + sql.Literal(password), about_role + shown_as))
    elif about_role is not None:
        pairs.append((about_role, about_role))

    def same(template, *args):
        statement = sql.SQL(template).format(*args)
        pairs.append((statement, statement))

    same("GRANT CONNECT ON DATABASE {} TO {}", sql.Identifier(database), name)
    same("REVOKE ALL ON SCHEMA {} FROM {}", space, name)
    same("GRANT USAGE ON SCHEMA {} TO {}", space, name)
    # Everything revoked first, so a privilege granted by hand earlier does not linger.
    same("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}", space, name)
    same(f"GRANT {', '.join(TABLE_PRIVILEGES)} ON ALL TABLES IN SCHEMA {{}} TO {{}}", space, name)
    same("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}", space, name)
    same("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}", space, name)
    for table in ledger:
        qualified = sql.Identifier(schema, table)
        same("REVOKE ALL ON TABLE {} FROM {}", qualified, name)
        same(f"GRANT {', '.join(LEDGER_PRIVILEGES)} ON TABLE {{}} TO {{}}", qualified, name)
    return pairs


def _forbidden_left(cursor, role: str, schema: str, ledger: list[str]) -> list[str]:
    """What ``role`` can still do to a ledger table beyond SELECT and INSERT."""
    cursor.execute(
        "SELECT c.relname, p.privilege FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = %s "
        "CROSS JOIN unnest(%s::text[]) AS p(privilege) "
        "WHERE c.relname = ANY(%s) AND (has_table_privilege(%s, c.oid, p.privilege) "
        "  OR (p.privilege = ANY(%s) AND has_any_column_privilege(%s, c.oid, p.privilege))) "
        "ORDER BY 1, 2",
        [schema, list(_FORBIDDEN), ledger, role, list(_BY_COLUMN), role],
    )
    return [f"{privilege} on {table}" for table, privilege in cursor.fetchall()]
