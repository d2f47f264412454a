"""The one chart of managers' pages: its line in numbers, and its template."""

from datetime import date, timedelta

from django.template.loader import render_to_string

from portal.charts import HEIGHT, WIDTH, day_chart

DAY = date(2026, 3, 2)


def test_a_share_per_day_spans_the_days_from_first_to_last():
    chart = day_chart(
        [(DAY, 0), (DAY + timedelta(days=2), 0.5), (DAY + timedelta(days=4), 1)],
        first=DAY,
        last=DAY + timedelta(days=4),
        days=[],
    )
    assert chart["points"] == f"0,{HEIGHT} {WIDTH // 2},{HEIGHT // 2} {WIDTH},0"
    assert (chart["first"], chart["last"]) == (DAY, DAY + timedelta(days=4))


def test_a_running_total_starts_from_nothing_and_holds_to_the_edge():
    # One day: the day before it is the left edge, the day itself the middle.
    chart = day_chart([(DAY, 0.5)], first=DAY, last=DAY, running=True, days=[(DAY, 3)])
    assert chart["points"] == f"0,{HEIGHT} {WIDTH // 2},{HEIGHT // 2} {WIDTH},{HEIGHT // 2}"


def test_marks_sit_on_their_day_and_more_reaches_the_template():
    go_live = DAY + timedelta(days=3)
    chart = day_chart(
        [(DAY, 0.25)],
        first=DAY,
        last=DAY + timedelta(days=6),
        marks=[(DAY, "chart__axis", None), (go_live, "chart__golive", "Go-live")],
        days=[(DAY, 25)],
        go_live=go_live,
    )
    assert [(m["x"], m["css"]) for m in chart["marks"]] == [
        (0, "chart__axis"),
        (WIDTH // 2, "chart__golive"),
    ]
    assert chart["go_live"] == go_live


def test_the_template_draws_the_line_marks_and_caption():
    chart = day_chart(
        [(DAY, 0.5), (DAY + timedelta(days=1), 1)],
        first=DAY,
        last=DAY + timedelta(days=2),
        target=True,
        marks=[(DAY + timedelta(days=2), "chart__golive", "Go-live")],
        days=[(DAY, 50), (DAY + timedelta(days=1), 100)],
        suffix="%",
    )
    html = render_to_string(
        "charts/_day_chart.html", {"chart": chart, "title": "Readiness", "label": "Per day"}
    )
    assert "<h2>Readiness</h2>" in html
    assert 'aria-label="Per day"' in html
    assert f'<polyline points="{chart["points"]}" class="chart__line"/>' in html
    assert 'class="chart__target"' in html
    assert f'<line x1="{WIDTH}" y1="0" x2="{WIDTH}" y2="{HEIGHT}" class="chart__golive"/>' in html
    assert "<strong>Go-live 2026-03-04</strong>" in html
    assert "03-02 50%, 03-03 100%" in html


def test_without_a_target_there_is_no_target_line():
    chart = day_chart([(DAY, 0.5)], first=DAY, last=DAY, running=True, days=[(DAY, 1)], prefix="+")
    html = render_to_string("charts/_day_chart.html", {"chart": chart})
    assert "chart__target" not in html
    assert "03-02 +1" in html
