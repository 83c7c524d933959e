"""Bulk actions on systems chosen from a list: a preview of what will change, then the change.

Each system goes through the same service as one edit (`services.system_transition`,
`services.system_save`), so the workflow rules, permissions, derived deadlines, versions
and history are those of a single edit. Only systems the user may change are touched;
the rest are listed as refused, with the reason. Applying is all or nothing: a system
changed by someone else since the preview (its version moved) stops the whole batch.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet

from procurement.inventory import services
from procurement.inventory.access import Action, can
from procurement.inventory.enums import Criticality
from procurement.inventory.models import System
from procurement.inventory.workflow import allowed_transitions, is_rollback, needs_approval, status_label

# A bulk action touches at most this many systems: each is a full edit with its history.
BULK_MAX_SYSTEMS = 500


class BulkAction(models.TextChoices):
    STATUS = "status", "Change status"
    OWNER = "owner", "Change system owner"
    CRITICALITY = "criticality", "Change criticality"
    DEPENDENCY = "dependency", "Add a dependency"


@dataclass(frozen=True)
class BulkChange:
    """What to do to every chosen system. `target` is the system to depend on (DEPENDENCY)."""

    action: BulkAction
    value: str = ""  # a status or criticality code, or the owner's name
    owner_email: str = ""
    target: System | None = None


@dataclass(frozen=True)
class BulkRow:
    """One chosen system in the preview: its value now and after, or why it is left alone."""

    system: System
    before: str
    after: str
    refused: str = ""  # empty when the change will be made

    @property
    def changes(self) -> bool:
        return not self.refused


@dataclass(frozen=True)
class BulkPreview:
    change: BulkChange
    rows: list[BulkRow]

    @property
    def changing(self) -> list[BulkRow]:
        return [row for row in self.rows if row.changes]

    @property
    def refused(self) -> list[BulkRow]:
        return [row for row in self.rows if not row.changes]


class BulkError(ValueError):
    """A bulk action that cannot run as asked; the message is for the user."""


def bulk_change(user, data) -> BulkChange:
    """The change a bulk form asks for (`data`: the POSTed fields)."""
    try:
        action = BulkAction(data.get("action", ""))
    except ValueError:
        raise BulkError("Choose what to change.") from None
    value = data.get(action.value, "")
    if action == BulkAction.OWNER:
        return BulkChange(action, data.get("owner_name", "")[:200], owner_email=data.get("owner_email", "")[:254])
    if action == BulkAction.DEPENDENCY:
        fisma_id = data.get("target", "").strip()
        target = System.objects.for_user(user).filter(fisma_id=fisma_id).first() if fisma_id else None
        if fisma_id and target is None:
            raise BulkError(f"No system you can see has the FISMA system ID “{fisma_id[:50]}”.")
        return BulkChange(action, target=target)
    return BulkChange(action, value)


def bulk_systems(user, chosen: QuerySet[System]) -> list[System]:
    """The chosen systems the user may see (the list's own scoping), at most BULK_MAX_SYSTEMS."""
    systems = list(chosen.select_related("agency")[: BULK_MAX_SYSTEMS + 1])
    if not systems:
        raise BulkError("Choose at least one system.")
    if len(systems) > BULK_MAX_SYSTEMS:
        raise BulkError(f"A bulk action changes at most {BULK_MAX_SYSTEMS:,} systems: narrow the filters.")
    return systems


def bulk_preview(user, systems: list[System], change: BulkChange) -> BulkPreview:
    """What `change` would do to each system, without writing anything."""
    _check_change(change)
    return BulkPreview(change, [_preview_row(user, system, change) for system in systems])


def _check_change(change: BulkChange) -> None:
    if change.action == BulkAction.CRITICALITY and change.value not in Criticality.values:
        raise BulkError("Choose a criticality.")
    if change.action == BulkAction.OWNER and not change.value.strip():
        raise BulkError("Give the system owner's name.")
    if change.action == BulkAction.DEPENDENCY and change.target is None:
        raise BulkError("Choose the system they depend on, by its FISMA system ID.")


def _preview_row(user, system: System, change: BulkChange) -> BulkRow:
    before, after = _values(system, change)
    if not can(user, Action.CHANGE, system.agency_id):
        return BulkRow(system, before, after, "You may only view this agency's systems.")
    if before == after:
        return BulkRow(system, before, after, "Already so.")
    if change.action == BulkAction.STATUS:
        return BulkRow(system, before, after, _status_refusal(user, system, change.value))
    if change.action == BulkAction.DEPENDENCY and change.target.pk == system.pk:
        return BulkRow(system, before, after, "A system cannot depend on itself.")
    return BulkRow(system, before, after)


def _values(system: System, change: BulkChange) -> tuple[str, str]:
    if change.action == BulkAction.STATUS:
        return system.get_status_display(), status_label(change.value)
    if change.action == BulkAction.CRITICALITY:
        return system.get_criticality_display(), Criticality(change.value).label
    if change.action == BulkAction.OWNER:
        return _owner(system.owner_name, system.owner_email), _owner(change.value.strip(), change.owner_email.strip())
    linked = change.target.pk in {target.pk for target in system.depends_on.all()}
    return ("depends on " if linked else "does not depend on ") + change.target.fisma_id, (
        "depends on " + change.target.fisma_id
    )


def _owner(name: str, email: str) -> str:
    return f"{name} <{email}>" if email else name or "—"


def _status_refusal(user, system: System, to_status: str) -> str:
    """Why the workflow refuses this step for this system (as one edit would), or ""."""
    if to_status not in allowed_transitions(system.status):
        return f"Cannot go from {system.get_status_display()} to {status_label(to_status)}."
    if needs_approval(system.status, to_status) and not can(user, Action.APPROVE, system.agency_id):
        return "Only a transition lead may take this step."
    if is_rollback(system.status, to_status):
        return "A step back needs a reason: change it on the system's page."
    return ""


@transaction.atomic
def bulk_apply(user, system_versions: dict[int, int], change: BulkChange, reason: str) -> int:
    """Applies `change` to the systems the preview showed; returns how many changed.

    `system_versions` maps each system the user confirmed to the version the preview
    showed. All or nothing: a refused or since-changed system stops the batch.
    """
    systems = System.objects.for_user(user).filter(pk__in=list(system_versions)).select_related("agency")
    systems = {system.pk: system for system in systems}
    if len(systems) != len(system_versions):
        raise BulkError("Some of these systems are no longer there for you: preview again.")
    _check_change(change)
    changed = 0
    for pk, version in system_versions.items():
        system = systems[pk]
        row = _preview_row(user, system, change)
        if row.refused:
            raise BulkError(f"{system.fisma_id}: {row.refused} Nothing was changed.")
        if system.version != version:
            raise services.EditConflict(
                f"{system.fisma_id} changed after your preview; nothing was changed. Preview again."
            )
        _apply_one(user, system, change, reason)
        changed += 1
    return changed


def _apply_one(user, system: System, change: BulkChange, reason: str) -> None:
    """One system through the service one edit uses."""
    try:
        if change.action == BulkAction.STATUS:
            services.system_transition(
                user=user, system=system, to_status=change.value, note=reason, expected_status=system.status
            )
            return
        depends_on = None
        if change.action == BulkAction.CRITICALITY:
            system.criticality = change.value
        elif change.action == BulkAction.OWNER:
            system.owner_name, system.owner_email = change.value.strip(), change.owner_email.strip()
        else:
            depends_on = [*System.objects.for_user(user).filter(depended_by=system), change.target]
        services.system_save(
            user=user, system=system, depends_on=depends_on, expected_version=system.version, reason=reason
        )
    except (ValidationError, PermissionDenied) as error:
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        raise BulkError(f"{system.fisma_id}: {message} Nothing was changed.") from error
