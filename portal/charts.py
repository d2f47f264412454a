"""The one chart of managers' pages: a share per day (acknowledged, ready) drawn as an SVG
line between two dates, with no chart library. ``charts/_day_chart.html`` draws it."""

from datetime import date

WIDTH, HEIGHT = 600, 160


def day_chart(
    points: list[tuple[date, float]],
    *,
    first: date,
    last: date,
    days: list[tuple[date, object]],
    running: bool = False,
    target: bool = False,
    marks: tuple[tuple[date, str, str | None], ...] = (),
    prefix: str = "",
    suffix: str = "",
    **more,
) -> dict:
    """``points`` are (day, share from 0 to 1) in day order; the days from ``first`` to
    ``last`` span the width.

    A ``running`` total starts from nothing the day before ``first`` and holds its last
    value to the right edge. ``target`` draws the 100 % line; ``marks`` are vertical lines
    (day, CSS class, and a label for the caption or ``None``). The caption shows ``days``,
    (day, value) with ``prefix`` and ``suffix``; ``more`` is passed to the template as is.
    """
    lead = 1 if running else 0
    span = max(1, (last - first).days) + lead

    def x(day: date) -> int:
        return round(WIDTH * ((day - first).days + lead) / span)

    coords = [(x(day), round(HEIGHT - HEIGHT * share)) for day, share in points]
    if running:
        coords = [(0, HEIGHT), *coords, (WIDTH, coords[-1][1])]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "points": " ".join(f"{cx},{cy}" for cx, cy in coords),
        "first": first,
        "last": last,
        "target": target,
        "marks": [
            {"x": x(day), "css": css, "label": label, "day": day} for day, css, label in marks
        ],
        "days": days,
        "prefix": prefix,
        "suffix": suffix,
        **more,
    }
