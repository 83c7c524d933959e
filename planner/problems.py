"""Engine problems from the inventory: each system's remaining steps as a chain of work items.

`problem_build(scope, starts_on, adjustments)` reads everything in a few queries and returns
a `BuiltProblem`: the engine `Problem` plus what each item means (system, step, team,
contract) and the calendar that maps its units to dates. Inputs the engine would refuse
(a step without a team, a demand above a team's size, a precedence cycle) raise
`PlanInputError` whose messages name the system and the step.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from planner.adjustments import NO_ADJUSTMENTS, Adjustments
from planner.calendars import WorkCalendar
from planner.defaults import default_templates
from planner.engine import Problem, ProblemError, Resource, WorkItem
from planner.engine.validation import validate
from planner.enums import CUT_OVER_STEP, REMOVAL_STEP, ContractActionKind, Step, TeamKind
from planner.estimates import CRITICALITY_WEIGHT, TemplateStep, remaining_steps, step_effort
from planner.item_names import item_label, team_resource
from planner.models import FreezeWindow, SystemEstimate, Team, TeamCapacityChange, WorkTemplateStep
from procurement.inventory.enums import SystemStatus
from procurement.inventory.models import Agency, Contract, System


class PlanInputError(Exception):
    """Inputs that cannot be planned; `messages` name the system and step of each."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class SystemFacts:
    pk: int
    fisma_id: str
    name: str
    agency_id: int
    deadline: datetime.date | None


@dataclass(frozen=True)
class ItemFacts:
    """What one engine item stands for."""

    system_id: int
    step: str
    team_id: int
    head_count: int
    contract_id: int | None = None
    contract_action: str = ""


@dataclass
class BuiltProblem:
    problem: Problem
    calendar: WorkCalendar
    systems: dict[int, SystemFacts]
    items: dict[str, ItemFacts]
    teams: dict[int, str]  # team id -> name
    warnings: list[str] = field(default_factory=list)

    def label(self, item_id: str) -> str:
        """An item in words: "IRS-0007 Cut over" or "IRS-0007 Contract action (GS-35F-1)"."""
        facts = self.items.get(item_id)
        if facts is None:
            return item_id
        return item_label(self.systems[facts.system_id].fisma_id, facts.step, facts.contract_action)


def item_id(system_id: int, step: str, contract_id: int | None = None) -> str:
    return f"{system_id}:{step}" if contract_id is None else f"{system_id}:{step}:{contract_id}"


def scope_agency_ids(agency: Agency | None) -> set[int] | None:
    """The agency and its components; None for every agency."""
    return None if agency is None else Agency.objects.with_components(agency.pk)


def problem_build(systems, starts_on: datetime.date, adjustments: Adjustments = NO_ADJUSTMENTS) -> BuiltProblem:
    """The engine problem for `systems` (a System queryset already scoped to what may be seen)."""
    calendar = WorkCalendar(starts_on)
    inputs = _Inputs.read(systems.exclude(status=SystemStatus.VERIFIED), adjustments)
    builder = _Builder(inputs, calendar, adjustments)
    problem = builder.build()
    built = BuiltProblem(problem, calendar, inputs.systems, builder.items, inputs.team_names(), builder.warnings)
    if builder.issues:
        raise PlanInputError(builder.issues)
    try:
        validate(problem)
    except ProblemError as error:
        raise PlanInputError([translate_issue(built, issue) for issue in error.issues]) from error
    return built


ITEM_ID_PATTERN = re.compile(r"\d+:[a-z_]+(?::\d+)?")


def translate_issue(built: BuiltProblem, issue: str) -> str:
    """The engine's message with every item id replaced by the system and step it stands for."""
    return ITEM_ID_PATTERN.sub(lambda match: built.label(match.group(0)), issue.replace("'", ""))


@dataclass
class _Inputs:
    """Everything a problem needs, read in a fixed number of queries."""

    systems: dict[int, SystemFacts]
    rows: list[dict]
    parents: dict[int, int | None]
    agency_names: dict[int, str]
    templates: dict[tuple[int | None, str, str], TemplateStep]
    teams: list[Team]
    capacity_changes: dict[int, list[tuple[datetime.date, int]]]
    freezes: dict[int, list[tuple[datetime.date, datetime.date]]]
    links: dict[int, list[int]]
    contracts: dict[int, list[dict]]
    estimates: dict[tuple[int, str], Decimal]
    open_outside: set[int]

    @classmethod
    def read(cls, systems, adjustments: Adjustments) -> _Inputs:
        fields = ("pk", "fisma_id", "name", "agency_id", "dependency_kind", "criticality", "user_count", "status")
        rows = list(systems.order_by("pk").values(*fields, "removal_deadline", "waiver_until"))
        ids = [row["pk"] for row in rows]
        agencies = dict(Agency.objects.values_list("pk", "parent_id"))
        names = dict(Agency.objects.values_list("pk", "abbreviation"))
        used = {row["agency_id"] for row in rows}
        used |= {agencies[pk] for pk in used if agencies.get(pk)}
        estimates = {
            (system, step): days
            for system, step, days in SystemEstimate.objects.filter(system__in=ids).values_list(
                "system_id", "step", "effort_days"
            )
        }
        estimates.update(adjustments.estimates)
        links = _links(ids)
        return cls(
            systems={row["pk"]: _system_facts(row, adjustments) for row in rows},
            rows=rows,
            parents=agencies,
            agency_names=names,
            templates=_templates(used),
            teams=list(Team.objects.filter(agency__in=used).order_by("agency", "kind", "name", "pk")),
            capacity_changes=_capacity_changes(used),
            freezes=_freezes(used),
            links=links,
            contracts=_contracts(ids),
            estimates=estimates,
            open_outside=_not_cut_over(links, set(ids)),
        )

    def team_names(self) -> dict[int, str]:
        return {team.pk: team.name for team in self.teams}

    def lineage(self, agency_id: int) -> list[int]:
        """The agency, then its department (a component's own settings win)."""
        parent = self.parents.get(agency_id)
        return [agency_id] if parent is None else [agency_id, parent]


def _system_facts(row: dict, adjustments: Adjustments) -> SystemFacts:
    """The deadline: the directive's (or a what-if's), or a waiver's end where that is later."""
    deadline = adjustments.deadlines.get(row["pk"], row["removal_deadline"])
    for waiver_end in (row["waiver_until"], adjustments.waivers.get(row["pk"])):
        if waiver_end is not None and (deadline is None or waiver_end > deadline):
            deadline = waiver_end
    return SystemFacts(row["pk"], row["fisma_id"], row["name"], row["agency_id"], deadline)


def _templates(agency_ids: set[int]) -> dict[tuple[int | None, str, str], TemplateStep]:
    """Agency edits and the default rows; a default row missing from the database is the shipped one."""
    shipped = {(None, kind, step.step): step for kind, steps in default_templates().items() for step in steps}
    rows = WorkTemplateStep.objects.filter(agency__in=agency_ids) | WorkTemplateStep.objects.filter(agency=None)
    return shipped | {
        (row.agency_id, row.dependency_kind, row.step): TemplateStep(
            row.step, row.effort_days, row.team_kind, row.head_count, row.scales
        )
        for row in rows
    }


def _capacity_changes(agency_ids: set[int]) -> dict[int, list[tuple[datetime.date, int]]]:
    changes: dict[int, list[tuple[datetime.date, int]]] = defaultdict(list)
    rows = TeamCapacityChange.objects.filter(team__agency__in=agency_ids).order_by("starts_on")
    for team_id, starts_on, head_count in rows.values_list("team_id", "starts_on", "head_count"):
        changes[team_id].append((starts_on, head_count))
    return changes


def _freezes(agency_ids: set[int]) -> dict[int, list[tuple[datetime.date, datetime.date]]]:
    freezes: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    rows = FreezeWindow.objects.filter(calendar__agency__in=agency_ids)
    for agency_id, starts_on, ends_on in rows.values_list("calendar__agency_id", "starts_on", "ends_on"):
        freezes[agency_id].append((starts_on, ends_on))
    return freezes


def _links(system_ids: list[int]) -> dict[int, list[int]]:
    """System id -> the systems it depends on (whatever their scope)."""
    through = System.depends_on.through
    links: dict[int, list[int]] = defaultdict(list)
    rows = through.objects.filter(from_system_id__in=system_ids).values_list("from_system_id", "to_system_id")
    for dependent, prerequisite in rows.order_by("from_system_id", "to_system_id"):
        links[dependent].append(prerequisite)
    return links


def _not_cut_over(links: dict[int, list[int]], in_scope: set[int]) -> set[int]:
    """Prerequisites outside the plan that have not cut over yet: their timing is unknown here."""
    outside = {p for prerequisites in links.values() for p in prerequisites} - in_scope
    done = (SystemStatus.CUT_OVER, SystemStatus.REMOVED, SystemStatus.VERIFIED)
    return set(System.objects.filter(pk__in=outside).exclude(status__in=done).values_list("pk", flat=True))


def _contracts(system_ids: list[int]) -> dict[int, list[dict]]:
    through = Contract.systems.through
    contracts: dict[int, list[dict]] = defaultdict(list)
    rows = through.objects.filter(system_id__in=system_ids).order_by("system_id", "contract_id")
    for row in rows.values("system_id", "contract_id", "contract__renewal_date", "contract__option_date"):
        contracts[row["system_id"]].append(row)
    return contracts


def contract_action_kind(contract: dict) -> str:
    """A contract with a renewal or option ahead is not renewed; any other is modified."""
    if contract["contract__renewal_date"] or contract["contract__option_date"]:
        return ContractActionKind.NON_RENEWAL
    return ContractActionKind.MODIFICATION


class _Builder:
    """Turns the inputs into work items and resources, collecting every issue on the way."""

    def __init__(self, inputs: _Inputs, calendar: WorkCalendar, adjustments: Adjustments) -> None:
        self.inputs, self.calendar, self.adjustments = inputs, calendar, adjustments
        self.items: dict[str, ItemFacts] = {}
        self.work: list[WorkItem] = []
        self.issues: list[str] = []
        self.warnings: list[str] = []
        self.resources = {team.pk: self._resource(team) for team in inputs.teams}
        self.teams_by_kind = defaultdict(list)
        for team in inputs.teams:
            self.teams_by_kind[(team.agency_id, team.kind)].append(team)

    def build(self) -> Problem:
        cut_overs: dict[int, str] = {}
        for row in self.inputs.rows:
            cut_over = self._system_items(row)
            if cut_over:
                cut_overs[row["pk"]] = cut_over
        self._link_precedences(cut_overs)
        used = {facts.team_id for facts in self.items.values()}
        resources = tuple(self.resources[team_id] for team_id in sorted(used))
        return Problem(items=tuple(self.work), resources=resources)

    def _system_items(self, row: dict) -> str | None:
        """Adds the system's remaining steps as a chain; returns its cut-over item's id."""
        facts = self.inputs.systems[row["pk"]]
        blocked = self._blocked_periods(row["agency_id"])
        previous: list[str] = []
        cut_over = None
        for step in remaining_steps(row["status"]):
            stage = self._stage(row, facts, step, previous, blocked)
            if stage:
                previous = stage
            if step == CUT_OVER_STEP and stage:
                cut_over = stage[0]
        return cut_over

    def _stage(self, row: dict, facts: SystemFacts, step: str, previous: list[str], blocked) -> list[str]:
        template = self._template(row["agency_id"], row["dependency_kind"], step)
        team = self._team(row["agency_id"], template.team_kind, facts, step)
        if team is None:
            return []
        if step == Step.CONTRACT_ACTION:
            contracts = self.inputs.contracts.get(row["pk"], [])
            variants = [(c["contract_id"], contract_action_kind(c)) for c in contracts]
        else:
            variants = [(None, "")]
        ids = []
        for contract_id, action in variants:
            identifier = item_id(row["pk"], step, contract_id)
            facts_of_item = ItemFacts(row["pk"], step, team.pk, template.head_count, contract_id, action)
            self._check_demand(team, facts_of_item, facts.fisma_id)
            self.items[identifier] = facts_of_item
            self.work.append(self._work_item(identifier, row, facts, template, team, previous, blocked))
            ids.append(identifier)
        return ids

    def _work_item(self, identifier, row, facts, template, team, previous, blocked) -> WorkItem:
        step = template.step
        override = self.inputs.estimates.get((row["pk"], step))
        duration = step_effort(template, row["criticality"], row["user_count"], override)
        deadline = None
        if step == REMOVAL_STEP and facts.deadline is not None:
            deadline = self.calendar.units_through(facts.deadline)
        return WorkItem(
            id=identifier,
            duration=duration,
            demands={team_resource(team.pk): template.head_count},
            predecessors=tuple(previous),
            deadline=deadline,
            weight=CRITICALITY_WEIGHT[row["criticality"]],
            blocked_periods=blocked,
        )

    def _template(self, agency_id: int, kind: str, step: str) -> TemplateStep:
        for owner in [*self.inputs.lineage(agency_id), None]:
            template = self.inputs.templates.get((owner, kind, step))
            if template is not None:
                return template
        raise LookupError(f"no work template for {kind} / {step}: run the planner migrations")

    def _team(self, agency_id: int, kind: str, facts: SystemFacts, step: str) -> Team | None:
        for owner in self.inputs.lineage(agency_id):
            teams = self.teams_by_kind.get((owner, kind))
            if teams:
                return teams[0]
        where = " or ".join(self.inputs.agency_names[owner] for owner in self.inputs.lineage(agency_id))
        self.issues.append(f"{item_label(facts.fisma_id, step)}: no {TeamKind(kind).label.lower()} team in {where}")
        return None

    def _check_demand(self, team: Team, item: ItemFacts, fisma_id: str) -> None:
        peak = self.resources[team.pk].peak_capacity()
        if item.head_count > peak:
            label = item_label(fisma_id, item.step, item.contract_action)
            self.issues.append(
                f"{label} needs {item.head_count} people of {team.name}, which never has more than {peak}"
            )

    def _blocked_periods(self, agency_id: int) -> tuple[tuple[int, int], ...]:
        """The freeze windows of the agency's calendar (its own, else its department's)."""
        for owner in self.inputs.lineage(agency_id):
            windows = self.inputs.freezes.get(owner)
            if windows:
                periods = (self.calendar.blocked_units(first, last) for first, last in windows)
                return tuple(sorted(period for period in periods if period is not None))
        return ()

    def _link_precedences(self, cut_overs: dict[int, str]) -> None:
        """A dependent system cuts over only after each prerequisite in the plan has."""
        by_id = {item.id: position for position, item in enumerate(self.work)}
        for dependent, prerequisites in self.inputs.links.items():
            if dependent not in cut_overs:
                continue
            extra = tuple(cut_overs[p] for p in prerequisites if p in cut_overs)
            outside = [p for p in prerequisites if p in self.inputs.open_outside]
            if outside:
                self.warnings.append(
                    f"{self.inputs.systems[dependent].fisma_id} depends on {len(outside)} system(s) outside this "
                    "plan; their cut-over is not waited for"
                )
            if extra:
                position = by_id[cut_overs[dependent]]
                item = self.work[position]
                self.work[position] = WorkItem(
                    item.id,
                    item.duration,
                    item.demands,
                    item.predecessors + extra,
                    item.release,
                    item.deadline,
                    item.weight,
                    item.blocked_periods,
                )

    def _resource(self, team: Team) -> Resource:
        """The team's head count over units: its own changes plus any what-if increases."""
        events: dict[int, list[tuple[int, object]]] = defaultdict(list)
        for day, head_count in self.inputs.capacity_changes.get(team.pk, []):
            events[self.calendar.units_before(day)].append((0, head_count))
        for increase in self.adjustments.team_increases:
            if increase.team_id == team.pk:
                events[self.calendar.units_before(increase.from_date)].append((1, increase.extra))
        base, extra, steps = team.head_count, 0, []
        for unit in sorted(events):
            for kind, value in events[unit]:  # within a unit: dated changes (in date order), then increases
                if kind == 0:
                    base = value
                else:
                    extra += value
            steps.append((unit, max(0, base + extra)))
        capacity = steps[0][1] if steps and steps[0][0] == 0 else team.head_count
        return Resource(team_resource(team.pk), capacity, tuple(steps))
