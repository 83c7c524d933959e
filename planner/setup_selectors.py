"""Reads of the planning set-up, always narrowed to what the user may see (another agency's is a 404).

What an agency plans with: its teams (else its department's), its calendar's freeze windows
(else its department's), the work template of each dependency kind (its own rows, else its
department's, else the shipped defaults: the order `planner.problems` resolves them in), and
each system's own estimates.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain

import holidays
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from planner.defaults import default_templates
from planner.enums import STEP_ORDER, UNFINISHED_STATES, Step, TeamKind
from planner.estimates import TemplateStep, remaining_steps, scaled_effort
from planner.models import (
    FreezeWindow,
    Plan,
    ScheduledStep,
    SystemEstimate,
    Team,
    TeamCapacityChange,
    WorkTemplateStep,
)
from planner.selectors import current_plan
from planner.setup_filters import SetupAgencyFilter
from procurement.inventory.access import Action, can
from procurement.inventory.enums import DependencyKind
from procurement.inventory.models import Agency, System

HISTORY_LIMIT = 20
HOLIDAYS_AHEAD_DAYS = 366
# Fields a person never types: their change is not worth a line of history.
HISTORY_HIDDEN_FIELDS = ["updated_by"]


def may_set_up(user, agency_id: int) -> bool:
    """Whether `user` may change the agency's teams, calendar, templates and systems' estimates."""
    return can(user, Action.APPROVE, agency_id)


# --- The list of agencies ------------------------------------------------------------------


def setup_agencies(user) -> QuerySet[Agency]:
    """Agencies the user may see, with how much of their set-up is their own."""
    return (
        Agency.objects.for_user(user)
        .select_related("parent")
        .annotate(
            team_count=Count("teams", distinct=True),
            own_template_steps=Count("work_template_steps", distinct=True),
            freeze_count=Count("work_calendar__freeze_windows", distinct=True),
        )
        .order_by("name")
    )


def setup_agency_filter(user, params) -> SetupAgencyFilter:
    return SetupAgencyFilter(params, queryset=setup_agencies(user))


def setup_agency_get(user, pk: int) -> Agency:
    return get_object_or_404(Agency.objects.for_user(user).select_related("parent"), pk=pk)


# --- Work templates --------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateRow:
    """One step of the template an agency plans with, and where it comes from."""

    step: str
    effort_days: Decimal
    team_kind: str
    head_count: int
    scales: bool
    source: str  # "IRS", "TREAS (department)", "the defaults"
    version: int | None  # of the agency's own row; None when inherited

    @property
    def label(self) -> str:
        return Step(self.step).label

    @property
    def team_label(self) -> str:
        return TeamKind(self.team_kind).label


@dataclass(frozen=True)
class KindTemplate:
    kind: str
    steps: tuple[TemplateRow, ...]

    @property
    def label(self) -> str:
        return DependencyKind(self.kind).label

    @property
    def is_own(self) -> bool:
        return any(row.version is not None for row in self.steps)

    @property
    def sources(self) -> str:
        return ", ".join(sorted({row.source for row in self.steps}))


def effective_template(agency: Agency, kind: str) -> KindTemplate:
    return effective_templates(agency, kinds=(kind,))[0]


def effective_templates(agency: Agency, kinds=tuple(DependencyKind.values)) -> list[KindTemplate]:
    """Per kind, each step from the agency's own row, else its department's, else the defaults."""
    owners = [agency.pk] + ([agency.parent_id] if agency.parent_id else [])
    rows = WorkTemplateStep.objects.filter(Q(agency__in=owners) | Q(agency=None), dependency_kind__in=kinds)
    found = {(row.agency_id, row.dependency_kind, row.step): row for row in rows}
    shipped = default_templates()
    names = {agency.pk: agency.abbreviation}
    if agency.parent_id:
        names[agency.parent_id] = f"{agency.parent.abbreviation} (department)"
    templates = []
    for kind in kinds:
        steps = tuple(_resolved_row(agency.pk, owners, found, kind, step, names) for step in shipped[kind])
        templates.append(KindTemplate(kind, steps))
    return templates


def _resolved_row(agency_id, owners, found, kind, shipped_step: TemplateStep, names) -> TemplateRow:
    for owner in [*owners, None]:
        row = found.get((owner, kind, shipped_step.step))
        if row is not None:
            source = names[owner] if owner is not None else "the defaults"
            version = row.version if owner == agency_id else None
            return TemplateRow(row.step, row.effort_days, row.team_kind, row.head_count, row.scales, source, version)
    step = shipped_step
    return TemplateRow(step.step, step.effort_days, step.team_kind, step.head_count, step.scales, "the defaults", None)


# --- The set-up page -------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    team: Team
    changes: tuple[TeamCapacityChange, ...]


@dataclass(frozen=True)
class SetupChange:
    """One line of the set-up's history: who changed what, when."""

    when: datetime.datetime
    who: str
    what: str
    details: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class SetupPage:
    agency: Agency
    may_edit: bool
    teams: tuple[TeamRow, ...]
    department_teams: tuple[Team, ...]  # a component plans on these for kinds it has no team of
    freeze_windows: tuple[FreezeWindow, ...]
    department_freeze_windows: tuple[FreezeWindow, ...]  # used while the component has none
    holidays: tuple[tuple[datetime.date, str], ...]
    templates: tuple[KindTemplate, ...]
    history: tuple[SetupChange, ...]


def setup_page(user, agency: Agency) -> SetupPage:
    teams = list(Team.objects.filter(agency=agency).prefetch_related("capacity_changes").order_by("kind", "name"))
    parent_id = agency.parent_id
    return SetupPage(
        agency=agency,
        may_edit=may_set_up(user, agency.pk),
        teams=tuple(TeamRow(team, tuple(team.capacity_changes.all())) for team in teams),
        department_teams=tuple(Team.objects.filter(agency_id=parent_id).order_by("kind", "name")) if parent_id else (),
        freeze_windows=tuple(FreezeWindow.objects.filter(calendar__agency=agency).order_by("starts_on")),
        department_freeze_windows=tuple(
            FreezeWindow.objects.filter(calendar__agency_id=parent_id).order_by("starts_on") if parent_id else ()
        ),
        holidays=federal_holidays_ahead(timezone.localdate()),
        templates=tuple(effective_templates(agency)),
        history=setup_history(agency),
    )


def federal_holidays_ahead(
    today: datetime.date, days: int = HOLIDAYS_AHEAD_DAYS
) -> tuple[tuple[datetime.date, str], ...]:
    """US federal holidays as observed (the days the planner does not work) for the next year."""
    until = today + datetime.timedelta(days=days)
    table = holidays.country_holidays("US", observed=True, years=range(today.year, until.year + 1))
    return tuple(sorted((day, name) for day, name in table.items() if today <= day <= until))


def team_get(user, pk: int) -> Team:
    return get_object_or_404(Team.objects.for_user(user).select_related("agency"), pk=pk)


def _plan_scopes(team: Team) -> list:
    """The agencies whose plans can use the team: its own and, for a component, its department."""
    return [team.agency] + ([team.agency.parent] if team.agency.parent_id else [])


def team_plans_running(team: Team) -> bool:
    """A queued or running plan run whose scope holds the team."""
    return Plan.objects.filter(agency__in=_plan_scopes(team), state__in=UNFINISHED_STATES).exists()


def team_assigned_steps(team: Team) -> int:
    """Steps the team holds in the plans people work from: the current plan of its agency and,
    for a component's team, of its department (whose plans cover the component's systems)."""
    scopes = _plan_scopes(team)
    plan_ids = [plan.pk for plan in map(current_plan, scopes) if plan is not None]
    return ScheduledStep.objects.filter(team=team, plan_id__in=plan_ids).count()


def capacity_change_get(user, pk: int) -> TeamCapacityChange:
    return get_object_or_404(TeamCapacityChange.objects.for_user(user).select_related("team"), pk=pk)


def freeze_window_get(user, pk: int) -> FreezeWindow:
    return get_object_or_404(FreezeWindow.objects.for_user(user).select_related("calendar"), pk=pk)


# --- History ---------------------------------------------------------------------------------


def setup_history(agency: Agency, limit: int = HISTORY_LIMIT) -> tuple[SetupChange, ...]:
    """The latest changes to the agency's teams, head-count changes, freezes and templates."""
    sources = [
        Team.history.filter(agency_id=agency.pk),
        TeamCapacityChange.history.filter(team__agency_id=agency.pk).select_related("team"),
        FreezeWindow.history.filter(calendar__agency_id=agency.pk),
        WorkTemplateStep.history.filter(agency_id=agency.pk).select_related("agency"),
    ]
    records = chain.from_iterable(
        source.select_related("history_user").order_by("-history_date", "-history_id")[:limit] for source in sources
    )
    latest = sorted(records, key=lambda record: record.history_date, reverse=True)[:limit]
    return tuple(change_of(record) for record in latest)


def change_of(record) -> SetupChange:
    """A history record in words: "Added …", "Removed …", or "Changed …" with old → new per field."""
    subject = str(record.instance)
    details: tuple[str, ...] = ()
    if record.history_type == "+":
        what = f"Added {subject}"
    elif record.history_type == "-":
        what = f"Removed {subject}"
    else:
        what = f"Changed {subject}"
        previous = record.prev_record
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=HISTORY_HIDDEN_FIELDS)
            details = tuple(f"{_field_label(record, c.field)}: {c.old} → {c.new}" for c in delta.changes)
    who = record.history_user.username if record.history_user else "Phaseout"
    return SetupChange(record.history_date, who, what, details, record.history_change_reason or "")


def _field_label(record, name: str) -> str:
    return str(record.instance_type._meta.get_field(name).verbose_name)


# --- A system's own estimates ----------------------------------------------------------------


@dataclass(frozen=True)
class EstimateRow:
    """A step of one system: the template's scaled effort and the system's own, if any."""

    step: str
    remaining: bool
    template_days: int  # the template's effort scaled by the system's criticality and size
    own_days: Decimal | None
    version: int  # of the system's own estimate; 0 when it has none

    @property
    def label(self) -> str:
        return Step(self.step).label


@dataclass(frozen=True)
class EstimatesPage:
    system: System
    may_edit: bool
    rows: tuple[EstimateRow, ...]
    template_sources: str
    history: tuple[SetupChange, ...]


def system_get(user, pk: int) -> System:
    return get_object_or_404(System.objects.for_user(user).select_related("agency", "agency__parent"), pk=pk)


def system_estimates_page(user, system: System) -> EstimatesPage:
    template = effective_template(system.agency, system.dependency_kind)
    own = {row.step: row for row in SystemEstimate.objects.filter(system=system)}
    remaining = set(remaining_steps(system.status))
    rows = []
    for step in template.steps:
        scaled = scaled_effort(
            TemplateStep(step.step, step.effort_days, step.team_kind, step.head_count, step.scales),
            system.criticality,
            system.user_count,
        )
        estimate = own.get(step.step)
        rows.append(
            EstimateRow(
                step.step,
                step.step in remaining,
                scaled,
                estimate.effort_days if estimate else None,
                estimate.version if estimate else 0,
            )
        )
    history = SystemEstimate.history.filter(system_id=system.pk).select_related("history_user")
    changes = tuple(change_of(record) for record in history.order_by("-history_date", "-history_id")[:HISTORY_LIMIT])
    return EstimatesPage(system, may_set_up(user, system.agency_id), tuple(rows), template.sources, changes)


def planning_panel(user, system: System) -> dict:
    """The system page's planning section: how many steps have the system's own estimate."""
    return {
        "own_estimates": SystemEstimate.objects.filter(system=system).count(),
        "step_count": len(STEP_ORDER),
        "may_set_up": may_set_up(user, system.agency_id),
    }
