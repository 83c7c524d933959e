"""Writes of the planning set-up: teams and their head-count changes, freeze windows, work
templates per agency, and a system's own estimates.

Only the agency's transition lead (or an administrator) may write (`Action.APPROVE`).
Every write goes through simple-history (who and why), and the rows a form edits carry a
`version`: a save from a form that showed an older version is refused with what changed
(`EditConflict`, as the inventory's forms do), and a save that changes nothing writes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from planner.enums import Step
from planner.models import FreezeWindow, SystemEstimate, Team, TeamCapacityChange, WorkCalendar, WorkTemplateStep
from planner.setup_selectors import effective_template, may_set_up, team_assigned_steps, team_plans_running
from procurement.inventory import selectors as inventory_selectors
from procurement.inventory.models import Agency, System
from procurement.inventory.selectors import FieldChange
from procurement.inventory.services import EditConflict

# The engine takes any head count >= 0; the column holds at most this (PositiveSmallIntegerField).
MAX_HEAD_COUNT = 32_767
# Kept by the services, never typed into a form: their change is no edit conflict.
UNEDITED_FIELDS = {"updated_by"}


def require_lead(user, agency_id: int) -> None:
    """The one check of who changes an agency's planning set-up (views call it before reading a form)."""
    if not may_set_up(user, agency_id):
        raise PermissionDenied("Only the agency's transition lead or an administrator changes its planning set-up.")


def _save(row, user, reason: str = "") -> None:
    """Saves with the history entry naming who did it and why (outside a request too)."""
    row._history_user = user
    row._change_reason = reason or None
    row.save()


def _delete(row, user, reason: str = "") -> None:
    row._history_user = user
    row._change_reason = reason or None
    row.delete()


def _changes_since(user, row, version: int) -> tuple[FieldChange, ...]:
    changes = inventory_selectors.edits_since(user, row, version) or []
    return tuple(change for change in changes if change.field not in {"updated by"})


def _refuse_if_stale(user, row, expected_version: int | None, prefix: str = "") -> list[FieldChange]:
    """What others changed in `row` since the version the form showed ([] when nothing)."""
    if expected_version is None or row.version == expected_version:
        return []
    changes = _changes_since(user, row, expected_version)
    if prefix:
        changes = tuple(FieldChange(f"{prefix}: {c.field}", c.old, c.new) for c in changes)
    return list(changes) or [FieldChange(prefix or str(row), "", "changed")]


def _conflict(row_label: str, rows, since: Mapping[int, int], changes: list[FieldChange]) -> EditConflict:
    """The refusal: who saved since (from the rows' history) and what they changed."""
    editors = ", ".join(sorted({name for row in rows for name in _editors(row, since.get(row.pk, 0))}))
    message = f"{editors or 'Someone'} saved {row_label} after you opened it; nothing of yours was saved yet."
    return EditConflict(message, tuple(changes))


def _editors(row, version: int) -> set[str]:
    names = inventory_selectors.editors_since(row, version)
    return {name for name in names.split(", ") if name}


# --- Teams ---------------------------------------------------------------------------------


def _require_unique_name(agency_id: int, name: str, team_id: int | None = None) -> None:
    if Team.objects.filter(agency_id=agency_id, name=name).exclude(pk=team_id).exists():
        raise ValidationError({"name": f"Team name: this agency already has a team called “{name}”."})


@transaction.atomic
def team_create(*, user, agency: Agency, kind: str, name: str, head_count: int) -> Team:
    require_lead(user, agency.pk)
    _require_unique_name(agency.pk, name)
    team = Team(agency=agency, kind=kind, name=name, head_count=head_count)
    team.full_clean()
    _save(team, user)
    return team


@transaction.atomic
def team_update(*, user, team: Team, expected_version: int | None, name: str, kind: str, head_count: int) -> Team:
    """Renames a team or changes its kind or head count; refuses a stale form (EditConflict)."""
    require_lead(user, team.agency_id)
    stored = Team.objects.select_for_update().get(pk=team.pk)
    changes = _refuse_if_stale(user, stored, expected_version)
    if changes:
        raise _conflict(f"the team {stored.name}", [stored], {stored.pk: expected_version}, changes)
    if (stored.name, stored.kind, stored.head_count) == (name, kind, head_count):
        return stored
    _require_unique_name(stored.agency_id, name, stored.pk)
    stored.name, stored.kind, stored.head_count = name, kind, head_count
    stored.full_clean()
    stored.version += 1
    _save(stored, user)
    return stored


@transaction.atomic
def team_delete(*, user, team: Team) -> None:
    """Deletes a team that holds no step of a current plan, with its head-count changes; each
    deletion is kept in history. A team with work is refused: its steps would lose their team."""
    require_lead(user, team.agency_id)
    team = Team.objects.select_for_update().select_related("agency").get(pk=team.pk)
    if team_plans_running(team):
        # A run that read the team would store steps naming it and fail when it is gone.
        raise ValidationError(f"A plan run covering {team.name} is queued or running; delete the team once it ends.")
    steps = team_assigned_steps(team)
    if steps:
        raise ValidationError(
            f"{team.name} has {steps} step{'' if steps == 1 else 's'} in the current plan, so it cannot be deleted. "
            f"Give its work to another {team.get_kind_display().lower()} team and run the plan again, then delete it."
        )
    for change in team.capacity_changes.all():
        _delete(change, user, reason=f"Team {team.name} deleted")
    _delete(team, user)


@transaction.atomic
def team_capacity_change_add(*, user, team: Team, starts_on: datetime.date, head_count: int, note: str = ""):
    """From `starts_on` the team has `head_count` people; one change per team and day."""
    require_lead(user, team.agency_id)
    if TeamCapacityChange.objects.filter(team=team, starts_on=starts_on).exists():
        raise ValidationError({"starts_on": f"{team.name} already changes on {starts_on:%Y-%m-%d}; remove that first."})
    change = TeamCapacityChange(team=team, starts_on=starts_on, head_count=head_count, note=note)
    change.full_clean()
    _save(change, user)
    return change


@transaction.atomic
def team_capacity_change_remove(*, user, change: TeamCapacityChange) -> None:
    require_lead(user, change.team.agency_id)
    _delete(change, user)


# --- Calendar ------------------------------------------------------------------------------


@transaction.atomic
def freeze_window_add(*, user, agency: Agency, starts_on: datetime.date, ends_on: datetime.date, reason: str):
    """Adds a freeze to the agency's calendar, creating the calendar on its first freeze."""
    require_lead(user, agency.pk)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The last frozen day must be on or after the first."})
    calendar, _ = WorkCalendar.objects.get_or_create(
        agency=agency, defaults={"name": f"{agency.abbreviation} work calendar"}
    )
    window = FreezeWindow(calendar=calendar, starts_on=starts_on, ends_on=ends_on, reason=reason)
    window.full_clean()
    _save(window, user)
    return window


@transaction.atomic
def freeze_window_remove(*, user, window: FreezeWindow) -> None:
    require_lead(user, window.calendar.agency_id)
    _delete(window, user)


# --- Work templates ------------------------------------------------------------------------


@dataclass(frozen=True)
class StepEdit:
    """One template step as a form gives it, with the version of the row the form showed."""

    step: str
    effort_days: Decimal
    team_kind: str
    head_count: int
    version: int | None = None


@transaction.atomic
def work_template_override(*, user, agency: Agency, kind: str) -> list[WorkTemplateStep]:
    """The agency's own copy of the template it uses now (its department's or the defaults').

    A kind it already overrides is left as it is: a second click copies nothing over its edits.
    """
    require_lead(user, agency.pk)
    existing = set(WorkTemplateStep.objects.filter(agency=agency, dependency_kind=kind).values_list("step", flat=True))
    rows = []
    for step in effective_template(agency, kind).steps:
        if step.step in existing:
            continue
        row = WorkTemplateStep(
            agency=agency,
            dependency_kind=kind,
            step=step.step,
            effort_days=step.effort_days,
            team_kind=step.team_kind,
            head_count=step.head_count,
            scales=step.scales,
            updated_by=user,
        )
        _save(row, user, reason=f"Copied from {step.source}")
        rows.append(row)
    return rows


@transaction.atomic
def work_template_save(*, user, agency: Agency, kind: str, edits: list[StepEdit]) -> int:
    """Applies a template form's steps to the agency's own rows; returns how many changed.

    Refuses (EditConflict, nothing written) when a row the form showed changed since.
    """
    require_lead(user, agency.pk)
    stored = {
        row.step: row
        for row in WorkTemplateStep.objects.select_for_update().filter(agency=agency, dependency_kind=kind)
    }
    changes = []
    for edit in edits:
        row = stored.get(edit.step)
        if row is None:
            raise ValidationError(
                f"{Step(edit.step).label}: this agency does not override the template; copy it first."
            )
        changes += _refuse_if_stale(user, row, edit.version, prefix=Step(edit.step).label)
    if changes:
        since = {stored[edit.step].pk: edit.version or 0 for edit in edits}
        raise _conflict("this template", [stored[edit.step] for edit in edits], since, changes)
    changed = 0
    for edit in edits:
        row = stored[edit.step]
        if (row.effort_days, row.team_kind, row.head_count) == (edit.effort_days, edit.team_kind, edit.head_count):
            continue
        row.effort_days, row.team_kind, row.head_count = edit.effort_days, edit.team_kind, edit.head_count
        row.updated_by = user
        row.full_clean()
        row.version += 1
        _save(row, user)
        changed += 1
    return changed


@transaction.atomic
def work_template_reset(*, user, agency: Agency, kind: str) -> int:
    """Drops the agency's own rows of the kind: its department's or the default template applies again."""
    require_lead(user, agency.pk)
    rows = list(WorkTemplateStep.objects.filter(agency=agency, dependency_kind=kind))
    for row in rows:
        _delete(row, user, reason="Reset to defaults")
    return len(rows)


# --- A system's own estimates ----------------------------------------------------------------


@dataclass(frozen=True)
class EstimateEdit:
    """A step's own effort (None: use the template), with the version the form showed (0: none)."""

    step: str
    effort_days: Decimal | None
    version: int = 0


@transaction.atomic
def system_estimates_save(*, user, system: System, edits: list[EstimateEdit], reason: str = "") -> int:
    """Sets, changes or clears the system's own effort per step; returns how many changed.

    A form that showed another version of any of these steps (or none where one exists now)
    is refused with what changed, and nothing is written.
    """
    require_lead(user, system.agency_id)
    stored = {row.step: row for row in SystemEstimate.objects.select_for_update().filter(system=system)}
    _refuse_stale_estimates(user, system, stored, edits)
    changed = 0
    for edit in edits:
        row = stored.get(edit.step)
        if edit.effort_days is None:
            if row is not None:
                _delete(row, user, reason)
                changed += 1
        elif row is None:
            row = SystemEstimate(system=system, step=edit.step, effort_days=edit.effort_days, reason=reason)
            row.updated_by = user
            row.full_clean()
            _save(row, user, reason)
            changed += 1
        elif row.effort_days != edit.effort_days:
            row.effort_days, row.reason, row.updated_by = edit.effort_days, reason, user
            row.full_clean()
            row.version += 1
            _save(row, user, reason)
            changed += 1
    return changed


def _refuse_stale_estimates(user, system: System, stored: dict, edits: list[EstimateEdit]) -> None:
    changes: list[FieldChange] = []
    for edit in edits:
        row, label = stored.get(edit.step), Step(edit.step).label
        if row is None and edit.version:
            changes.append(FieldChange(f"{label}: effort (work days)", "", "removed (the template applies)"))
        elif row is not None and not edit.version:
            changes.append(FieldChange(f"{label}: effort (work days)", "template", f"{row.effort_days}"))
        elif row is not None:
            changes += _refuse_if_stale(user, row, edit.version, prefix=label)
    if changes:
        since = {stored[edit.step].pk: edit.version for edit in edits if edit.step in stored}
        raise _conflict(f"the estimates of {system.fisma_id}", list(stored.values()), since, changes)
