"""Systems at risk: the latest stored plan puts their removal after the deadline in force.

The planner stores each done plan's systems with their planned finish (`PlanSystem`).
A system's plan is the latest done plan (not a what-if) of its agency, of an agency above
it, or of every agency, whichever finished last. The deadline is read as it stands now
(a waiver approved after the plan ran moves it), so this compares today's deadline with
the plan's date rather than trusting the plan's stored lateness.

Three queries whatever the number of agencies and systems: the agency tree, the latest
plan per scope, and the late systems grouped by plan and agency.
"""

from __future__ import annotations

from django.db.models import Count, F, Window
from django.db.models.functions import Coalesce, Greatest, RowNumber

from planner.models import Plan, PlanSystem
from procurement.inventory.enums import DONE_STATUSES
from procurement.inventory.models import Agency, Directive

EVERY_AGENCY = None  # the scope of a plan over every agency (agency left blank)


def at_risk_by_agency(directive: Directive, agency_ids: set[int]) -> dict[int, int | None]:
    """Per agency: how many of its open systems the plan says will miss their deadline;
    None where no plan covers the agency (reports say "no plan" rather than 0)."""
    plan_of = covering_plans(agency_ids)
    late = (
        PlanSystem.objects.filter(
            plan_id__in=set(plan_of.values()), system__directive=directive, system__agency_id__in=agency_ids
        )
        .exclude(system__status__in=DONE_STATUSES)
        .filter(finishes_on__gt=_deadline_in_force())
        .order_by()
        .values_list("plan_id", "system__agency_id")
        .annotate(count=Count("*"))
    )
    # A component's systems may sit in its department's older plan too: count only its own plan's.
    counts = {agency_id: count for plan_id, agency_id, count in late if plan_of.get(agency_id) == plan_id}
    return {agency_id: counts.get(agency_id, 0) if agency_id in plan_of else None for agency_id in agency_ids}


def covering_plans(agency_ids: set[int]) -> dict[int, int]:
    """Each agency's plan id: the latest finished among its own, its ancestors' and every agency's."""
    parent_of = dict(Agency.objects.values_list("pk", "parent_id"))
    newest_first = Window(RowNumber(), partition_by=F("agency_id"), order_by=[F("finished_at").desc(), F("pk").desc()])
    latest = {
        agency_id: (finished_at, plan_id)
        for agency_id, plan_id, finished_at in Plan.objects.done()
        .filter(scenario_base=None, finished_at__isnull=False)
        .annotate(newness=newest_first)
        .filter(newness=1)  # a window, not DISTINCT ON: SQLite, the embedded default, has no DISTINCT ON
        .values_list("agency_id", "pk", "finished_at")
    }
    covering = {}
    for agency_id in agency_ids:
        scopes = [*_ancestors_and_self(agency_id, parent_of), EVERY_AGENCY]
        candidates = [latest[scope] for scope in scopes if scope in latest]
        if candidates:
            covering[agency_id] = max(candidates)[1]
    return covering


def _deadline_in_force():
    """The later of the system's deadline and its waiver.

    GREATEST skips a NULL on PostgreSQL but returns NULL on SQLite: no waiver counts as the deadline itself.
    """
    return Greatest(F("system__removal_deadline"), Coalesce(F("system__waiver_until"), F("system__removal_deadline")))


def _ancestors_and_self(agency_id: int, parent_of: dict[int, int | None]) -> list[int]:
    chain = []
    current: int | None = agency_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parent_of.get(current)
    return chain


def total(counts: dict[int, int | None], agency_ids) -> int | None:
    """The sum over `agency_ids` of those a plan covers; None when none is covered."""
    known = [counts[agency_id] for agency_id in agency_ids if counts.get(agency_id) is not None]
    return sum(known) if known else None
