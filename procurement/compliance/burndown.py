"""Burndown: systems remaining over time against the straight line to the deadline.

Plain code, no database: the selector counts removals per day, this turns them into
points and into an SVG drawn on the server (no script, so CSP stays strict). The
same points fill the accessible data table beside the chart.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Point:
    day: datetime.date
    remaining: int
    ideal: float  # the straight line from everything on the start day to none on the deadline


def points(
    total: int,
    removed_on: Mapping[datetime.date, int],
    start: datetime.date,
    deadline: datetime.date,
    today: datetime.date,
    step_days: int = 7,
) -> list[Point]:
    """Remaining systems every `step_days` from `start` to today (and the deadline if later)."""
    end = max(today, deadline, start)
    span = max((deadline - start).days, 1)
    removals = sorted(removed_on.items())
    result, removed, index = [], 0, 0
    day = start
    while True:
        while index < len(removals) and removals[index][0] <= day:
            removed += removals[index][1]
            index += 1
        ideal = max(total * (1 - (day - start).days / span), 0.0)
        result.append(Point(day, total - removed if day <= today else -1, round(ideal, 1)))
        if day >= end:
            return result
        day = min(day + datetime.timedelta(days=step_days), end)


WIDTH, HEIGHT, MARGIN = 480, 200, 32


def svg(series: list[Point], title: str) -> str:
    """A small line chart: actual remaining (solid) and the ideal line (dashed)."""
    if not series:
        return ""
    top = max([1, *(point.remaining for point in series), *(point.ideal for point in series)])
    first, last = series[0].day, series[-1].day
    span = max((last - first).days, 1)

    def x(day: datetime.date) -> float:
        return MARGIN + (WIDTH - 2 * MARGIN) * (day - first).days / span

    def y(value: float) -> float:
        return HEIGHT - MARGIN - (HEIGHT - 2 * MARGIN) * value / top

    actual = " ".join(f"{x(p.day):.1f},{y(p.remaining):.1f}" for p in series if p.remaining >= 0)
    ideal = " ".join(f"{x(p.day):.1f},{y(p.ideal):.1f}" for p in series)
    label = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{label}" class="phaseout-burndown"><title>{label}</title>'
        f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" y2="{HEIGHT - MARGIN}" stroke="#1b1b1b"/>'
        f'<line x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{HEIGHT - MARGIN}" stroke="#1b1b1b"/>'
        f'<polyline points="{ideal}" fill="none" stroke="#565c65" stroke-dasharray="6 4" stroke-width="2"/>'
        f'<polyline points="{actual}" fill="none" stroke="#005ea2" stroke-width="3"/>'
        f'<text x="{MARGIN}" y="{MARGIN - 8}" font-size="12" fill="#1b1b1b">{top:g} systems</text>'
        f'<text x="{MARGIN}" y="{HEIGHT - 8}" font-size="12" fill="#1b1b1b">{first.isoformat()}</text>'
        f'<text x="{WIDTH - MARGIN}" y="{HEIGHT - 8}" font-size="12" text-anchor="end" fill="#1b1b1b">'
        f"{last.isoformat()}</text></svg>"
    )
