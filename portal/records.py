"""A vendor's records, by kind: what is handed over to the client at a contract's end.

Each app owns its records (its ``records`` module) and registers one function per kind
here when Django starts (``@register_records("kind", columns=[...])``, imported in the
app's ``ready``), so the foundation does not import the apps built on it. Every
function has the same signature, ``records(vendor_id) -> iterable of dicts``, and
streams (``values()`` and ``.iterator(chunk_size=...)``, one query per kind, or per
``CHUNK`` rows for what a row has many of, as people have channels): nothing holds a
vendor's records in memory at once.

The vendor is chosen by the caller, who has already decided that whoever asked may
export it (a client manager): a function reads its kind of that vendor ``.unscoped()``
and says so. Rows come back with exactly the registered columns, in their order, each
value JSON-safe (``plain``): times as ISO 8601 in UTC, decimals as text.

An attested kind (acknowledgements, sign-offs, decisions) names its rows' audit proof
in the columns of ``PROOF_COLUMNS`` (``proof_values`` selects them), so the client can
hold each row to a checkpoint of the ledger.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import wraps

from django.db.models import F
from django.db.models.fields.json import KeyTextTransform

#: Rows read from the database per round trip: memory stays flat, round trips few.
CHUNK = 2000

#: Every attested row's proof: its audit record, that record's keyed hash, and its place
#: in the chain (empty while the record waits for the sealer).
PROOF_COLUMNS = ["audit_record_id", "record_hash", "chain_position", "entry_hash"]


def proof_values() -> dict:
    """``values()`` expressions of ``PROOF_COLUMNS`` for a model with ``audit_record``."""
    return {
        "record_hash": F("audit_record__record_hash"),
        "chain_position": F("audit_record__chain_entry__position"),
        "entry_hash": F("audit_record__chain_entry__entry_hash"),
    }


def personal_values() -> dict:
    """``values()`` expressions of the IP address and browser kept beside an attested
    row's audit record (``portal.audit``'s personal details): empty once erased."""
    return {
        key: KeyTextTransform(key, "audit_record__personal__details")
        for key in ("ip_address", "user_agent")
    }


RecordsFunction = Callable[[int], Iterable[dict]]


@dataclass(frozen=True)
class RecordKind:
    key: str
    columns: tuple[str, ...]
    rows: Callable[[int], Iterator[dict]]
    #: Its rows carry ``PROOF_COLUMNS``.
    attested: bool


_kinds: dict[str, RecordKind] = {}


def register_records(key: str, *, columns: list[str], attested: bool = False):
    """Decorator: the records of kind ``key`` (one app per key), with these columns."""
    columns = tuple(columns) + (tuple(PROOF_COLUMNS) if attested else ())

    def decorator(function: RecordsFunction) -> RecordsFunction:
        if key in _kinds:
            raise ValueError(f"The records {key!r} are registered twice.")

        @wraps(function)
        def rows(vendor_id: int) -> Iterator[dict]:
            for row in function(vendor_id):
                yield {column: plain(row[column]) for column in columns}

        _kinds[key] = RecordKind(key, columns, rows, attested)
        return function

    return decorator


def record_kinds() -> list[RecordKind]:
    """Every registered kind, by key: the same order in every archive."""
    return [_kinds[key] for key in sorted(_kinds)]


def plain(value):
    """``value`` as JSON can say it, the same in every archive."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def agent_values() -> dict:
    """``values()`` expressions naming the agent of an agent-owned row, first in every
    kind about agents, as in every export (``portal.tabular.agent_columns``)."""
    return {"employee_number": F("agent__employee_number")}


def chunked(queryset) -> Iterator[dict]:
    """``queryset`` (of ``values()``) read ``CHUNK`` rows at a time."""
    return queryset.iterator(chunk_size=CHUNK)
