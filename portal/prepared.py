"""Queries compiled once per process, for the few reads on the hottest request path.

Django compiles a queryset to SQL every time it runs it. For a small query that costs
several times the query itself: reading a notice with its versions for an
acknowledgement took 1.7 ms to compile and 0.3 ms to run (``benchmarks/ack_load.py``).
A ``PreparedQuery`` compiles its queryset once, with stand-in ids, and then runs the
same SQL with the real ones; Django's own converters turn the rows into Python values
(dates on SQLite, JSON, StreamFields), as ``values_list`` would.

The queryset must depend on nothing but its parameters, which are ids: no
``for_user`` (its filter names the first user it met), no ``timezone.now()``. A
vendor-owned model's queryset says ``unscoped()``, as it would anyway for code that has
checked access itself.
"""

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

#: Stand-in ids, far from any real one, that mark where each parameter goes.
_STAND_IN = -(2**31) + 7_919


@dataclass(frozen=True)
class _Compiled:
    sql: str
    #: Each parameter of the SQL: the name of the caller's id, or a constant of the query.
    slots: tuple[tuple[str | None, Any], ...]
    compiler: Any
    converters: dict


class PreparedQuery:
    """``build(**ids)`` returns a ``values_list`` queryset; calling the prepared query
    with the same names returns its rows as tuples.

    ``PreparedQuery(lambda notice_id: Version.objects.filter(notice_id=notice_id)
    .values_list("pk", "number"), "notice_id")(notice_id=4)``
    """

    def __init__(self, build: Callable[..., QuerySet], *names: str):
        self.build = build
        self.names = names
        # By connection: each thread has its own, and a converter is given the
        # connection its query was compiled for.
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self, connection) -> _Compiled:
        stand_ins = {name: _STAND_IN + i for i, name in enumerate(self.names)}
        by_value = {value: name for name, value in stand_ins.items()}
        queryset = self.build(**stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = tuple(
            (by_value[p], None) if isinstance(p, int) and p in by_value else (None, p)
            for p in params
        )
        missing = set(self.names) - {name for name, _ in slots if name}
        if missing:
            raise ValueError(f"the query does not use {', '.join(sorted(missing))}")
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        return _Compiled(
            sql=sql,
            slots=slots,
            compiler=compiler,
            converters=compiler.get_converters(fields),
        )

    def __call__(self, using: str = DEFAULT_DB_ALIAS, **ids: int) -> list[tuple]:
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        params = [int(ids[name]) if name else value for name, value in compiled.slots]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return [tuple(row) for row in rows]


def loaded_fields(model, *, leave_out: tuple[str, ...] = ()) -> list:
    """``model``'s columns but ``leave_out`` (long text a caller never reads): what a
    prepared query selects to build instances with ``instance``."""
    return [f for f in model._meta.concrete_fields if f.name not in leave_out]


def instance(model, fields: list, values) -> Any:
    """A ``model`` instance from a prepared query's values for ``fields``, as the ORM
    would have built it: any column left out is loaded when first read."""
    return model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], list(values))
