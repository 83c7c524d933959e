"""Writes of milestones: from a done plan and the directive's phases, marking done, moving a date.

A plan gives each system one milestone per kind (replacement selected ... verified), due the
finish of the matching step; a re-plan moves the due dates of the same rows. A due date
someone changed by hand (the row's `plan` is then blank) is theirs: a re-plan records its
own date in `planned_on` and leaves `due_on` alone, so nobody's change is silently undone.
Every user write carries the `version` the form showed; a stale one is refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from planner.enums import SYSTEM_MILESTONE_KINDS, MilestoneKind, Step
from planner.models import Milestone, Plan, PlanSystem, ScheduledStep
from procurement.core.uploads import MEGABYTE, size_text
from procurement.inventory.access import Action, can
from procurement.inventory.enums import Role
from procurement.inventory.history import history_record_bulk
from procurement.inventory.models import Directive, Membership, System, User

# The step whose last day a system milestone is due (a contract action: the last of them).
STEP_OF_KIND = {
    MilestoneKind.REPLACEMENT_SELECTED: Step.SELECT_REPLACEMENT,
    MilestoneKind.CONTRACT_ACTION_DONE: Step.CONTRACT_ACTION,
    MilestoneKind.CUT_OVER: Step.CUT_OVER,
    MilestoneKind.REMOVED: Step.DECOMMISSION,
    MilestoneKind.VERIFIED: Step.VERIFY,
}
# A directive whose deadline is years out still gets a bounded number of report milestones.
MAX_STATUS_REPORTS = 60
# simple_history keeps a change reason of at most this many characters.
REASON_MAX_CHARS = 100
# Rows per INSERT of plan-written milestones.
WRITE_BATCH = 900
EVIDENCE_EXTENSIONS = {".pdf", ".png", ".jpg", ".jpeg", ".txt", ".csv", ".xlsx", ".docx", ".msg", ".eml"}
REPLANNED = "Due date set by plan #{plan}"


class StaleMilestone(Exception):
    """The milestone changed since the form was shown; nothing was saved."""


def evidence_max_bytes() -> int:
    return getattr(settings, "MILESTONE_EVIDENCE_MAX_BYTES", 10 * MEGABYTE)


def due_dates(steps: Iterable[tuple[str, datetime.date]]) -> dict[str, datetime.date]:
    """Kind → due date from one system's scheduled (step, last day) pairs; no database."""
    last_day: dict[str, datetime.date] = {}
    for step, finishes_on in steps:
        if step not in last_day or finishes_on > last_day[step]:
            last_day[step] = finishes_on
    return {kind: last_day[step] for kind, step in STEP_OF_KIND.items() if step in last_day}


def status_report_dates(first: datetime.date, interval_days: int, until: datetime.date) -> list[datetime.date]:
    """Every `interval_days` from `first` through `until` (at most MAX_STATUS_REPORTS); no database."""
    if interval_days <= 0:
        return []
    dates, day = [], first
    while day <= until and len(dates) < MAX_STATUS_REPORTS:
        dates.append(day)
        day += datetime.timedelta(days=interval_days)
    return dates


# --- from a plan ---------------------------------------------------------------------------


def milestones_from_plan(plan: Plan) -> None:
    """Creates or moves the system and phase milestones of a done plan (not of a what-if scenario).

    Runs inside the transaction that stores the plan, so a plan and its milestones are
    stored together or not at all. A constant number of queries, however many systems.
    """
    if plan.scenario_base_id is not None:
        return
    systems = {row["pk"]: row for row in _plan_systems(plan)}
    if not systems:
        return
    owners = _Owners(systems.values())
    wanted = _system_due_dates(plan)
    existing = {
        (row.system_id, row.kind): row
        for row in Milestone.objects.select_for_update().filter(system__in=systems, kind__in=SYSTEM_MILESTONE_KINDS)
    }
    new, moved = [], []
    for (system_id, kind), due in wanted.items():
        row = existing.get((system_id, kind))
        if row is None:
            new.append(_new_system_milestone(plan, systems[system_id], kind, due, owners))
        elif row.done_at is None and _replan(row, plan, due):
            moved.append(row)
    reason = REPLANNED.format(plan=plan.pk)
    Milestone.objects.bulk_create(new, batch_size=WRITE_BATCH)
    fields = ["due_on", "planned_on", "plan", "version", "updated_at"]
    Milestone.objects.bulk_update(moved, fields, batch_size=WRITE_BATCH)
    _history(new, "+", reason)
    _history(moved, "~", reason)
    _phase_milestones(plan, systems.values(), owners)


def _plan_systems(plan: Plan) -> list[dict]:
    return list(
        System.objects.filter(plan_entries__plan=plan).values(
            "pk", "fisma_id", "name", "agency_id", "agency__parent_id", "directive_id", "owner_email"
        )
    )


def _system_due_dates(plan: Plan) -> dict[tuple[int, str], datetime.date]:
    by_system: dict[int, list[tuple[str, datetime.date]]] = {}
    for system_id, step, finishes_on in ScheduledStep.objects.filter(plan=plan).values_list(
        "system_id", "step", "finishes_on"
    ):
        by_system.setdefault(system_id, []).append((step, finishes_on))
    return {(system_id, kind): due for system_id, steps in by_system.items() for kind, due in due_dates(steps).items()}


def _new_system_milestone(plan: Plan, system: dict, kind: str, due: datetime.date, owners: _Owners) -> Milestone:
    return Milestone(
        agency_id=system["agency_id"],
        directive_id=system["directive_id"],
        system_id=system["pk"],
        plan=plan,
        kind=kind,
        title=f"{system['fisma_id']}: {MilestoneKind(kind).label}",
        owner_id=owners.for_system(system),
        due_on=due,
        planned_on=due,
    )


def _replan(row: Milestone, plan: Plan, due: datetime.date) -> bool:
    """Moves an open row to the plan's date, unless its date was set by hand; True if it changed."""
    manual = row.plan_id is None
    if row.planned_on == due and (manual or row.due_on == due):
        return False
    row.planned_on = due
    if not manual:
        row.due_on, row.plan = due, plan
    row.version += 1
    row.updated_at = timezone.now()
    return True


def _phase_milestones(plan: Plan, systems: Iterable[dict], owners: _Owners) -> None:
    """Identify, plan and status-report milestones per agency and directive of the plan's systems."""
    pairs = {(system["agency_id"], system["directive_id"]) for system in systems}
    # Status reports run until the agency is done: its last planned finish or deadline.
    last_day: dict[int, datetime.date] = {}
    for agency_id, finish, deadline in (
        PlanSystem.objects.filter(plan=plan)
        .values("system__agency_id")
        .annotate(finish=Max("finishes_on"), deadline=Max("deadline"))
        .values_list("system__agency_id", "finish", "deadline")
    ):
        last_day[agency_id] = max(day for day in (finish, deadline, plan.starts_on) if day is not None)
    directives = {d.pk: d for d in _directives({directive for _, directive in pairs})}
    existing = set(
        Milestone.objects.filter(system=None, agency__in={agency for agency, _ in pairs}).values_list(
            "agency_id", "directive_id", "kind", "due_on"
        )
    )
    new = [
        Milestone(
            agency_id=agency_id,
            directive_id=directive_id,
            kind=kind,
            title=title,
            due_on=due,
            planned_on=due,
            owner_id=owners.lead_of(agency_id),
        )
        for agency_id, directive_id in sorted(pairs)
        for kind, title, due in phase_obligations(directives[directive_id], last_day.get(agency_id))
        if (agency_id, directive_id, kind, due) not in existing
    ]
    Milestone.objects.bulk_create(new, batch_size=WRITE_BATCH)
    _history(new, "+", "From the directive's phases")


def _history(rows: list[Milestone], history_type: str, reason: str) -> None:
    """One history entry per row a plan just wrote, copied by the database (inventory.history):
    simple_history's bulk helpers build a model instance per entry, most of a large plan's store."""
    history_record_bulk(
        Milestone,
        [row.pk for row in rows],
        history_type=history_type,
        user=None,
        reason=reason[:REASON_MAX_CHARS],
        date=timezone.now(),
    )


def _directives(ids: set[int]):
    return Directive.objects.filter(pk__in=ids)


def phase_obligations(directive, last_day: datetime.date | None) -> list[tuple[str, str, datetime.date]]:
    """(kind, title, due) of a directive's phases; status reports run through `last_day`."""
    issued = directive.issued_on
    identify = issued + datetime.timedelta(days=directive.identify_offset_days)
    plan = issued + datetime.timedelta(days=directive.plan_offset_days)
    obligations = [
        (MilestoneKind.PHASE_IDENTIFY, f"{directive}: identify every dependent system", identify),
        (MilestoneKind.PHASE_PLAN, f"{directive}: removal plan submitted", plan),
    ]
    interval = directive.status_report_interval_days
    first_report = issued + datetime.timedelta(days=interval)
    for due in status_report_dates(first_report, interval, last_day or first_report):
        obligations.append((MilestoneKind.STATUS_REPORT, f"{directive}: status report", due))
    return obligations


class _Owners:
    """Who owns a milestone: the system owner's account when it may see the system, else a
    transition lead of the system's agency or its department. Three queries for all systems."""

    def __init__(self, systems: Iterable[dict]) -> None:
        systems = list(systems)
        emails = {s["owner_email"].lower() for s in systems if s["owner_email"]}
        agencies = {s["agency_id"] for s in systems} | {
            s["agency__parent_id"] for s in systems if s["agency__parent_id"]
        }
        self.user_by_email = {
            email.lower(): pk
            for pk, email in User.objects.filter(email__in=_case_variants(emails), is_active=True).values_list(
                "pk", "email"
            )
        }
        memberships = (
            Membership.objects.filter(agency__in=agencies).order_by("pk").values_list("user_id", "agency_id", "role")
        )
        self.members: set[tuple[int, int]] = set()
        self.leads: dict[int, int] = {}
        for user_id, agency_id, role in memberships:
            self.members.add((user_id, agency_id))
            if role == Role.TRANSITION_LEAD:
                self.leads.setdefault(agency_id, user_id)
        self.parents = {s["agency_id"]: s["agency__parent_id"] for s in systems}

    def lead_of(self, agency_id: int) -> int | None:
        return self.leads.get(agency_id) or self.leads.get(self.parents.get(agency_id))

    def for_system(self, system: dict) -> int | None:
        user_id = self.user_by_email.get((system["owner_email"] or "").lower())
        lineage = (system["agency_id"], system["agency__parent_id"])
        if user_id is not None and any((user_id, agency) in self.members for agency in lineage):
            return user_id
        return self.lead_of(system["agency_id"])


def _case_variants(emails: set[str]) -> set[str]:
    """Emails as typed and lower-cased: the lookup stays an index-friendly IN on every database."""
    return emails | {email.lower() for email in emails}


# --- by people -----------------------------------------------------------------------------


def may_work_on(user, milestone: Milestone) -> bool:
    """Editors and transition leads of the agency, and the milestone's owner."""
    return milestone.owner_id == user.pk or can(user, Action.CHANGE, milestone.agency_id)


@dataclass(frozen=True)
class Evidence:
    """An uploaded file already checked by `evidence_check`."""

    upload: object
    name: str
    size: int


def evidence_check(upload) -> Evidence:
    """Refuses a file too large, empty, or of a type not on the list; the error names the limit."""
    name = PurePath(upload.name or "").name[:200]
    if upload.size > evidence_max_bytes():
        raise ValidationError(
            f"The file is {size_text(upload.size, 1)}; the limit is {size_text(evidence_max_bytes())}."
        )
    if upload.size == 0:
        raise ValidationError("The file is empty.")
    if PurePath(name).suffix.lower() not in EVIDENCE_EXTENSIONS:
        allowed = ", ".join(sorted(EVIDENCE_EXTENSIONS))
        raise ValidationError(f"“{name}” is not a file type kept as evidence. Use one of: {allowed}.")
    return Evidence(upload, name, upload.size)


def milestone_mark_done(
    *, user, milestone: Milestone, version: int, note: str, evidence: Evidence | None = None
) -> Milestone:
    """Marks an open milestone done with a note and/or a file; refuses a stale version."""
    if not may_work_on(user, milestone):
        raise PermissionDenied("Only the owner, an editor or a transition lead of the agency may close this milestone.")
    if not note.strip() and evidence is None:
        raise ValidationError("Say what shows it is done: a note, a file or both.")
    row = None
    try:
        with transaction.atomic():
            row = _locked(milestone, version)
            if row.done_at is not None:
                raise StaleMilestone("This milestone is already done.")
            row.done_at, row.done_by, row.evidence_note = timezone.now(), user, note.strip()
            if evidence is not None:
                row.evidence_name, row.evidence_size = evidence.name, evidence.size
                row.evidence_file.save(evidence.name, evidence.upload, save=False)
            row._change_reason = "Marked done"
            _save(row)
    except Exception:
        # The row was not saved: a file written for it would be kept by nothing.
        if row is not None and row.evidence_file and evidence is not None:
            row.evidence_file.delete(save=False)
        raise
    return row


def milestone_change_due(*, user, milestone: Milestone, version: int, due_on: datetime.date, reason: str) -> Milestone:
    """A manual due date: needs a reason, kept in history; later re-plans leave it alone."""
    if not may_work_on(user, milestone):
        raise PermissionDenied("Only the owner, an editor or a transition lead of the agency may move this milestone.")
    if not reason.strip():
        raise ValidationError("Say why the due date changes.")
    with transaction.atomic():
        row = _locked(milestone, version)
        if row.done_at is not None:
            raise StaleMilestone("This milestone is already done; its due date stays as it was.")
        row.due_on, row.plan = due_on, None
        row._change_reason = reason.strip()
        _save(row)
    return row


def _locked(milestone: Milestone, version: int) -> Milestone:
    row = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if row.version != version:
        raise StaleMilestone(
            "Someone changed this milestone after you opened it. Nothing was saved; see the change below."
        )
    return row


def _save(row: Milestone) -> None:
    row.version += 1
    row.save()
