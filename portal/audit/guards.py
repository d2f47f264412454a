"""Triggers that make tables append-only below the application.

Installed by each app's migration on its own table (the audit trail here); each app
registers the table too, in its ``ready`` (``register_attested`` or
``register_guarded_table``), so that the foundation never names an upper app's tables.
PostgreSQL raises from a trigger function, for each row updated or deleted and for a
TRUNCATE statement (which row triggers do not see); SQLite, which has no TRUNCATE, from
``RAISE(ABORT)``. Tests that empty a PostgreSQL database with TRUNCATE lift them first.
"""

from django.db import migrations

MESSAGE = "append-only: %s rows are never updated or deleted"


def _names(table: str) -> tuple[str, str]:
    return f"{table}_append_only", f"{table}_append_only_fn"


def _refusal(cursor, table: str) -> str:
    """The PostgreSQL trigger function that refuses, made once per table."""
    function = _names(table)[1]
    cursor.execute(
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE % table}'; END; $$ LANGUAGE plpgsql"
    )
    return function


def install(connection, table: str) -> None:
    trigger, _ = _names(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            function = _refusal(cursor, table)
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            cursor.execute(
                f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}()"
            )
            _refuse_truncate(cursor, table, function)
        elif connection.vendor == "sqlite":
            for event in ("UPDATE", "DELETE"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}_{event.lower()}")
                cursor.execute(
                    f"CREATE TRIGGER {trigger}_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE % table}'); END"
                )


def install_truncate_guard(connection, table: str) -> None:
    """A statement-level trigger refusing TRUNCATE (PostgreSQL; SQLite has none)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        _refuse_truncate(cursor, table, _refusal(cursor, table))


def _refuse_truncate(cursor, table: str, function: str) -> None:
    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    cursor.execute(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
    )


def remove_truncate_guard(connection, table: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


def refuse_truncate(table: str) -> migrations.RunPython:
    """The migration operation adding the TRUNCATE guard to a table guarded before it."""
    return migrations.RunPython(
        lambda apps, schema_editor: install_truncate_guard(schema_editor.connection, table),
        lambda apps, schema_editor: remove_truncate_guard(schema_editor.connection, table),
    )


def remove(connection, table: str) -> None:
    trigger, function = _names(table)
    remove_truncate_guard(connection, table)
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
