"""Reads of the compliance app, always narrowed to what the user may see."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from contextlib import closing, nullcontext
from dataclasses import dataclass, field
from itertools import islice

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.shortcuts import get_object_or_404

from procurement.compliance import burndown, canonical, periods, risk
from procurement.compliance.enums import ReportState, WaiverStatus
from procurement.compliance.filters import ReportFilter, WaiverFilter
from procurement.compliance.models import (
    AgencyOfficial,
    CalendarFeed,
    DirectivePolicy,
    ReportSnapshot,
    StatusReport,
    Waiver,
)
from procurement.inventory.access import Action, agency_ids_for, can
from procurement.inventory.enums import DONE_STATUSES, SystemStatus
from procurement.inventory.models import Agency, Directive, StatusChange, System

EXPIRING_WITHIN_DAYS = 30
DIFFERENCES_SHOWN = 500

# --- Policy and officials ---------------------------------------------------------


def policy_for(directive: Directive) -> DirectivePolicy:
    """The directive's policy; an unsaved default one (everything allowed) if none is kept yet."""
    return DirectivePolicy.objects.filter(directive=directive).first() or DirectivePolicy(directive=directive)


def ancestors_and_self(agency: Agency) -> list[int]:
    ids, current = [], agency
    while current is not None:
        ids.append(current.pk)
        current = current.parent
    return ids


def is_official(user, agency: Agency) -> bool:
    """Whether `user` is the agency head or a designee, here or in a department above."""
    if not user.is_authenticated:
        return False
    return AgencyOfficial.objects.filter(user=user, agency_id__in=ancestors_and_self(agency)).exists()


# --- Waivers -------------------------------------------------------------------------


def waiver_queryset(user) -> QuerySet[Waiver]:
    return Waiver.objects.for_user(user).select_related("system", "agency", "requested_by", "decided_by")


def waiver_filter(user, params) -> WaiverFilter:
    return WaiverFilter(params, queryset=waiver_queryset(user), user=user)


def waiver_get(user, pk: int) -> Waiver:
    return get_object_or_404(waiver_queryset(user).select_related("system__directive"), pk=pk)


@dataclass(frozen=True)
class WaiverPage:
    waiver: Waiver
    may_decide: bool
    may_extend: bool
    may_withdraw: bool
    chain: list[Waiver]  # the waiver it extends, and that one's, oldest first
    history: list


def waiver_page(user, pk: int) -> WaiverPage:
    from procurement.inventory.selectors import history_entries

    waiver = waiver_get(user, pk)
    chain, earlier = [], waiver.extends
    while earlier is not None:
        chain.insert(0, earlier)
        earlier = earlier.extends
    return WaiverPage(
        waiver=waiver,
        may_decide=waiver.status == WaiverStatus.REQUESTED
        and waiver.requested_by_id != user.pk
        and is_official(user, waiver.agency),
        may_extend=waiver.status == WaiverStatus.APPROVED and can(user, Action.CHANGE, waiver.agency_id),
        may_withdraw=waiver.status == WaiverStatus.REQUESTED and can(user, Action.CHANGE, waiver.agency_id),
        chain=chain,
        history=history_entries(user, waiver.history),
    )


# --- Report content ---------------------------------------------------------------

REPORT_ROW_FIELDS = (
    "fisma_id",
    "name",
    "agency__abbreviation",
    "status",
    "dependency_kind",
    "criticality",
    "network",
    "national_security_system",
    "removal_deadline",
    "waiver_until",
)
ROW_KEYS = (
    "fisma_id",
    "name",
    "agency",
    "status",
    "dependency_kind",
    "criticality",
    "network",
    "national_security_system",
    "removal_deadline",
    "waiver_until",
)
CHUNK_ROWS = 2000


def report_systems(report: StatusReport) -> QuerySet[System]:
    """The systems a report covers: its agency's and every component's below it."""
    return System.objects.filter(
        directive_id=report.directive_id, agency_id__in=Agency.objects.with_components(report.agency_id)
    )


def effective_deadline(removal_deadline, waiver_until):
    """A waived system's deadline is the waiver's end, when later than the directive's."""
    if waiver_until and (removal_deadline is None or waiver_until > removal_deadline):
        return waiver_until
    return removal_deadline


def report_rows(report: StatusReport) -> Iterator[dict]:
    return system_rows(report_systems(report))


def system_rows(systems: QuerySet[System]) -> Iterator[dict]:
    """One plain record per system, FISMA ID order, read from a server-side cursor in chunks."""
    values = systems.order_by("fisma_id").values_list(*REPORT_ROW_FIELDS)
    for row in values.iterator(chunk_size=CHUNK_ROWS):
        record = dict(zip(ROW_KEYS, row, strict=True))
        record["effective_deadline"] = effective_deadline(record["removal_deadline"], record["waiver_until"])
        yield record


def report_summary(report: StatusReport, now: datetime.datetime) -> dict:
    """The report's figures, from grouped queries (no per-system work)."""
    systems = report_systems(report)
    by_status = dict(systems.order_by().values_list("status").annotate(count=Count("*")))
    total = sum(by_status.values())
    done = sum(by_status.get(status, 0) for status in DONE_STATUSES)
    today = now.date()
    previous_end = report.period_start - datetime.timedelta(days=1)
    removed_since = (
        StatusChange.objects.filter(
            system__in=systems, to_status=SystemStatus.REMOVED, changed_at__date__gt=previous_end
        )
        .values("system")
        .distinct()
        .count()
    )
    waivers = Waiver.objects.filter(system__in=systems, status=WaiverStatus.APPROVED)
    return {
        "total": total,
        "by_status": {status: by_status.get(status, 0) for status in SystemStatus.values},
        "removed": done,
        "open": total - done,
        "removed_since_last_report": removed_since,
        "overdue": systems.overdue(today).filter(Q(waiver_until__isnull=True) | Q(waiver_until__lt=today)).count(),
        # None when no plan covers the report's agencies: reports say "no plan", not 0.
        "at_risk": report_at_risk(report),
        "waivers_active": waivers.count(),
        "waivers_expiring": waivers.filter(
            requested_until__lte=today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
        ).count(),
        "none_found": total == 0,
    }


def report_at_risk(report: StatusReport) -> int | None:
    """Systems of the report the latest stored plan puts past their deadline in force."""
    agency_ids = Agency.objects.with_components(report.agency_id)
    return risk.total(risk.at_risk_by_agency(report.directive, agency_ids), agency_ids)


def report_record(report: StatusReport, summary: dict, as_of: datetime.datetime) -> dict:
    """The report line of the canonical content: everything but the systems."""
    agency = report.agency
    return {
        "directive": report.directive.short_name,
        "agency": agency.abbreviation,
        "agency_name": agency.name,
        "period": report.period,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "as_of": as_of,
        "summary": summary,
        "challenges": report.challenges,
        "support_needed": report.support_needed,
        "completion_plan": report.completion_plan,
        "expected_completion": report.expected_completion,
    }


@dataclass(frozen=True)
class ReportContent:
    """A report as its pages and files show it: live for a draft, frozen once signed."""

    report: StatusReport
    record: dict
    snapshot: ReportSnapshot | None
    rows: Iterator[dict] = field(repr=False)
    # A draft's systems as a queryset, which files read as plain values a chunk at a time
    # (`report_files.row_chunks`); None for a snapshot, whose rows are its frozen records.
    systems: QuerySet[System] | None = field(default=None, repr=False)

    @property
    def summary(self) -> dict:
        return self.record["summary"]


def report_content(report: StatusReport, now: datetime.datetime) -> ReportContent:
    snapshot = getattr(report, "snapshot", None) if report.is_signed else None
    if snapshot is not None:
        record, rows = canonical.read(bytes(snapshot.content))
        return ReportContent(report, record, snapshot, rows)
    summary = report.summary or report_summary(report, now)
    record = report_record(report, summary, report.summary_as_of or now)
    # The report line as canonical text, so a draft's and a snapshot's read the same; the
    # rows keep their dates (a round trip per row would cost more than the export).
    systems = report_systems(report)
    return ReportContent(report, canonical_round_trip(record), None, system_rows(systems), systems)


def canonical_round_trip(record: dict) -> dict:
    import json

    return json.loads(canonical.line(record))


# --- Reports -------------------------------------------------------------------------


def report_queryset(user) -> QuerySet[StatusReport]:
    return StatusReport.objects.for_user(user).select_related("agency", "directive", "snapshot")


def report_filter(user, params) -> ReportFilter:
    return ReportFilter(params, queryset=report_queryset(user), user=user)


def report_get(user, pk: int) -> StatusReport:
    return get_object_or_404(report_queryset(user).select_related("agency__parent"), pk=pk)


def component_reports(report: StatusReport) -> list[tuple[Agency, StatusReport | None]]:
    """Each agency below the report's, with its report for the same period (None if none)."""
    below = Agency.objects.with_components(report.agency_id) - {report.agency_id}
    reports = {
        other.agency_id: other
        for other in StatusReport.objects.filter(
            directive_id=report.directive_id, period=report.period, agency_id__in=below
        )
    }
    return [(agency, reports.get(agency.pk)) for agency in Agency.objects.filter(pk__in=below).order_by("name")]


def unsigned_components(report: StatusReport) -> list[Agency]:
    return [agency for agency, other in component_reports(report) if other is None or not other.is_signed]


@dataclass(frozen=True)
class ReportPage:
    content: ReportContent
    components: list[tuple[Agency, StatusReport | None]]
    may_edit: bool
    may_sign: bool
    sign_blocked_by: list[Agency]
    preview_rows: list[dict]
    burndown_svg: str
    burndown_points: list


PREVIEW_ROWS = 100


def first_rows(rows: Iterator[dict], count: int) -> list[dict]:
    """The first `count` rows, the rest left unread and their generator closed at once.

    A draft's rows come from a server-side cursor. Left open, its generator would be closed
    whenever the garbage collector reached it, possibly in the middle of another query on
    the same connection, which then waits forever for itself (psycopg's connection lock).
    """
    with closing(rows) if hasattr(rows, "close") else nullcontext(rows) as unread:
        return list(islice(unread, count))


def report_page(user, pk: int, now: datetime.datetime) -> ReportPage:
    report = report_get(user, pk)
    content = report_content(report, now)
    preview = first_rows(content.rows, PREVIEW_ROWS)
    blocked = unsigned_components(report) if not report.is_signed else []
    points = report_burndown(report, now.date())
    return ReportPage(
        content=content,
        components=component_reports(report),
        may_edit=not report.is_signed and can(user, Action.CHANGE, report.agency_id),
        may_sign=not report.is_signed and is_official(user, report.agency),
        sign_blocked_by=blocked,
        preview_rows=preview,
        burndown_svg=burndown.svg(points, f"Burndown of {report.agency.abbreviation}"),
        burndown_points=points,
    )


def snapshot_verifies(snapshot: ReportSnapshot) -> bool:
    """Whether the stored content still hashes to the digest taken when it was signed."""
    return canonical.digest(bytes(snapshot.content)) == snapshot.sha256


def snapshot_differences(
    user, pk: int, now: datetime.datetime
) -> tuple[StatusReport, list[canonical.Difference], bool]:
    """What changed since the report was signed: the report's figures and each system's row.

    Returns the report, at most DIFFERENCES_SHOWN differences, and whether there were more.
    """
    report = report_get(user, pk)
    snapshot = get_object_or_404(ReportSnapshot, report=report)
    frozen_record, frozen_rows = canonical.read(bytes(snapshot.content))
    current_record = canonical_round_trip(report_record(report, report_summary(report, now), now))
    found = canonical.differences(frozen_record["summary"], current_record["summary"], "report", frozenset())
    current_rows = (canonical_round_trip(row) for row in report_rows(report))
    found += canonical.row_differences(frozen_rows, current_rows, "fisma_id")
    return report, found[:DIFFERENCES_SHOWN], len(found) > DIFFERENCES_SHOWN


def report_burndown(report: StatusReport, today: datetime.date) -> list[burndown.Point]:
    systems = report_systems(report)
    total = systems.count()
    removed_on = _removals_by_day(StatusChange.objects.filter(system__in=systems))
    directive = report.directive
    deadline = systems.order_by("-removal_deadline").values_list("removal_deadline", flat=True).first()
    return burndown.points(total, removed_on, directive.issued_on, deadline or today, today)


def _removals_by_day(changes: QuerySet[StatusChange]) -> dict[datetime.date, int]:
    rows = (
        changes.filter(to_status=SystemStatus.REMOVED)
        .annotate(day=TruncDate("changed_at"))
        .order_by()
        .values_list("day")
        .annotate(count=Count("system", distinct=True))
    )
    return dict(rows)


# --- Completeness and oversight -----------------------------------------------------


@dataclass(frozen=True)
class CompletenessRow:
    agency: Agency
    depth: int
    report: StatusReport | None


def completeness(user, directive: Directive, number: int) -> tuple[periods.Period, list[CompletenessRow]]:
    """Every agency the user sees, departments first with their components, and its report."""
    period = periods.period(directive.issued_on, directive.status_report_interval_days, number)
    agencies = list(Agency.objects.for_user(user).select_related("parent"))
    reports = {
        report.agency_id: report
        for report in StatusReport.objects.filter(directive=directive, period=number, agency__in=agencies)
    }
    return period, [CompletenessRow(agency, depth, reports.get(agency.pk)) for agency, depth in _tree_order(agencies)]


def _tree_order(agencies: list[Agency]) -> list[tuple[Agency, int]]:
    visible = {agency.pk for agency in agencies}
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        parent = agency.parent_id if agency.parent_id in visible else None
        children.setdefault(parent, []).append(agency)
    ordered: list[tuple[Agency, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for agency in sorted(children.get(parent, []), key=lambda a: a.name):
            ordered.append((agency, depth))
            walk(agency.pk, depth + 1)

    walk(None, 0)
    return ordered


@dataclass(frozen=True)
class OversightRow:
    department: Agency
    reporting_units: int
    signed_units: int
    total: int
    removed: int
    overdue: int
    at_risk: int | None  # None: no stored plan covers the department or any of its components
    waivers_active: int
    waivers_expiring: int
    burndown: list[burndown.Point]
    burndown_svg: str

    @property
    def percent_removed(self) -> float:
        return round(100 * self.removed / self.total, 1) if self.total else 100.0


@dataclass
class _Tally:
    """One department's figures while they are summed over it and its components."""

    units: int = 0
    signed: int = 0
    total: int = 0
    removed: int = 0
    overdue: int = 0
    at_risk: int | None = None
    active: int = 0
    expiring: int = 0
    days: dict = field(default_factory=dict)


def oversight(user, directive: Directive, today: datetime.date) -> tuple[periods.Period, list[OversightRow]]:
    """Per department the user sees: who reported this period, progress, waivers, burndown.

    A fixed number of grouped queries, whatever the number of agencies and systems; the
    Python work is per agency and per removal day, never per system.
    """
    period = periods.period_of(directive.issued_on, directive.status_report_interval_days, today)
    agencies = list(Agency.objects.for_user(user))
    department_of = _departments(agencies)
    tallies = {department: _Tally() for department in set(department_of.values())}

    def tally_of(agency_id):
        return tallies.get(department_of.get(agency_id))

    latest_deadline = _add_system_counts(tally_of, user, directive, today)
    _add_waivers(tally_of, user, directive, today)
    _add_signed_reports(tally_of, agencies, directive, period.number)
    _add_removals(tally_of, user, directive)
    _add_at_risk(tally_of, directive, {agency.pk for agency in agencies})
    names = {agency.pk: agency for agency in agencies}
    rows = [
        _oversight_row(names[department_id], tally, directive, latest_deadline or today, today)
        for department_id, tally in tallies.items()
    ]
    return period, sorted(rows, key=lambda row: row.department.name)


def _departments(agencies: list[Agency]) -> dict[int, int]:
    """Each agency's topmost visible ancestor (itself for a department)."""
    parent_of = {agency.pk: agency.parent_id for agency in agencies}
    top = {}
    for agency in agencies:
        current = agency.pk
        while parent_of.get(current) in parent_of:
            current = parent_of[current]
        top[agency.pk] = current
    return top


def _add_system_counts(tally_of, user, directive: Directive, today: datetime.date) -> datetime.date | None:
    """Totals, removed and past deadline in one pass over the systems; returns the latest deadline."""
    done = Q(status__in=DONE_STATUSES)
    # Past deadline as `System.objects.overdue(today)` says, less systems under a waiver in force.
    overdue = ~done & Q(removal_deadline__lt=today) & (Q(waiver_until__isnull=True) | Q(waiver_until__lt=today))
    rows = (
        System.objects.for_user(user)
        .filter(directive=directive)
        .order_by()
        .values_list("agency_id")
        .annotate(
            total=Count("pk"),
            removed=Count("pk", filter=done),
            overdue=Count("pk", filter=overdue),
            latest_deadline=Max("removal_deadline"),
        )
    )
    deadlines = []
    for agency_id, total, removed, past_deadline, deadline in rows:
        tally = tally_of(agency_id)
        tally.total += total
        tally.removed += removed
        tally.overdue += past_deadline
        deadlines.append(deadline)
    return max(filter(None, deadlines), default=None)


def _add_waivers(tally_of, user, directive: Directive, today: datetime.date) -> None:
    expiring_by = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    rows = (
        Waiver.objects.for_user(user)
        .filter(status=WaiverStatus.APPROVED, system__directive=directive)
        .order_by()
        .values_list("agency_id")
        .annotate(active=Count("pk"), expiring=Count("pk", filter=Q(requested_until__lte=expiring_by)))
    )
    for agency_id, active, expiring in rows:
        tally = tally_of(agency_id)
        tally.active += active
        tally.expiring += expiring


def _add_signed_reports(tally_of, agencies: list[Agency], directive: Directive, number: int) -> None:
    signed = set(
        StatusReport.objects.filter(directive=directive, period=number, state=ReportState.SIGNED).values_list(
            "agency_id", flat=True
        )
    )
    for agency in agencies:
        tally = tally_of(agency.pk)
        tally.units += 1
        tally.signed += agency.pk in signed


def _add_removals(tally_of, user, directive: Directive) -> None:
    rows = (
        StatusChange.objects.for_user(user)
        .filter(to_status=SystemStatus.REMOVED, system__directive=directive)
        .annotate(day=TruncDate("changed_at"))
        .order_by()
        .values_list("agency_id", "day")
        .annotate(n=Count("system", distinct=True))
    )
    for agency_id, day, count in rows:
        tally = tally_of(agency_id)
        if tally is not None:
            tally.days[day] = tally.days.get(day, 0) + count


def _add_at_risk(tally_of, directive: Directive, agency_ids: set[int]) -> None:
    for agency_id, count in risk.at_risk_by_agency(directive, agency_ids).items():
        if count is not None:
            tally = tally_of(agency_id)
            tally.at_risk = (tally.at_risk or 0) + count


def _oversight_row(
    department: Agency, tally: _Tally, directive: Directive, deadline: datetime.date, today: datetime.date
) -> OversightRow:
    points = burndown.points(tally.total, tally.days, directive.issued_on, deadline, today)
    return OversightRow(
        department=department,
        reporting_units=tally.units,
        signed_units=tally.signed,
        total=tally.total,
        removed=tally.removed,
        overdue=tally.overdue,
        at_risk=tally.at_risk,
        waivers_active=tally.active,
        waivers_expiring=tally.expiring,
        burndown=points,
        burndown_svg=burndown.svg(points, f"Burndown of {department.name}"),
    )


# --- Calendar feeds ----------------------------------------------------------------


def feeds_of(user) -> QuerySet[CalendarFeed]:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).select_related("agency")


def feed_get(user, pk: int) -> CalendarFeed:
    return get_object_or_404(feeds_of(user), pk=pk)


def visible_agency_ids(user) -> set[int] | None:
    return agency_ids_for(user, Action.VIEW)


def token_hash(token: str) -> str:
    """Feeds are found by the SHA-256 of their token; the token itself is never stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def feed_for_token(token: str) -> CalendarFeed:
    """The live feed with this token, read as its owner; revoked, unknown or no longer visible: 404."""
    feed = get_object_or_404(
        CalendarFeed.objects.select_related("user", "agency"),
        token_hash=token_hash(token[:200]),
        revoked_at__isnull=True,
        user__is_active=True,
    )
    if feed.agency_id is not None and not can(feed.user, Action.VIEW, feed.agency_id):
        raise Http404("No such feed.")
    return feed


def snapshot_get(user, report_pk: int) -> tuple[StatusReport, ReportSnapshot]:
    report = report_get(user, report_pk)
    return report, get_object_or_404(ReportSnapshot, report=report)


def report_burndown_svg(report: StatusReport, today: datetime.date) -> str:
    return burndown.svg(report_burndown(report, today), f"Burndown of {report.agency.abbreviation}")


def current_period_number(directive: Directive, today: datetime.date) -> int:
    return periods.period_number(directive.issued_on, directive.status_report_interval_days, today)
