"""Reads of the inventory domain, always narrowed to what the user may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from procurement.core.tables import choice_rank
from procurement.inventory import counts
from procurement.inventory.access import Action, agency_ids_for, can
from procurement.inventory.deadlines import deadline_under, scope_rule_for
from procurement.inventory.enums import DONE_STATUSES, Criticality, DependencyKind, Role, SystemStatus
from procurement.inventory.filters import ContractFilter, SystemFilter
from procurement.inventory.models import Agency, Contract, Directive, ImportBatch, Membership, ScopeRule, System
from procurement.inventory.workflow import (
    STEPS,
    allowed_transitions,
    approval_reason,
    needs_approval,
    next_step,
    previous_step,
    status_label,
)


def system_queryset(user, action: Action = Action.VIEW) -> QuerySet[System]:
    """Systems with their links, each link itself narrowed to what the user may see."""
    return (
        System.objects.for_user(user, action)
        .select_related("agency", "directive")
        .prefetch_related("covered_products__vendor", Prefetch("depends_on", System.objects.for_user(user)))
    )


def system_filter(user, params) -> SystemFilter:
    return SystemFilter(params, queryset=system_queryset(user), user=user)


def system_count(user, systems: QuerySet[System]) -> int:
    """The exact number of `systems` (narrowed to `user`), counted once per change to them."""
    return counts.system_count(systems, user)


def contract_queryset(user, action: Action = Action.VIEW) -> QuerySet[Contract]:
    return (
        Contract.objects.for_user(user, action)
        .select_related("agency")
        .prefetch_related(Prefetch("systems", System.objects.for_user(user)))
    )


def contract_filter(user, params) -> ContractFilter:
    return ContractFilter(params, queryset=contract_queryset(user), user=user)


def system_get(user, pk: int, action: Action = Action.VIEW) -> System:
    """The system, or 404 when the user may not see it: never a hint that it exists."""
    return get_object_or_404(System.objects.for_user(user, action).select_related("agency", "directive"), pk=pk)


def contract_get(user, pk: int) -> Contract:
    return get_object_or_404(Contract.objects.for_user(user).select_related("agency"), pk=pk)


def system_detail(user, pk: int) -> dict:
    """Everything the detail page shows, each related list scoped to the user."""
    system = system_get(user, pk)
    visible = System.objects.for_user(user).select_related("agency")
    rule = system.deadline_rule
    return {
        "system": system,
        "deadline_set_by": rule.provenance() if rule else "",
        "workflow": workflow_panel(user, system),
        "products": system.covered_products.select_related("vendor"),
        "depends_on": visible.filter(depended_by=system),
        "depended_by": visible.filter(depends_on=system),
        "contracts": Contract.objects.for_user(user).filter(systems=system),
        "status_changes": system.status_changes.for_user(user).select_related("changed_by"),
        "history": history_entries(user, system.history),
    }


def contract_detail(user, pk: int) -> dict:
    contract = contract_get(user, pk)
    return {
        "contract": contract,
        "systems": System.objects.for_user(user).filter(contracts=contract).select_related("agency"),
        "history": history_entries(user, contract.history),
    }


HISTORY_IGNORED_FIELDS = {"id", "created_at", "updated_at", "version"}
# Kept by services, never typed into a form: a change of these is no edit conflict.
DERIVED_FIELDS = {"status", "removal_deadline", "deadline_rule", "waiver_until"}
HISTORY_LIMIT = 100


@dataclass(frozen=True)
class FieldChange:
    """One field of one history entry: old → new, or for links the ones added and removed."""

    field: str
    old: str = ""
    new: str = ""
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    record: object  # a simple-history record: who (history_user), when (history_date), type
    changes: tuple[FieldChange, ...]


def history_entries(user, history) -> list[HistoryEntry]:
    """Change history newest first: who, when, and each changed field as old → new.

    `history` is a simple-history manager (e.g. `system.history`). Records made while
    the row belonged to an agency the user may not see are left out, and so are links
    to rows the user may not see: history never shows more than the page itself.
    Saves that changed nothing visible are left out too.
    """
    records = history.select_related("history_user").order_by("-history_date", "-history_id")
    agency_ids = agency_ids_for(user, Action.VIEW)
    if agency_ids is not None:
        records = records.filter(agency_id__in=agency_ids)
    records = list(records[: HISTORY_LIMIT + 1])
    entries = []
    for record, previous in zip(records[:HISTORY_LIMIT], records[1:] + [None], strict=False):
        changes = _field_changes(user, record, previous) if previous else ()
        if changes or record.history_type != "~":
            entries.append(HistoryEntry(record, changes))
    return entries


def _field_changes(user, record, previous, ignored=HISTORY_IGNORED_FIELDS) -> tuple[FieldChange, ...]:
    """Compared by hand: simple-history's diff skips non-editable fields such as status."""
    model = record.instance_type
    changes = []
    for tracked in record.tracked_fields:
        if tracked.name in ignored:
            continue
        old, new = getattr(previous, tracked.attname), getattr(record, tracked.attname)
        if old != new:
            field = model._meta.get_field(tracked.name)
            changes.append(FieldChange(str(field.verbose_name), _display(field, old), _display(field, new)))
    m2m_names = [field.name for field in record._history_m2m_fields]
    if m2m_names:
        for change in record.diff_against(previous, included_fields=m2m_names).changes:
            link_change = _link_change(user, model._meta.get_field(change.field), change.old, change.new)
            if link_change is not None:
                changes.append(link_change)
    return tuple(changes)


def _link_change(user, field, old_rows: list[dict], new_rows: list[dict]) -> FieldChange | None:
    """Links added and removed, named, and only those to rows the user may see."""
    target_column = field.m2m_reverse_field_name()
    old = {row[target_column] for row in old_rows or []}
    new = {row[target_column] for row in new_rows or []}
    targets = field.related_model._default_manager
    if hasattr(targets, "for_user"):
        targets = targets.for_user(user)
    names = {target.pk: _link_name(target) for target in targets.filter(pk__in=old ^ new)}
    added = tuple(sorted(names[pk] for pk in new - old if pk in names))
    removed = tuple(sorted(names[pk] for pk in old - new if pk in names))
    if not added and not removed:
        return None
    return FieldChange(str(field.verbose_name), added=added, removed=removed)


def _link_name(target) -> str:
    """A linked system by FISMA ID and name ("IRS-0013 Tax Chat Assistant"); anything else as itself."""
    return f"{target.fisma_id} {target.name}" if isinstance(target, System) else str(target)


def _display(field, value) -> str:
    if value in (None, ""):
        return "—"
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        if hasattr(related, "provenance"):  # a scope rule: say which revision it belongs to
            return related.provenance()
        return str(related or value)
    return str(dict(field.flatchoices).get(value, value)) if field.choices else str(value)


def edits_since(user, instance, version: int) -> list[FieldChange] | None:
    """What people changed in `instance` since its `version`, as `user` may see it; None if unknown.

    Derived fields (status, deadlines) are left out: no form carries them.
    """
    records = instance.history.select_related("history_user").order_by("-history_date", "-history_id")
    then, latest = records.filter(version=version).first(), records.first()
    if then is None or latest is None:
        return None
    return list(_field_changes(user, latest, then, ignored=HISTORY_IGNORED_FIELDS | DERIVED_FIELDS))


def editors_since(instance, version: int) -> str:
    """Who saved `instance` after `version`, by username, for a conflict message."""
    names = instance.history.filter(version__gt=version, history_user__isnull=False)
    return ", ".join(sorted(set(names.values_list("history_user__username", flat=True))))


def form_initial_at(user, instance, version: int, fields: list[str]) -> dict | None:
    """A form's initial values as they were at `version` (what a stale form showed), or None.

    Links are read from the history's link rows, narrowed to what the user may see.
    """
    record = instance.history.filter(version=version).order_by("-history_date", "-history_id").first()
    if record is None:
        return None
    initial = {name: getattr(record, instance._meta.get_field(name).attname) for name in fields}
    if isinstance(instance, System):
        initial["covered_products"] = list(record.covered_products.values_list("product_id", flat=True))
        linked = record.depends_on.values_list("to_system_id", flat=True)
        visible = System.objects.for_user(user).filter(pk__in=list(linked))
        initial["depends_on_ids"] = ", ".join(visible.order_by("fisma_id").values_list("fisma_id", flat=True))
    else:
        linked = record.systems.values_list("system_id", flat=True)
        changeable = System.objects.for_user(user, Action.CHANGE).filter(pk__in=list(linked))
        initial["system_ids"] = ", ".join(changeable.order_by("fisma_id").values_list("fisma_id", flat=True))
    return initial


# --- Deadlines under a scope: shared by saving a revision and previewing it -------------


@dataclass(frozen=True)
class DeadlineChanges:
    """How many systems gained, lost or moved a removal deadline."""

    gained: int = 0
    lost: int = 0
    moved: int = 0

    def __add__(self, other: DeadlineChanges) -> DeadlineChanges:
        return DeadlineChanges(self.gained + other.gained, self.lost + other.lost, self.moved + other.moved)

    @property
    def total(self) -> int:
        return self.gained + self.lost + self.moved


@dataclass(frozen=True)
class ScopeClass:
    """Systems alike for every scope rule (agency type, dependency kind, NSS), and what the rules give them."""

    agency_ids: tuple[int, ...]
    dependency_kind: str
    national_security_system: bool
    rule: object | None  # a ScopeRule, or a ScopeRuleSpec in a preview
    deadline: datetime.date | None

    @property
    def lookup(self) -> dict:
        return {
            "agency_id__in": self.agency_ids,
            "dependency_kind": self.dependency_kind,
            "national_security_system": self.national_security_system,
        }


def scope_classes(directive: Directive, rules, agency_ids=None) -> list[ScopeClass]:
    agencies = Agency.objects.all() if agency_ids is None else Agency.objects.filter(pk__in=list(agency_ids))
    ids_by_type: dict[str, list[int]] = {}
    for agency_id, agency_type in agencies.values_list("pk", "agency_type"):
        ids_by_type.setdefault(agency_type, []).append(agency_id)
    classes = []
    for agency_type, ids in ids_by_type.items():
        for kind in DependencyKind.values:
            for nss in (False, True):
                rule = scope_rule_for(rules, agency_type, kind, nss)
                classes.append(ScopeClass(tuple(ids), kind, nss, rule, deadline_under(directive.issued_on, rule)))
    return classes


def deadline_moves(systems: QuerySet[System], deadline: datetime.date | None) -> QuerySet[System]:
    """The systems whose stored deadline is not `deadline`."""
    if deadline is None:
        return systems.filter(removal_deadline__isnull=False)
    return systems.exclude(removal_deadline=deadline)


def count_deadline_moves(moving: QuerySet[System], deadline: datetime.date | None) -> DeadlineChanges:
    if deadline is None:
        return DeadlineChanges(lost=moving.count())
    gained = moving.filter(removal_deadline__isnull=True).count()
    return DeadlineChanges(gained=gained, moved=moving.count() - gained)


@dataclass(frozen=True)
class DeadlineMove:
    system_id: int
    fisma_id: str
    name: str
    old: datetime.date | None
    new: datetime.date | None


@dataclass(frozen=True)
class RevisionPreview:
    """What saving a revision would do to deadlines: counts, and the first systems of each kind of move."""

    changes: DeadlineChanges
    gained: list[DeadlineMove]
    lost: list[DeadlineMove]
    moved: list[DeadlineMove]
    without_deadline: int  # systems no rule would cover, whether or not they have a deadline now
    listed_at_most: int


REVISION_PREVIEW_LISTED = 100


def directive_revision_preview(directive: Directive, rules) -> RevisionPreview:
    """The effect of replacing the directive's scope rules by `rules` (ScopeRuleSpecs), without saving.

    Uses the same scope classes and queries as `services.directive_refresh_deadlines`,
    so the counts are what saving does.
    """
    changes, without_deadline = DeadlineChanges(), 0
    listed: dict[str, list[DeadlineMove]] = {"gained": [], "lost": [], "moved": []}
    for scope_class in scope_classes(directive, rules):
        in_class = System.objects.filter(directive=directive, **scope_class.lookup)
        moving = deadline_moves(in_class, scope_class.deadline)
        found = count_deadline_moves(moving, scope_class.deadline)
        changes += found
        if scope_class.deadline is None:
            without_deadline += in_class.count()
        if found.total:
            _list_moves(moving, scope_class.deadline, listed)
    return RevisionPreview(changes, **listed, without_deadline=without_deadline, listed_at_most=REVISION_PREVIEW_LISTED)


def _list_moves(moving: QuerySet[System], deadline, listed: dict[str, list[DeadlineMove]]) -> None:
    rows = moving.order_by("name", "pk").values_list("pk", "fisma_id", "name", "removal_deadline")
    for pk, fisma_id, name, old in rows[: REVISION_PREVIEW_LISTED * 2]:
        kind = "lost" if deadline is None else "gained" if old is None else "moved"
        if len(listed[kind]) < REVISION_PREVIEW_LISTED:
            listed[kind].append(DeadlineMove(pk, fisma_id, name, old, deadline))


@dataclass(frozen=True)
class Tally:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class SystemGroup:
    """Systems sharing an agency, status, dependency kind, criticality and deadline, and how many."""

    agency_id: int
    status: str
    dependency_kind: str
    criticality: str
    removal_deadline: datetime.date | None
    count: int

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES

    def is_overdue(self, today: datetime.date) -> bool:
        return not self.is_done and self.removal_deadline is not None and self.removal_deadline < today

    def is_at_risk(self, today: datetime.date) -> bool:
        """Not yet cut over and due within AT_RISK_DAYS (today included)."""
        if self.status not in AT_RISK_STATUSES or self.removal_deadline is None:
            return False
        return today <= self.removal_deadline < today + datetime.timedelta(days=AT_RISK_DAYS)


def system_groups(systems: QuerySet[System]) -> list[SystemGroup]:
    """Every breakdown the dashboard shows, the per-agency one included, from one grouped query.

    Each breakdown used to be its own COUNT over every system (seven scans of 100,000
    rows); the groups are at most a few thousand, so Python adds them up instead. On
    PostgreSQL the query reads the covering index `system_dashboard_idx` alone.
    """
    return [SystemGroup(*row) for row in system_group_counts(systems)]


def system_group_counts(systems: QuerySet[System]) -> QuerySet:
    """Rows of (agency id, status, dependency kind, criticality, deadline, count)."""
    fields = ("agency_id", "status", "dependency_kind", "criticality", "removal_deadline")
    # COUNT(*), not COUNT(id): the id is not in the dashboard index, so counting it would read the table.
    return systems.order_by().values_list(*fields).annotate(count=Count("*"))


def _tallies(groups: list[SystemGroup], field: str, choices) -> list[Tally]:
    found: dict[str, int] = {}
    for group in groups:
        found[getattr(group, field)] = found.get(getattr(group, field), 0) + group.count
    return [Tally(value, label, found.get(value, 0)) for value, label in choices]


def _open_by_deadline(groups: list[SystemGroup], today: datetime.date) -> list[dict]:
    open_counts: dict[datetime.date | None, int] = {}
    for group in groups:
        if not group.is_done:
            open_counts[group.removal_deadline] = open_counts.get(group.removal_deadline, 0) + group.count
    ordered = sorted(open_counts.items(), key=lambda item: (item[0] is None, item[0] or datetime.date.min))
    return [
        {
            "removal_deadline": deadline,
            "open": count,
            "days_left": (deadline - today).days if deadline else None,
            "days_overdue": max((today - deadline).days, 0) if deadline else 0,
        }
        for deadline, count in ordered
    ]


def visible_directives() -> QuerySet[Directive]:
    """Directives are public reference data: every signed-in user sees them all."""
    return Directive.objects.all()


def directive_get(pk: int) -> Directive:
    return get_object_or_404(visible_directives(), pk=pk)


@dataclass(frozen=True)
class DirectiveFigures:
    """The dashboard's figures over a directive's systems, as one user sees them on one day."""

    total: int
    done: int
    overdue_count: int
    by_status: list[Tally]
    by_kind: list[Tally]
    by_criticality: list[Tally]
    deadlines: list[dict]
    by_agency: dict[int, dict[str, int]]


def directive_figures(groups: list[SystemGroup], today: datetime.date) -> DirectiveFigures:
    return DirectiveFigures(
        total=sum(group.count for group in groups),
        done=sum(group.count for group in groups if group.is_done),
        overdue_count=sum(group.count for group in groups if group.is_overdue(today)),
        by_status=_tallies(groups, "status", SystemStatus.choices),
        by_kind=_tallies(groups, "dependency_kind", DependencyKind.choices),
        by_criticality=_tallies(groups, "criticality", Criticality.choices),
        deadlines=_open_by_deadline(groups, today),
        by_agency=_agency_counts(groups, today),
    )


def directive_dashboard(user, directive: Directive, today: datetime.date, breakdown_sort: str = "") -> dict:
    systems = System.objects.for_user(user).filter(directive=directive)
    # Adding up the groups (thousands on 100,000 systems) took about a tenth of the page: the
    # sums are kept under the groups' stamp and the day, as overdue and at risk depend on it.
    figures = counts.cached_figure(
        system_group_counts(systems), user, lambda: directive_figures(system_groups(systems), today), f"figures {today}"
    )
    return {
        "agency_breakdown": agency_breakdown(user, figures.by_agency, breakdown_sort),
        "directive": directive,
        "total": figures.total,
        "done": figures.done,
        "overdue_count": figures.overdue_count,
        "by_status": figures.by_status,
        "by_kind": figures.by_kind,
        "by_criticality": figures.by_criticality,
        "deadlines": figures.deadlines,
        "phases": directive_phases(directive, today),
        "overdue": most_overdue(systems, today),
    }


def most_overdue(systems: QuerySet[System], today: datetime.date, count: int = 25) -> QuerySet[System]:
    """The longest-overdue systems first; among those due the same day, the most critical first."""
    criticality = choice_rank(System, "criticality")
    return (
        systems.overdue(today)
        .select_related("agency")
        .only("name", "removal_deadline", "status", "agency__abbreviation")  # what the dashboard shows
        .order_by("removal_deadline", criticality.desc(), "name", "pk")[:count]
    )


# "At risk": still open, not yet cut over, and due within this many days.
AT_RISK_DAYS = 30
AT_RISK_STATUSES = (SystemStatus.IDENTIFIED, SystemStatus.ASSESSED, SystemStatus.PLAN_APPROVED, SystemStatus.MIGRATING)
BREAKDOWN_SORTS = ("agency", "systems", "done_percent", "overdue", "at_risk")  # AgencyBreakdown.headers
DEFAULT_BREAKDOWN_SORT = "-overdue"


@dataclass
class AgencyTally:
    """One department's or component's systems under a directive: how far along, how late."""

    agency: Agency
    systems: int = 0
    done: int = 0
    overdue: int = 0
    at_risk: int = 0
    components: list[AgencyTally] = field(default_factory=list)

    @property
    def done_percent(self) -> int:
        """Removed or verified, in whole per cent (rounded down: 99.6 % is not yet 100 %)."""
        return self.done * 100 // self.systems if self.systems else 0

    def add(self, other: AgencyTally) -> None:
        self.systems += other.systems
        self.done += other.done
        self.overdue += other.overdue
        self.at_risk += other.at_risk


@dataclass(frozen=True)
class AgencyBreakdown:
    """Departments (each counting its components too) with their components, sorted as asked."""

    departments: list[AgencyTally]
    sort: str
    at_risk_days: int = AT_RISK_DAYS
    headers: tuple[tuple[str, str], ...] = (
        ("agency", "Agency"),
        ("systems", "Systems"),
        ("done_percent", "Removed or verified"),
        ("overdue", "Overdue"),
        ("at_risk", "At risk"),
    )


def agency_breakdown(user, by_agency: dict[int, dict[str, int]], sort: str = "") -> AgencyBreakdown:
    """Per department and component, from each agency's own counts (`_agency_counts`) and one query of agency names."""
    sort = sort if sort.lstrip("-") in BREAKDOWN_SORTS else DEFAULT_BREAKDOWN_SORT
    visible = Agency.objects.for_user(user)
    agencies = visible.filter(Q(pk__in=by_agency) | Q(components__pk__in=by_agency)).distinct()
    tallies = {agency.pk: AgencyTally(agency, **by_agency.get(agency.pk, {})) for agency in agencies}
    departments = []
    for tally in tallies.values():
        department = tallies.get(tally.agency.parent_id)
        if department is None:
            departments.append(tally)
        else:
            department.components.append(tally)
    for department in departments:
        for component in department.components:
            department.add(component)
        _sort_tallies(department.components, sort)
    _sort_tallies(departments, sort)
    return AgencyBreakdown(departments, sort)


def _agency_counts(groups: list[SystemGroup], today: datetime.date) -> dict[int, dict[str, int]]:
    """Each agency's own systems, done, overdue and at risk (its components not included)."""
    counts: dict[int, dict[str, int]] = {}
    for group in groups:
        tally = counts.setdefault(group.agency_id, {"systems": 0, "done": 0, "overdue": 0, "at_risk": 0})
        tally["systems"] += group.count
        tally["done"] += group.count if group.is_done else 0
        tally["overdue"] += group.count if group.is_overdue(today) else 0
        tally["at_risk"] += group.count if group.is_at_risk(today) else 0
    return counts


def _sort_tallies(tallies: list[AgencyTally], sort: str) -> None:
    key = sort.lstrip("-")
    if key == "agency":
        tallies.sort(key=lambda tally: tally.agency.name, reverse=sort.startswith("-"))
        return
    tallies.sort(key=lambda tally: tally.agency.name)  # ties by name, whichever way the numbers run
    tallies.sort(key=lambda tally: getattr(tally, key), reverse=sort.startswith("-"))


def directive_phases(directive: Directive, today: datetime.date) -> list[dict]:
    issued = directive.issued_on
    phases = [
        ("Identify covered systems", issued + datetime.timedelta(days=directive.identify_offset_days)),
        ("Removal plans due", issued + datetime.timedelta(days=directive.plan_offset_days)),
        ("Next status report", next_status_report(directive, today)),
    ]
    return [
        {"name": name, "due": due, "days_left": (due - today).days, "days_past": max((today - due).days, 0)}
        for name, due in phases
    ]


def next_status_report(directive: Directive, today: datetime.date) -> datetime.date:
    interval = directive.status_report_interval_days
    elapsed = max((today - directive.issued_on).days, 0)
    periods = elapsed // interval + 1
    return directive.issued_on + datetime.timedelta(days=periods * interval)


def agencies_for(user, action: Action = Action.VIEW) -> QuerySet[Agency]:
    return Agency.objects.for_user(user, action)


def can_change_anything(user) -> bool:
    """Whether the user may add records at all (editor or lead somewhere, or admin)."""
    return agencies_for(user, Action.CHANGE).exists()


def editable_get(user, model, pk: int | None):
    """The object to edit, or a new one: 404 if the user cannot see it, 403 if only see it."""
    if pk is None:
        if not can_change_anything(user):
            raise PermissionDenied
        return model()
    instance = get_object_or_404(model.objects.for_user(user), pk=pk)
    if not can(user, Action.CHANGE, instance.agency_id):
        raise PermissionDenied
    return instance


def dependency_edges(source: str = "from_system_id", target: str = "to_system_id") -> dict:
    """The whole depends-on graph, unscoped, as source → targets (one query).

    For cycle checks only: a cycle through another agency's systems is still a cycle.
    Pass "from_system__fisma_id", "to_system__fisma_id" for FISMA ID keys.
    """
    edges: dict = {}
    for from_key, to_key in System.depends_on.through.objects.values_list(source, target):
        edges.setdefault(from_key, []).append(to_key)
    return edges


def current_scope_rules(directive: Directive) -> list[ScopeRule]:
    revision = directive.current_revision()
    return list(revision.scope_rules.all()) if revision else []


def transitions_for_user(user, system: System) -> list[str]:
    """The statuses `user` may move `system` to now (for buttons and the API)."""
    if not can(user, Action.CHANGE, system.agency_id):
        return []
    return [
        status
        for status in allowed_transitions(system.status)
        if not needs_approval(system.status, status) or can(user, Action.APPROVE, system.agency_id)
    ]


@dataclass(frozen=True)
class WorkflowStep:
    status: str
    label: str
    state: str  # "complete", "current" or "upcoming"


@dataclass(frozen=True)
class WorkflowMove:
    """A move from the current status: whether this user is offered it, and if not, why."""

    status: str
    label: str
    offered: bool
    who: str  # who may take it, e.g. "editors and transition leads of IRS"
    why_not: str = ""


@dataclass(frozen=True)
class WorkflowPanel:
    steps: list[WorkflowStep]
    current: str
    position: int  # 1-based
    forward: WorkflowMove | None
    back: WorkflowMove | None


def workflow_panel(user, system: System) -> WorkflowPanel:
    """The system's place in the workflow, its next step and its step back, for this user."""
    index = STEPS.index(system.status)
    steps = [
        WorkflowStep(status, status_label(status), "complete" if n < index else "current" if n == index else "upcoming")
        for n, status in enumerate(STEPS)
    ]
    forward, back = next_step(system.status), previous_step(system.status)
    return WorkflowPanel(
        steps=steps,
        current=status_label(system.status),
        position=index + 1,
        forward=_workflow_move(user, system, forward) if forward else None,
        back=_workflow_move(user, system, back) if back else None,
    )


def _workflow_move(user, system: System, to_status: str) -> WorkflowMove:
    agency = system.agency.abbreviation
    if needs_approval(system.status, to_status):
        leads = ", ".join(transition_lead_names(system.agency))
        who = f"transition leads of {agency}" + (f" ({leads})" if leads else "")
        why = approval_reason(system.status, to_status)
    else:
        who, why = f"editors and transition leads of {agency}", ""
    offered = to_status in transitions_for_user(user, system)
    if not offered and not can(user, Action.CHANGE, system.agency_id):
        why = f"you may view {agency}'s systems but not change them"
    return WorkflowMove(to_status, status_label(to_status), offered, who, "" if offered else why)


def transition_lead_names(agency: Agency) -> list[str]:
    """Who may approve for the agency: its leads and those of the departments above it."""
    agency_ids, parent = [agency.pk], agency.parent_id
    while parent is not None:
        agency_ids.append(parent)
        parent = Agency.objects.filter(pk=parent).values_list("parent_id", flat=True).first()
    memberships = Membership.objects.filter(agency_id__in=agency_ids, role=Role.TRANSITION_LEAD)
    return sorted(memberships.values_list("user__username", flat=True))


def describe_systems(user, system_ids: list[int]) -> str:
    names = dict(System.objects.for_user(user).filter(pk__in=set(system_ids)).values_list("pk", "fisma_id"))
    return describe_path(system_ids, names)


def describe_path(path: list, names: dict) -> str:
    """Names joined by arrows; systems the user may not see stay unnamed."""
    return " → ".join(names.get(node, "(a system of another agency)") for node in path)


def import_batch_get(user, batch_id) -> ImportBatch:
    """An upload is seen only by the user who sent it."""
    return get_object_or_404(ImportBatch, pk=batch_id, user=user)
