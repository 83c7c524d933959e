"""Reads of the inventory domain, always narrowed to what the user may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from procurement.inventory.access import Action, agency_ids_for, can
from procurement.inventory.enums import DONE_STATUSES, Criticality, DependencyKind, SystemStatus
from procurement.inventory.filters import ContractFilter, SystemFilter
from procurement.inventory.models import Agency, Contract, Directive, ImportBatch, ScopeRule, System
from procurement.inventory.workflow import allowed_transitions, needs_approval


def system_queryset(user, action: Action = Action.VIEW) -> QuerySet[System]:
    """Systems with their links, each link itself narrowed to what the user may see."""
    return (
        System.objects.for_user(user, action)
        .select_related("agency", "directive")
        .prefetch_related("covered_products__vendor", Prefetch("depends_on", System.objects.for_user(user)))
    )


def system_filter(user, params) -> SystemFilter:
    return SystemFilter(params, queryset=system_queryset(user), user=user)


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
    return {
        "system": system,
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


HISTORY_IGNORED_FIELDS = {"id", "created_at", "updated_at"}
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


def _field_changes(user, record, previous) -> tuple[FieldChange, ...]:
    """Compared by hand: simple-history's diff skips non-editable fields such as status."""
    model = record.instance_type
    changes = []
    for tracked in record.tracked_fields:
        if tracked.name in HISTORY_IGNORED_FIELDS:
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
    names = {target.pk: str(target) for target in targets.filter(pk__in=old ^ new)}
    added = tuple(sorted(names[pk] for pk in new - old if pk in names))
    removed = tuple(sorted(names[pk] for pk in old - new if pk in names))
    if not added and not removed:
        return None
    return FieldChange(str(field.verbose_name), added=added, removed=removed)


def _display(field, value) -> str:
    if value in (None, ""):
        return "—"
    if field.is_relation:
        return str(field.related_model._default_manager.filter(pk=value).first() or value)
    return str(dict(field.flatchoices).get(value, value)) if field.choices else str(value)


@dataclass(frozen=True)
class Tally:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class SystemGroup:
    """Systems sharing a status, dependency kind, criticality and deadline, and how many."""

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


def system_groups(systems: QuerySet[System]) -> list[SystemGroup]:
    """Every breakdown the dashboard shows, from one grouped query.

    Each breakdown used to be its own COUNT over every system (seven scans of 100,000
    rows); the groups are at most a few hundred, so Python adds them up instead.
    """
    fields = ("status", "dependency_kind", "criticality", "removal_deadline")
    # COUNT(*), not COUNT(id): the id is not in the breakdown index, so counting it would read the table.
    rows = systems.order_by().values_list(*fields).annotate(count=Count("*"))
    return [SystemGroup(*row) for row in rows]


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
        {"removal_deadline": deadline, "open": count, "days_left": (deadline - today).days if deadline else None}
        for deadline, count in ordered
    ]


def visible_directives() -> QuerySet[Directive]:
    """Directives are public reference data: every signed-in user sees them all."""
    return Directive.objects.all()


def directive_get(pk: int) -> Directive:
    return get_object_or_404(visible_directives(), pk=pk)


def directive_dashboard(user, directive: Directive, today: datetime.date) -> dict:
    systems = System.objects.for_user(user).filter(directive=directive)
    groups = system_groups(systems)
    return {
        "directive": directive,
        "total": sum(group.count for group in groups),
        "done": sum(group.count for group in groups if group.is_done),
        "overdue_count": sum(group.count for group in groups if group.is_overdue(today)),
        "by_status": _tallies(groups, "status", SystemStatus.choices),
        "by_kind": _tallies(groups, "dependency_kind", DependencyKind.choices),
        "by_criticality": _tallies(groups, "criticality", Criticality.choices),
        "deadlines": _open_by_deadline(groups, today),
        "phases": directive_phases(directive, today),
        "overdue": systems.overdue(today).select_related("agency").order_by("removal_deadline", "name", "pk")[:25],
    }


def directive_phases(directive: Directive, today: datetime.date) -> list[dict]:
    issued = directive.issued_on
    phases = [
        ("Identify covered systems", issued + datetime.timedelta(days=directive.identify_offset_days)),
        ("Removal plans due", issued + datetime.timedelta(days=directive.plan_offset_days)),
        ("Next status report", next_status_report(directive, today)),
    ]
    return [{"name": name, "due": due, "days_left": (due - today).days} for name, due in phases]


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


def describe_systems(user, system_ids: list[int]) -> str:
    names = dict(System.objects.for_user(user).filter(pk__in=set(system_ids)).values_list("pk", "fisma_id"))
    return describe_path(system_ids, names)


def describe_path(path: list, names: dict) -> str:
    """Names joined by arrows; systems the user may not see stay unnamed."""
    return " → ".join(names.get(node, "(a system of another agency)") for node in path)


def import_batch_get(user, batch_id) -> ImportBatch:
    """An upload is seen only by the user who sent it."""
    return get_object_or_404(ImportBatch, pk=batch_id, user=user)
