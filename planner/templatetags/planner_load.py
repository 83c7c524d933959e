"""A team-load picture's bars and table rows, written in Python.

One week per bar and per row over a plan of two or three years is hundreds of each per team;
written by the template (seven variables and two filters a bucket) they took about a second
of the load page at 1,000 systems. Every value here is a number or a date, so nothing needs
escaping; the markup is the same the template wrote.
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

from planner.load import LoadPicture, TeamLoad

register = template.Library()


@register.simple_tag
def load_bars(picture: LoadPicture) -> SafeString:
    """The demand bars of the SVG, each with its figures as a title."""
    bars = (
        f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}" '
        f'class="phaseout-load__demand{" is-over" if bar.bucket.over else ""}">'
        f"<title>{bar.bucket.starts_on.isoformat()}: {bar.bucket.demand} of {bar.bucket.capacity} person-days</title>"
        "</rect>"
        for bar in picture.bars
    )
    return mark_safe("".join(bars))  # noqa: S308 (integers and ISO dates only)


@register.simple_tag
def load_rows(team: TeamLoad) -> SafeString:
    """The table's rows: the bucket's first day, planned work, capacity and load."""
    rows = (
        f'<tr><th scope="row">{bucket.starts_on.isoformat()}</th><td class="text-right">{bucket.demand}</td>'
        f'<td class="text-right">{bucket.capacity}</td>'
        f'<td class="text-right{" phaseout-overdue" if bucket.over else ""}">{bucket.percent} %</td></tr>'
        for bucket in team.buckets
    )
    return mark_safe("".join(rows))  # noqa: S308 (integers and ISO dates only)
