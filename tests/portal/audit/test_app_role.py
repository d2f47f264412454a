"""The running app's PostgreSQL role: the app's own writes work, and the ledger cannot be
rewritten, emptied or unguarded by it, the append-only triggers aside.

Roles belong to the whole cluster, which other test runs share: each database gets a role
named after it, created inside the test's transaction and dropped at its end.
"""

import io
import re
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from psycopg import sql

from notices.models import Acknowledgement
from portal.audit import guards
from portal.audit.chain import seal, verify_chain, verify_linked_records
from tests.notices.builders import ack, publish_notice
from tests.training.builders import publish_course
from training.builders import pass_course
from training.models import SignOff
from training.readiness import agent_readiness
from training.signing import sign_off

pytestmark = pytest.mark.django_db
POSTGRESQL_ONLY = "database roles exist on PostgreSQL only (DATABASE_URL=postgres://…)"
#: SQLSTATE insufficient_privilege: refused by the grants, not by a trigger (P0001).
DENIED = "42501"


def run(statement, *args):
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL(statement).format(*args).as_string(connection.connection))
        return cursor.fetchall() if cursor.description else None


def role_exists(role) -> bool:
    return bool(run("SELECT 1 FROM pg_roles WHERE rolname = {}", sql.Literal(role)))


@pytest.fixture
def app_role(db):
    if connection.vendor != "postgresql":
        pytest.skip(POSTGRESQL_ONLY)
    role = re.sub(r"[^a-z0-9_]", "_", connection.settings_dict["NAME"].lower())[:59] + "_app"
    yield role
    try:
        run("RESET ROLE")
        if role_exists(role):
            run("DROP OWNED BY {}", sql.Identifier(role))
            run("DROP ROLE {}", sql.Identifier(role))
    except DatabaseError:
        # The test's transaction is already lost; rolling it back drops the role too.
        pass


@contextmanager
def as_role(role):
    """The test's connection as ``role`` for a block: its queries are the running app's."""
    run("SET ROLE {}", sql.Identifier(role))
    try:
        yield
    finally:
        run("RESET ROLE")


def refused(statement, *args):
    """The statement fails for lack of privilege, in a savepoint the test continues after."""
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        run(statement, *args)
    assert error.value.__cause__.sqlstate == DENIED, (statement, error.value)


def grant(role, **options) -> str:
    out = io.StringIO()
    call_command("grant_app_role", role=role, stdout=out, **options)
    return out.getvalue()


def test_the_app_role_makes_the_apps_records_and_cannot_rewrite_the_ledger(world, app_role):
    grant(app_role)
    grant(app_role)  # again: the same grants, no error
    for table in guards.guarded_tables():
        guards.install(connection, table)
    world.vendor_a.go_live_sign_off = True
    world.vendor_a.save()
    with as_role(app_role):
        assert run("SELECT current_user") == [(app_role,)]
        course = publish_course()
        notice = publish_notice(teams=[world.team_a1])
        assert ack(notice, world.agent_a1).created
        pass_course(course, world.agent_a1)
        _, signed = sign_off(agent_readiness(world.agent_a1), world.lead_a1.user)
        assert signed
        assert seal() == 2  # the sealer, as beat runs it, only ever inserts
        assert verify_chain().intact and verify_linked_records() == []
        for table in guards.guarded_tables():
            name = sql.Identifier(table)
            refused("UPDATE {} SET id = id", name)
            refused("DELETE FROM {}", name)
            refused("TRUNCATE {} CASCADE", name)
            refused("ALTER TABLE {} DISABLE TRIGGER ALL", name)
            refused("ALTER TABLE {} OWNER TO {}", name, sql.Identifier(app_role))
            for trigger in triggers(table):
                refused("ALTER TABLE {} DISABLE TRIGGER {}", name, sql.Identifier(trigger))
                refused("DROP TRIGGER {} ON {}", sql.Identifier(trigger), name)
        run("UPDATE notices_delivery SET id = id")
        run("DELETE FROM notices_delivery WHERE id < 0")
        refused("TRUNCATE notices_delivery")
        if connection.pg_version >= 150000:
            # Before PostgreSQL 15, PUBLIC may create in schema public unless a DBA revoked it.
            refused("CREATE TABLE public.audit_made_by_the_app (id int)")
    assert Acknowledgement.objects.count() == SignOff.objects.count() == 1
    assert len(triggers("notices_acknowledgement")) == 2


def triggers(table) -> list[str]:
    """The append-only guards on ``table`` (read as the owner or the app: pg_trigger is public)."""
    rows = run(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = {}::regclass AND NOT tgisinternal",
        sql.Literal(table),
    )
    return [name for (name,) in rows]


def test_the_app_role_owns_nothing_and_cannot_lift_its_limits(app_role):
    output = grant(app_role, password="Pa55'word%")
    assert run(
        "SELECT rolsuper, rolcreaterole, rolbypassrls, rolreplication, rolcreatedb, "
        "rolcanlogin, rolpassword IS NOT NULL FROM pg_authid WHERE rolname = {}",
        sql.Literal(app_role),
    ) == [(False, False, False, False, False, True, True)]
    assert run(
        "SELECT count(*) FROM pg_shdepend WHERE refobjid = {}::regrole AND deptype = 'o'",
        sql.Literal(app_role),
    ) == [(0,)]
    assert "Pa55" not in output
    assert "PASSWORD :'app_password'" in output


def test_a_table_a_later_migration_adds_is_granted_after_migrate(app_role, settings, monkeypatch):
    """The new ledger table only to SELECT and INSERT, the new ordinary table fully."""
    grant(app_role)
    run("CREATE TABLE audit_later_ledger (id serial PRIMARY KEY, said text)")
    run("CREATE TABLE audit_later_note (id serial PRIMARY KEY, said text)")
    monkeypatch.setattr(guards, "_guarded", [*guards.guarded_tables(), "audit_later_ledger"])
    with as_role(app_role):
        refused("INSERT INTO audit_later_note (said) VALUES ('closed until granted')")
    settings.DATABASE_APP_ROLE = app_role
    out = io.StringIO()
    call_command("migrate", verbosity=1, stdout=out)
    assert "audit_later_ledger" in out.getvalue()
    with as_role(app_role):
        run("INSERT INTO audit_later_ledger (said) VALUES ('stated once')")
        refused("UPDATE audit_later_ledger SET said = 'rewritten'")
        refused("DELETE FROM audit_later_ledger")
        run("INSERT INTO audit_later_note (said) VALUES ('a note')")
        run("UPDATE audit_later_note SET said = 'edited'")
        run("DELETE FROM audit_later_note")


def test_the_sql_for_a_dba_grants_the_ledger_only_select_and_insert(app_role):
    output = grant(app_role, sql=True)
    assert not role_exists(app_role), "--sql changes nothing"
    statements = [line for line in output.splitlines() if not line.startswith("--")]
    assert statements[0] == "BEGIN;" and statements[-1] == "COMMIT;"
    quoted = f'"{app_role}"'
    assert f"CREATE ROLE {quoted} LOGIN NOSUPERUSER" in statements[1]
    assert (
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO {quoted};'
        in statements
    )
    assert f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "public" TO {quoted};' in statements
    for table in guards.guarded_tables():
        naming = [line for line in statements if f'"{table}"' in line]
        assert naming == [
            f'REVOKE ALL ON TABLE "public"."{table}" FROM {quoted};',
            f'GRANT SELECT, INSERT ON TABLE "public"."{table}" TO {quoted};',
        ]
        # After the schema-wide grant, so the ledger's own grant is the one that stays.
        assert statements.index(naming[0]) > statements.index(
            f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO {quoted};'
        )


@pytest.mark.parametrize(
    "name",
    ['app"; DROP TABLE audit_auditrecord; --', "Portal_App", "portal app", "9app", "pg_app",
     "public", "", "x" * 64],
)  # fmt: skip
def test_a_role_name_that_is_not_plain_is_refused_and_nothing_is_created(app_role, name):
    before = run("SELECT rolname FROM pg_roles ORDER BY 1")
    with pytest.raises(CommandError):
        grant(name)
    assert run("SELECT rolname FROM pg_roles ORDER BY 1") == before


def test_a_role_that_could_lift_its_limits_is_refused(app_role):
    with pytest.raises(CommandError, match="the role this command runs as"):
        grant(run("SELECT current_user")[0][0])
    run("CREATE ROLE {} CREATEROLE", sql.Identifier(app_role))
    with pytest.raises(CommandError, match="CREATEROLE"):
        grant(app_role)
    run("ALTER ROLE {} NOCREATEROLE", sql.Identifier(app_role))
    run("CREATE TABLE audit_owned_by_the_app (id int)")
    run("ALTER TABLE audit_owned_by_the_app OWNER TO {}", sql.Identifier(app_role))
    with pytest.raises(CommandError, match="must own nothing"):
        grant(app_role)
    # Nothing granted: the owner's own privileges on its table aside.
    assert not run(
        "SELECT 1 FROM information_schema.role_table_grants WHERE grantee = {} "
        "AND table_name <> 'audit_owned_by_the_app'",
        sql.Literal(app_role),
    )


def test_a_privilege_the_role_holds_through_public_undoes_the_grants(app_role):
    run("GRANT UPDATE ON notices_acknowledgement TO PUBLIC")
    with pytest.raises(CommandError, match="UPDATE on notices_acknowledgement"):
        grant(app_role)
    assert not role_exists(app_role)


def test_sqlite_says_roles_are_a_postgresql_feature(db):
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the command grants (the tests above)")
    with pytest.raises(CommandError, match="PostgreSQL feature"):
        grant("portal_app")
