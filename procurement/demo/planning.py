"""The demo's planning data: teams, capacity changes, calendars with freezes, and a first plan.

Idempotent like the rest of the demo: rows are found by their natural keys (agency and
team name, team and date, calendar and start) and a department with a done plan gets no
new one.
"""

from __future__ import annotations

from planner import selectors as planner_selectors
from planner import services as planner_services
from planner.models import FreezeWindow, Team, TeamCapacityChange, WorkCalendar
from procurement.demo.data import PlanningSpec
from procurement.inventory.models import Agency


def ensure_planning(spec: PlanningSpec, agencies: dict[str, Agency]) -> dict[str, int]:
    teams = {}
    for team in spec.teams:
        teams[team.name], _ = Team.objects.get_or_create(
            agency=agencies[team.agency], name=team.name, defaults={"kind": team.kind, "head_count": team.head_count}
        )
    for change in spec.capacity_changes:
        TeamCapacityChange.objects.get_or_create(
            team=teams[change.team],
            starts_on=change.starts_on,
            defaults={"head_count": change.head_count, "note": change.note},
        )
    for freeze in spec.freezes:
        agency = agencies[freeze.agency]
        calendar, _ = WorkCalendar.objects.get_or_create(agency=agency, defaults={"name": f"{agency.name} calendar"})
        FreezeWindow.objects.get_or_create(
            calendar=calendar, starts_on=freeze.starts_on, defaults={"ends_on": freeze.ends_on, "reason": freeze.reason}
        )
    return {"teams": len(teams)}


def ensure_first_plans(spec: PlanningSpec, agencies: dict[str, Agency]) -> int:
    """Solves a plan for each department that has none yet; returns how many were made."""
    made = 0
    for agency in agencies.values():
        if agency.parent_id is None and planner_selectors.current_plan(agency) is None:
            planner_services.plan_run_for_operator(agency=agency, time_limit_seconds=spec.first_plan_seconds)
            made += 1
    return made
