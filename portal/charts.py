"""The charts of managers' pages, drawn as inline SVG with no chart library (and no
script): a share per day (acknowledged, ready) as a line between two dates
(``charts/_day_chart.html``), and a small trend of a figure over periods against its
target (``charts/_trend_chart.html``), each point classed by its status."""

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


TREND_WIDTH, TREND_HEIGHT = 240, 60


def trend_chart(points: list[tuple[str, float | None, str]], *, target: float | None) -> dict:
    """``points`` are (period label, value or None, CSS class) oldest first; ``target``
    is drawn as a dashed line. A period without a value is a gap in the line, never a 0.
    The scale spans the values and the target, with a margin."""
    values = [value for _label, value, _css in points if value is not None]
    known = values + ([target] if target is not None else [])
    if not known:
        return {"width": TREND_WIDTH, "height": TREND_HEIGHT, "lines": [], "dots": []}
    low, high = min(known), max(known)
    margin = (high - low) * 0.15 or abs(high) * 0.05 or 1
    low, high = low - margin, high + margin
    step = TREND_WIDTH / max(1, len(points) - 1)

    def y(value: float) -> int:
        return round(TREND_HEIGHT - TREND_HEIGHT * (value - low) / (high - low))

    lines, run, dots = [], [], []
    for index, (label, value, css) in enumerate(points):
        if value is None:
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
            continue
        x = round(index * step)
        run.append(f"{x},{y(value)}")
        dots.append({"x": x, "y": y(value), "css": css, "label": label})
    if len(run) > 1:
        lines.append(" ".join(run))
    return {
        "width": TREND_WIDTH,
        "height": TREND_HEIGHT,
        "lines": lines,
        "dots": dots,
        "target_y": y(target) if target is not None else None,
    }
