"""Writes of the inventory domain. Views, forms, imports and commands call these."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from procurement.core.batching import in_chunks
from procurement.core.graphs import find_cycle
from procurement.inventory import selectors
from procurement.inventory.access import Action, can
from procurement.inventory.deadlines import removal_deadline_for
from procurement.inventory.enums import DependencyKind
from procurement.inventory.models import (
    Agency,
    Contract,
    Directive,
    DirectiveRevision,
    Product,
    ScopeRule,
    StatusChange,
    System,
)
from procurement.inventory.selectors import current_scope_rules, dependency_edges
from procurement.inventory.workflow import allowed_transitions, is_rollback, needs_approval, status_label

# --- Removal deadlines -------------------------------------------------------------


def system_refresh_deadline(system: System) -> None:
    """Sets (without saving) the system's deadline from its directive's current scope."""
    system.removal_deadline = removal_deadline_for(
        system.directive.issued_on,
        current_scope_rules(system.directive),
        system.agency.agency_type,
        system.dependency_kind,
        system.national_security_system,
    )


def directive_refresh_deadlines(directive: Directive) -> int:
    """Recomputes every system's deadline under `directive`, one UPDATE per scope class.

    Agencies are few, so their types are resolved here and each UPDATE filters one
    table by agency id; a join inside the UPDATE made PostgreSQL plan a nested loop
    over the whole table on freshly loaded data.
    """
    rules = current_scope_rules(directive)
    agency_ids_by_type: dict[str, list[int]] = {}
    for agency_id, agency_type in Agency.objects.values_list("pk", "agency_type"):
        agency_ids_by_type.setdefault(agency_type, []).append(agency_id)
    systems = System.objects.filter(directive=directive)
    updated = 0
    for agency_type, agency_ids in agency_ids_by_type.items():
        for dependency_kind, nss in _scope_classes():
            deadline = removal_deadline_for(directive.issued_on, rules, agency_type, dependency_kind, nss)
            updated += systems.filter(
                agency_id__in=agency_ids, dependency_kind=dependency_kind, national_security_system=nss
            ).update(removal_deadline=deadline)
    return updated


def _scope_classes() -> list[tuple[str, bool]]:
    return [(kind, nss) for kind in DependencyKind.values for nss in (False, True)]


@dataclass(frozen=True)
class ScopeRuleSpec:
    """The content of a scope rule before it belongs to a revision."""

    description: str
    removal_offset_days: int
    agency_type: str = ""
    dependency_kind: str = ""
    national_security_system: bool | None = None


@transaction.atomic
def directive_revise(
    *,
    directive: Directive,
    user,
    effective_on: datetime.date,
    summary: str,
    rules: Iterable[ScopeRuleSpec],
) -> DirectiveRevision:
    """Records a new scope for a directive and moves every affected deadline.

    Earlier revisions stay as they were, so the history of the scope is kept.
    """
    if user is not None and not user.is_superuser:
        raise PermissionDenied("Only administrators change a directive's scope.")
    last = directive.current_revision()
    revision = DirectiveRevision.objects.create(
        directive=directive,
        number=(last.number + 1) if last else 1,
        effective_on=effective_on,
        summary=summary,
        created_by=user,
    )
    ScopeRule.objects.bulk_create(ScopeRule(revision=revision, **vars(rule)) for rule in rules)
    directive_refresh_deadlines(directive)
    return revision


# --- Systems -------------------------------------------------------------------------


def _require_visible(user, systems: list[System]) -> None:
    wanted = {system.pk for system in systems}
    if System.objects.for_user(user).filter(pk__in=wanted).count() < len(wanted):
        raise PermissionDenied("A system can only be linked to systems you can see.")


def _require(user, action: Action, agency_id: int) -> None:
    if not can(user, action, agency_id):
        raise PermissionDenied(f"You may not {action} systems of this agency.")


@transaction.atomic
def system_save(
    *,
    user,
    system: System,
    depends_on: Iterable[System] | None = None,
    covered_products: Iterable | None = None,
) -> System:
    """Creates or updates a system, deriving its removal deadline from the directive."""
    _require(user, Action.CHANGE, system.agency_id)
    if system.pk:
        stored_agency_id = System.objects.values_list("agency_id", flat=True).get(pk=system.pk)
        _require(user, Action.CHANGE, stored_agency_id)
    system_refresh_deadline(system)
    system.full_clean(exclude=["covered_products", "depends_on"])
    system.save()
    if depends_on is not None:
        _set_dependencies(user, system, list(depends_on))
    if covered_products is not None:
        system.covered_products.set(covered_products)
    return system


def _set_dependencies(user, system: System, depends_on: list[System]) -> None:
    _require_visible(user, depends_on)
    # Links to systems the user cannot see are not theirs to remove.
    hidden = system.depends_on.exclude(pk__in=System.objects.for_user(user).values("pk"))
    targets = [*depends_on, *hidden]
    _refuse_cycles(user, {system.pk: [target.pk for target in targets]}, starts=[system.pk])
    system.depends_on.set(targets)


@dataclass
class SystemWrite:
    """One system to save in bulk; a relation left as None is not touched."""

    system: System
    covered_products: list[Product] | None = None
    depends_on: list[str] | None = None  # FISMA IDs, of saved or of this batch's systems


SYSTEM_BULK_FIELDS = [
    field.attname for field in System._meta.concrete_fields if field.attname not in {"id", "created_at", "status"}
]


@transaction.atomic
def system_bulk_save(*, user, writes: list[SystemWrite]) -> None:
    """Creates and updates many systems in a few statements (bulk import).

    Applies the rules of `system_save` (permission, derived deadlines) and records a
    history entry per system; the caller has validated each row (the importer does,
    cell by cell, so it can name them). simple-history does not
    record bulk changes of many-to-many links, so imported links show in the
    current values only.
    """
    systems = [write.system for write in writes]
    for agency_id in _stored_and_new_agency_ids(systems):
        _require(user, Action.CHANGE, agency_id)
    _refresh_deadlines_in_memory(systems)
    now = timezone.now()
    for system in systems:
        system.updated_at = now
    new, existing = [s for s in systems if s.pk is None], [s for s in systems if s.pk is not None]
    bulk_create_with_history(new, System, batch_size=500, default_user=user)
    bulk_update_with_history(existing, System, SYSTEM_BULK_FIELDS, batch_size=500, default_user=user)
    _replace_links(System.covered_products.through, "product_id", _product_links(writes))
    visible = System.objects.for_user(user).values("pk")
    links = _dependency_links(user, writes)
    _replace_links(System.depends_on.through, "to_system_id", links, replaceable=visible)
    _refuse_cycles(user, starts=list(links))  # the batch's links are stored by now


def _stored_and_new_agency_ids(systems: list[System]) -> set[int]:
    stored = System.objects.filter(pk__in=[s.pk for s in systems if s.pk]).values_list("agency_id", flat=True)
    return {system.agency_id for system in systems} | set(stored)


def _refresh_deadlines_in_memory(systems: list[System]) -> None:
    rules_by_directive: dict[int, list[ScopeRule]] = {}
    for system in systems:
        if system.directive_id not in rules_by_directive:
            rules_by_directive[system.directive_id] = current_scope_rules(system.directive)
        system.removal_deadline = removal_deadline_for(
            system.directive.issued_on,
            rules_by_directive[system.directive_id],
            system.agency.agency_type,
            system.dependency_kind,
            system.national_security_system,
        )


def _product_links(writes: list[SystemWrite]) -> dict[int, list[int]]:
    return {
        write.system.pk: [product.pk for product in write.covered_products]
        for write in writes
        if write.covered_products is not None
    }


def _dependency_links(user, writes: list[SystemWrite]) -> dict[int, list[int]]:
    wanted = {fisma_id for write in writes for fisma_id in write.depends_on or []}
    ids = {write.system.fisma_id: write.system.pk for write in writes}
    for chunk in in_chunks(sorted(wanted - ids.keys())):
        ids.update(System.objects.for_user(user).filter(fisma_id__in=chunk).values_list("fisma_id", "pk"))
    links = {}
    for write in writes:
        if write.depends_on is None:
            continue
        unknown = [fisma_id for fisma_id in write.depends_on if fisma_id not in ids]
        if unknown or write.system.fisma_id in write.depends_on:
            raise ValidationError(f"{write.system.fisma_id}: cannot depend on {', '.join(unknown) or 'itself'}.")
        links[write.system.pk] = [ids[fisma_id] for fisma_id in write.depends_on]
    return links


def _refuse_cycles(user, changes: dict[int, list[int]] | None = None, *, starts: list[int]) -> None:
    """Raises if a cycle runs through `starts` in the stored links with `changes` applied.

    The planner needs an acyclic graph: a system cannot wait on itself.
    """
    edges = {**dependency_edges("from_system_id", "to_system_id"), **(changes or {})}
    cycle = find_cycle(edges, starts)
    if cycle:
        raise ValidationError(f"Depends-on links would form a cycle: {selectors.describe_systems(user, cycle)}.")


def _replace_links(through, target_column: str, links: dict[int, list[int]], replaceable=None) -> None:
    """Replaces the many-to-many rows of the given systems with `links`.

    With `replaceable` (a queryset of target ids), rows pointing elsewhere are kept:
    a user replaces only the links they can see.
    """
    source_column = next(
        field.attname for field in through._meta.concrete_fields if field.attname not in {"id", target_column}
    )
    for chunk in in_chunks(list(links)):
        stale = through.objects.filter(**{f"{source_column}__in": chunk})
        if replaceable is not None:
            stale = stale.filter(**{f"{target_column}__in": replaceable})
        stale.delete()
    through.objects.bulk_create(
        (
            through(**{source_column: system_id, target_column: target_id})
            for system_id, targets in links.items()
            for target_id in dict.fromkeys(targets)
        ),
        batch_size=1000,
    )


@transaction.atomic
def system_transition(*, user, system: System, to_status: str, note: str = "") -> StatusChange:
    """Moves a system one step in the workflow and records who, when and why."""
    _require(user, Action.CHANGE, system.agency_id)
    system = System.objects.select_for_update().get(pk=system.pk)
    if to_status not in allowed_transitions(system.status):
        raise ValidationError(f"A system cannot go from {status_label(system.status)} to {status_label(to_status)}.")
    if needs_approval(system.status, to_status) and not can(user, Action.APPROVE, system.agency_id):
        raise PermissionDenied(
            f"Only a transition lead may move a system from {status_label(system.status)} to {status_label(to_status)}."
        )
    if is_rollback(system.status, to_status) and not note.strip():
        raise ValidationError("Say why the system goes back a step.")
    change = StatusChange.objects.create(
        system=system,
        agency_id=system.agency_id,
        from_status=system.status,
        to_status=to_status,
        changed_by=user,
        note=note.strip(),
    )
    system.status = to_status
    system.save(update_fields=["status", "updated_at"])
    return change


# --- Contracts -----------------------------------------------------------------------


@transaction.atomic
def contract_save(*, user, contract: Contract, systems: Iterable[System] | None = None) -> Contract:
    """Creates or updates a contract and links it to systems the user may change."""
    _require(user, Action.CHANGE, contract.agency_id)
    if contract.pk:
        stored_agency_id = Contract.objects.values_list("agency_id", flat=True).get(pk=contract.pk)
        _require(user, Action.CHANGE, stored_agency_id)
    contract.full_clean(exclude=["systems"])
    contract.save()
    if systems is not None:
        systems = list(systems)
        for system in systems:
            _require(user, Action.CHANGE, system.agency_id)
        # Links to systems the user may not change stay as they are.
        kept = contract.systems.exclude(pk__in=System.objects.for_user(user, Action.CHANGE).values("pk"))
        contract.systems.set([*systems, *kept])
    return contract
