"""Triggers that make tables append-only below the application.

Installed by each app's migration on its own table (the audit trail here); each app
registers the table too, in its ``ready`` (``register_attested`` or
``register_guarded_table``), so that the foundation never names an upper app's tables.
PostgreSQL raises from a trigger function; SQLite from ``RAISE(ABORT)``. TRUNCATE is a
separate privilege on PostgreSQL and is how a test database is emptied between tests.
"""

MESSAGE = "append-only: %s rows are never updated or deleted"


def _names(table: str) -> tuple[str, str]:
    return f"{table}_append_only", f"{table}_append_only_fn"


def install(connection, table: str) -> None:
    trigger, function = _names(table)
    message = MESSAGE % table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            cursor.execute(
                f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}()"
            )
        elif connection.vendor == "sqlite":
            for event in ("UPDATE", "DELETE"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}_{event.lower()}")
                cursor.execute(
                    f"CREATE TRIGGER {trigger}_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
                )


def remove(connection, table: str) -> None:
    trigger, function = _names(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}()")
        elif connection.vendor == "sqlite":
            for event in ("update", "delete"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}_{event}")


_guarded: list[str] = []


def register_guarded_table(table: str) -> None:
    if table not in _guarded:
        _guarded.append(table)


def guarded_tables() -> list[str]:
    """Every append-only table (tests on SQLite lift the guards to empty the database)."""
    return list(_guarded)
