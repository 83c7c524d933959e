"""Calendar feeds: directive deadlines, removal deadlines and waiver ends as iCalendar.

The events are read as the feed's owner (their access as it stands now); the token in
the URL only says which feed. Planned milestones join them: in a personal feed those the
user owns, in an agency feed the agency's and its components'.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from icalendar import Calendar, Event

from planner.models import Milestone
from procurement.compliance import periods, selectors
from procurement.compliance.enums import FeedScope, WaiverStatus
from procurement.compliance.models import CalendarFeed, Waiver
from procurement.inventory.models import Agency, Directive, System

PRODUCT_ID = "-//Phaseout//Compliance deadlines//EN"
MAX_EVENTS = 5000  # a calendar client need not hold more; the feed stays small


@dataclass(frozen=True)
class Deadline:
    uid: str
    day: datetime.date
    summary: str
    description: str = ""


def feed_deadlines(feed: CalendarFeed, today: datetime.date) -> list[Deadline]:
    agency_ids = _feed_agency_ids(feed)
    deadlines: list[Deadline] = []
    for directive in Directive.objects.all():
        deadlines += _directive_deadlines(directive, today)
        systems = System.objects.for_user(feed.user).filter(directive=directive).open()
        if agency_ids is not None:
            systems = systems.filter(agency_id__in=agency_ids)
        deadlines += _removal_deadlines(directive, systems)
    waivers = Waiver.objects.for_user(feed.user).filter(status=WaiverStatus.APPROVED).select_related("system")
    if agency_ids is not None:
        waivers = waivers.filter(agency_id__in=agency_ids)
    deadlines += [
        Deadline(
            f"waiver-{waiver.pk}@phaseout",
            waiver.requested_until,
            f"Waiver ends: {waiver.system.name}",
            f"W-{waiver.pk} for {waiver.system.fisma_id}; the system must be removed after this day.",
        )
        for waiver in waivers[:MAX_EVENTS]
    ]
    deadlines += _milestone_deadlines(feed, agency_ids)
    return deadlines[:MAX_EVENTS]


def _milestone_deadlines(feed: CalendarFeed, agency_ids: set[int] | None) -> list[Deadline]:
    """Open planned milestones: the owner's own in a personal feed, the agency's in an agency feed."""
    visible = Milestone.objects.for_user(feed.user).open().select_related("agency")
    milestones = visible.owned_by(feed.user) if agency_ids is None else visible.filter(agency_id__in=agency_ids)
    return [
        Deadline(
            f"milestone-{milestone.pk}@phaseout",
            milestone.due_on,
            f"{milestone.agency.abbreviation}: {milestone.title}",
            f"Milestone {milestone.get_kind_display()}; owner: {_owner_name(milestone)}.",
        )
        for milestone in milestones.select_related("owner").order_by("due_on", "pk")[:MAX_EVENTS]
    ]


def _owner_name(milestone: Milestone) -> str:
    owner = milestone.owner
    return (owner.get_full_name() or owner.username) if owner else "nobody yet"


def _feed_agency_ids(feed: CalendarFeed) -> set[int] | None:
    if feed.scope == FeedScope.USER:
        return None
    return Agency.objects.with_components(feed.agency_id)


def _directive_deadlines(directive: Directive, today: datetime.date) -> list[Deadline]:
    issued = directive.issued_on
    policy = selectors.policy_for(directive)
    phases = [
        ("identify", directive.identify_offset_days, "Identify covered systems"),
        ("plan", directive.plan_offset_days, "Removal plans due"),
        ("begin", policy.begin_removal_offset_days, "Begin removal"),
    ]
    found = [
        Deadline(f"{directive.pk}-{key}@phaseout", issued + datetime.timedelta(days=days), f"{directive}: {title}")
        for key, days, title in phases
    ]
    horizon = today + datetime.timedelta(days=366)
    for number, due in enumerate(periods.due_dates(issued, directive.status_report_interval_days, horizon), 1):
        found.append(
            Deadline(f"{directive.pk}-report-{number}@phaseout", due, f"{directive}: status report {number} due")
        )
    return found


def _removal_deadlines(directive: Directive, systems) -> list[Deadline]:
    rows = (
        systems.filter(removal_deadline__isnull=False)
        .order_by()
        .values_list("agency__abbreviation", "removal_deadline")
        .annotate(count=Count("*"))
    )
    return [
        Deadline(
            f"{directive.pk}-removal-{abbreviation}-{day.isoformat()}@phaseout",
            day,
            f"{abbreviation}: {count} system{'s' if count != 1 else ''} to remove ({directive})",
        )
        for abbreviation, day, count in rows
    ]


def ical(feed: CalendarFeed, today: datetime.date) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Phaseout deadlines")
    stamp = timezone.now()
    for deadline in feed_deadlines(feed, today):
        event = Event()
        event.add("uid", deadline.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.day)
        event.add("dtend", deadline.day + datetime.timedelta(days=1))
        event.add("summary", deadline.summary)
        if deadline.description:
            event.add("description", deadline.description)
        calendar.add_component(event)
    return calendar.to_ical()
