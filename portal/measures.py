"""The portal's own KPI measures, by key: what a board computes beside the KPIs the
call-centre system reports, without anybody typing them.

Each app owns its measures (its ``measures`` module) and registers them here when Django
starts (``@register_measure("key")``, imported in the app's ``ready``), so the foundation
does not import the apps built on it. Every measure has the same signature,
``measure(vendor_ids, periods) -> {(vendor id, period start): Measure}``, answers every
vendor and period asked for, and counts them in one query.

The vendors are chosen by the caller, who has already decided which the viewer may see:
a measure counts the vendors it is given (``.unscoped()``, said where it is done).
"""

from collections.abc import Callable, Sequence
from functools import wraps

from .periods import Measures, Period

MeasureFunction = Callable[[list[int], Sequence[Period]], Measures]

_measures: dict[str, MeasureFunction] = {}


def register_measure(key: str):
    """Decorator: the measure known as ``key`` (one app per key). Asked for no vendor or
    no period, it answers nothing without a query."""

    def decorator(function: MeasureFunction) -> MeasureFunction:
        if key in _measures:
            raise ValueError(f"The measure {key!r} is registered twice.")

        @wraps(function)
        def counted(vendor_ids, periods) -> Measures:
            if not vendor_ids or not periods:
                return {}
            return function(list(vendor_ids), list(periods))

        _measures[key] = counted
        return counted

    return decorator


def measure_keys() -> list[str]:
    return sorted(_measures)


def measure(key: str) -> MeasureFunction:
    try:
        return _measures[key]
    except KeyError:
        raise KeyError(f"No measure is registered as {key!r}.") from None


def compute(key: str, vendor_ids: Sequence[int], periods: Sequence[Period]) -> Measures:
    """The measure ``key`` for each of ``vendor_ids`` in each of ``periods``."""
    return measure(key)(vendor_ids, periods)
