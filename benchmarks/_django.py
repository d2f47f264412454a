"""Run a benchmark against a throw-away database on the configured engine.

``DATABASE_URL`` chooses PostgreSQL; otherwise SQLite. The database is created with
Django's test-database machinery and destroyed afterwards, so nothing real is touched.
"""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def benchmark_database(keep: bool = False, fresh: bool = False, name: str = "portal_bench"):
    """A throw-away database; ``keep`` leaves it in place for the next run to reuse."""
    sys.path.insert(0, str(ROOT))  # the project, and tests.factories for sample people
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    # Not the test suite's database: a benchmark may run while the tests do.
    is_sqlite = connection.vendor == "sqlite"
    bench_name = str(ROOT / "var" / f"{name}.sqlite3") if is_sqlite else name
    connection.settings_dict.setdefault("TEST", {})["NAME"] = bench_name
    # serialize=False: a kept database may hold millions of rows no test will restore.
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=keep and not fresh
    )
    from portal.organisation.scoping import system_scope

    try:
        # The benchmark's own set-up and checks see every vendor; requests it makes are
        # served as their users, and tasks state their own scope.
        with system_scope("benchmark"):
            yield connection
    finally:
        if not keep:
            connection.close()
            connection.creation.destroy_test_db(old_name, verbosity=0)


def database_url(connection) -> str:
    """A URL for the benchmark database, for the worker and server processes."""
    from tests.worker import database_url as url_of_current_database

    return url_of_current_database()
