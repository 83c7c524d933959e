"""Writes of the inventory domain. Views, forms, imports and commands call these."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from procurement.core.batching import in_chunks
from procurement.core.graphs import find_cycle
from procurement.inventory import selectors
from procurement.inventory.access import Action, can
from procurement.inventory.deadlines import deadline_under, scope_rule_for
from procurement.inventory.enums import AgencyType
from procurement.inventory.history import history_record_bulk
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
from procurement.inventory.selectors import DeadlineChanges, current_scope_rules, dependency_edges
from procurement.inventory.workflow import allowed_transitions, is_rollback, needs_approval, status_label

# --- Removal deadlines -------------------------------------------------------------


def system_refresh_deadline(system: System) -> None:
    """Sets (without saving) the system's deadline, and the rule that sets it, from its directive's current scope."""
    rule = scope_rule_for(
        current_scope_rules(system.directive),
        system.agency.agency_type,
        system.dependency_kind,
        system.national_security_system,
    )
    system.deadline_rule = rule
    system.removal_deadline = deadline_under(system.directive.issued_on, rule)


def directive_refresh_deadlines(
    directive: Directive,
    *,
    user=None,
    reason: str = "",
    agency_ids: Iterable[int] | None = None,
    record_history: bool = True,
) -> DeadlineChanges:
    """Recomputes the deadlines under `directive` (of `agency_ids`' systems, or all), one UPDATE per scope class.

    Each system whose deadline moves gets a history entry naming `reason` (the revision
    or edit that moved it). Agencies are few, so their types are resolved here and each
    UPDATE filters one table by agency id; a join inside the UPDATE made PostgreSQL plan
    a nested loop over the whole table on freshly loaded data.
    """
    rules = current_scope_rules(directive)
    changes = DeadlineChanges()
    now = timezone.now()
    for scope_class in selectors.scope_classes(directive, rules, agency_ids):
        in_class = System.objects.filter(directive=directive, **scope_class.lookup)
        moving = selectors.deadline_moves(in_class, scope_class.deadline)
        changes += selectors.count_deadline_moves(moving, scope_class.deadline)
        moved_ids = list(moving.values_list("pk", flat=True)) if record_history else []
        in_class.update(removal_deadline=scope_class.deadline, deadline_rule=scope_class.rule)
        history_record_bulk(System, moved_ids, history_type="~", user=user, reason=reason[:100], date=now)
    return changes


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

    Earlier revisions stay as they were, so the history of the scope is kept; each
    system whose deadline moves gets a history entry naming the new revision.
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
    reason = f"{directive} revision {revision.number}: {summary}"
    # Kept on the instance for the page that saved it: what the revision did to deadlines.
    revision.deadline_changes = directive_refresh_deadlines(directive, user=user, reason=reason)
    return revision


@transaction.atomic
def agency_save(*, user, agency: Agency) -> Agency:
    """Saves an agency (administrators only); a new agency type moves its systems' deadlines."""
    if not user.is_superuser:
        raise PermissionDenied("Only administrators change agencies.")
    stored_type = Agency.objects.filter(pk=agency.pk).values_list("agency_type", flat=True).first()
    agency.full_clean()
    agency.save()
    if stored_type is not None and stored_type != agency.agency_type:
        change = f"{AgencyType(stored_type).label} → {agency.get_agency_type_display()}"
        reason = f"agency type of {agency.abbreviation}: {change}"
        for directive in Directive.objects.filter(systems__agency=agency).distinct():
            directive_refresh_deadlines(directive, user=user, reason=reason, agency_ids=[agency.pk])
    return agency


# --- Systems -------------------------------------------------------------------------


class EditConflict(Exception):
    """A save from a form, preview or bulk action that showed an older version: nothing was written.

    `changes` are what others changed since that version, as the user may see them.
    """

    def __init__(self, message: str, changes: tuple = ()):
        super().__init__(message)
        self.message = message
        self.changes = changes


def _refuse_if_stale(user, stored, expected_version: int | None) -> None:
    """Raises EditConflict when someone changed what `user` edits since `expected_version`.

    A newer version whose changes are all derived (status, deadline) is no conflict:
    a form never carries those, so saving it cannot undo them.
    """
    if expected_version is None or stored.version == expected_version:
        return
    changes = selectors.edits_since(user, stored, expected_version)
    if changes is None or changes:
        editors = selectors.editors_since(stored, expected_version)
        raise EditConflict(
            f"{editors or 'Someone'} saved {stored} after you opened it; nothing of yours was saved yet.",
            tuple(changes or ()),
        )


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
    expected_version: int | None = None,
    reason: str = "",
) -> System:
    """Creates or updates a system, deriving its removal deadline from the directive.

    With `expected_version` (the `System.version` the user's form showed), a save over
    someone else's later edit of the same fields raises EditConflict and writes nothing.
    A save that changes nothing writes nothing: no new version, no history entry.
    """
    _require(user, Action.CHANGE, system.agency_id)
    stored = None
    if system.pk:
        stored = System.objects.select_for_update().select_related("agency").get(pk=system.pk)
        _require(user, Action.CHANGE, stored.agency_id)
        _refuse_if_stale(user, stored, expected_version)
    system_refresh_deadline(system)
    system.full_clean(exclude=["covered_products", "depends_on"])
    dependency_targets = _dependency_targets(user, system, list(depends_on)) if depends_on is not None else None
    products = list(covered_products) if covered_products is not None else None
    if stored is not None and not _system_changes(stored, system, dependency_targets, products):
        return stored
    system.version = stored.version + 1 if stored else 1
    system.skip_history_when_saving = True  # one entry below, links included, not one per link change
    try:
        system.save()
        if dependency_targets is not None:
            system.depends_on.set(dependency_targets)
        if products is not None:
            system.covered_products.set(products)
    finally:
        del system.skip_history_when_saving
    history_type = "~" if stored else "+"
    history_record_bulk(System, [system.pk], history_type=history_type, user=user, reason=reason, date=timezone.now())
    return system


UNTRACKED_FIELDS = {"updated_at", "created_at", "version"}


def _system_changes(stored: System, system: System, dependency_targets, products) -> bool:
    """Whether saving `system` would change the stored row or its links."""
    for field in System._meta.concrete_fields:
        if field.attname not in UNTRACKED_FIELDS and getattr(stored, field.attname) != getattr(system, field.attname):
            return True
    if dependency_targets is not None and _ids(dependency_targets) != _ids(stored.depends_on.all()):
        return True
    return products is not None and _ids(products) != _ids(stored.covered_products.all())


def _ids(objects) -> set[int]:
    return {item.pk for item in objects}


def _dependency_targets(user, system: System, depends_on: list[System]) -> list[System]:
    """The links the system will have: the user's choice plus the links the user cannot see."""
    if any(target.pk is not None and target.pk == system.pk for target in depends_on):
        raise ValidationError("A system cannot depend on itself.")
    _require_visible(user, depends_on)
    if system.pk is None:
        return depends_on
    # Links to systems the user cannot see are not theirs to remove.
    hidden = System.objects.filter(depended_by=system).exclude(pk__in=System.objects.for_user(user).values("pk"))
    targets = [*depends_on, *hidden]
    _refuse_cycles(user, {system.pk: [target.pk for target in targets]}, starts=[system.pk])
    return targets


@dataclass
class SystemWrite:
    """One system to save in bulk; a relation left as None is not touched.

    `expected_version` is the `System.version` the caller showed the user (a preview,
    a list page): if the stored one differs, the whole batch is refused (EditConflict).
    """

    system: System
    covered_products: list[Product] | None = None
    depends_on: list[str] | None = None  # FISMA IDs, of saved or of this batch's systems
    expected_version: int | None = None


SYSTEM_BULK_FIELDS = [
    field.attname for field in System._meta.concrete_fields if field.attname not in {"id", "created_at", "status"}
]


@transaction.atomic
def system_bulk_save(*, user, writes: list[SystemWrite], reason: str = "") -> None:
    """Creates and updates many systems in a few statements (bulk import, bulk actions).

    Applies the rules of `system_save` (permission, derived deadlines, versions) and
    records one history entry per system, links included, naming `reason` (e.g. the
    import file); the caller has validated each row (the importer does, cell by cell,
    so it can name them) and passes only rows that change something.
    """
    systems = [write.system for write in writes]
    for agency_id in _stored_and_new_agency_ids(systems):
        _require(user, Action.CHANGE, agency_id)
    _refuse_stale_writes(writes)
    _refresh_deadlines_in_memory(systems)
    now = timezone.now()
    for system in systems:
        system.updated_at = now
        system.version = (system.version or 0) + 1 if system.pk else 1
    new, existing = [s for s in systems if s.pk is None], [s for s in systems if s.pk is not None]
    System.objects.bulk_create(new, batch_size=500)
    System.objects.bulk_update(existing, SYSTEM_BULK_FIELDS, batch_size=500)
    _replace_links(System.covered_products.through, "product_id", _product_links(writes))
    visible = System.objects.for_user(user).values("pk")
    links = _dependency_links(user, writes)
    _replace_links(System.depends_on.through, "to_system_id", links, replaceable=visible)
    _refuse_cycles(user, starts=list(links))  # the batch's links are stored by now
    reason = reason[:100]
    history_record_bulk(System, [s.pk for s in new], history_type="+", user=user, reason=reason, date=now)
    later = now + datetime.timedelta(microseconds=1)  # history_record_bulk tells its rows apart by time
    history_record_bulk(System, [s.pk for s in existing], history_type="~", user=user, reason=reason, date=later)


def _refuse_stale_writes(writes: list[SystemWrite]) -> None:
    expected = {write.system.pk: write.expected_version for write in writes if write.system.pk}
    expected = {pk: version for pk, version in expected.items() if version is not None}
    stored = System.objects.select_for_update().filter(pk__in=list(expected)).values_list("pk", "fisma_id", "version")
    stale = sorted(fisma_id for pk, fisma_id, version in stored if version != expected[pk])
    if stale:
        raise EditConflict(f"Changed since you saw them: {', '.join(stale)}. Nothing was saved.")


def _stored_and_new_agency_ids(systems: list[System]) -> set[int]:
    stored = System.objects.filter(pk__in=[s.pk for s in systems if s.pk]).values_list("agency_id", flat=True)
    return {system.agency_id for system in systems} | set(stored)


def _refresh_deadlines_in_memory(systems: list[System]) -> None:
    rules_by_directive: dict[int, list[ScopeRule]] = {}
    for system in systems:
        if system.directive_id not in rules_by_directive:
            rules_by_directive[system.directive_id] = current_scope_rules(system.directive)
        rule = scope_rule_for(
            rules_by_directive[system.directive_id],
            system.agency.agency_type,
            system.dependency_kind,
            system.national_security_system,
        )
        system.deadline_rule = rule
        system.removal_deadline = deadline_under(system.directive.issued_on, rule)


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
        if write.system.fisma_id in write.depends_on:
            raise ValidationError(f"{write.system.fisma_id}: a system cannot depend on itself.")
        unknown = [fisma_id for fisma_id in write.depends_on if fisma_id not in ids]
        if unknown:
            raise ValidationError(f"{write.system.fisma_id}: cannot depend on {', '.join(unknown)}.")
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
def system_transition(
    *, user, system: System, to_status: str, note: str = "", expected_status: str | None = None
) -> StatusChange:
    """Moves a system one step in the workflow and records who, when and why.

    With `expected_status` (the status the user's page showed), a system someone else
    moved meanwhile raises EditConflict: the step the user chose was meant from there.
    """
    _require(user, Action.CHANGE, system.agency_id)
    system = System.objects.select_for_update().get(pk=system.pk)
    if expected_status is not None and system.status != expected_status:
        last = system.status_changes.select_related("changed_by").first()
        who = f"{last.changed_by} " if last and last.changed_by else "Someone "
        raise EditConflict(
            f"{who}moved {system.name} from {status_label(expected_status)} to {status_label(system.status)} "
            "after you opened the page; your status change was not recorded."
        )
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
    system.version += 1
    system.save(update_fields=["status", "version", "updated_at"])
    return change


# --- Contracts -----------------------------------------------------------------------


@transaction.atomic
def contract_save(
    *,
    user,
    contract: Contract,
    systems: Iterable[System] | None = None,
    expected_version: int | None = None,
    reason: str = "",
) -> Contract:
    """Creates or updates a contract and links it to systems the user may change.

    `expected_version` works as for `system_save`; a save that changes nothing writes nothing.
    """
    _require(user, Action.CHANGE, contract.agency_id)
    stored = None
    if contract.pk:
        stored = Contract.objects.select_for_update().get(pk=contract.pk)
        _require(user, Action.CHANGE, stored.agency_id)
        _refuse_if_stale(user, stored, expected_version)
    contract.full_clean(exclude=["systems"])
    targets = _contract_targets(user, contract, systems)
    if stored is not None and not _contract_changes(stored, contract, targets):
        return stored
    contract.version = stored.version + 1 if stored else 1
    contract.skip_history_when_saving = True  # one entry below, links included
    try:
        contract.save()
        if targets is not None:
            contract.systems.set(targets)
    finally:
        del contract.skip_history_when_saving
    history_type = "~" if stored else "+"
    history_record_bulk(
        Contract, [contract.pk], history_type=history_type, user=user, reason=reason, date=timezone.now()
    )
    return contract


def _contract_targets(user, contract: Contract, systems: Iterable[System] | None) -> list[System] | None:
    if systems is None:
        return None
    systems = list(systems)
    for system in systems:
        _require(user, Action.CHANGE, system.agency_id)
    if contract.pk is None:
        return systems
    # Links to systems the user may not change stay as they are.
    kept = System.objects.filter(contracts=contract).exclude(
        pk__in=System.objects.for_user(user, Action.CHANGE).values("pk")
    )
    return [*systems, *kept]


def _contract_changes(stored: Contract, contract: Contract, targets: list[System] | None) -> bool:
    for field in Contract._meta.concrete_fields:
        if field.attname not in UNTRACKED_FIELDS and getattr(stored, field.attname) != getattr(contract, field.attname):
            return True
    if targets is None:
        return False
    return {system.pk for system in targets} != set(stored.systems.values_list("pk", flat=True))
