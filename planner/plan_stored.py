"""What follows once a plan's schedule is stored (called by services._assemble, in its transaction):
a plan moves its milestones; a what-if keeps its base's schedule when that is better."""

from __future__ import annotations

# Modules, not names: planner.scenarios imports planner.services, which imports this module.
from planner import milestones, scenarios
from planner.models import Plan


def plan_stored(plan: Plan) -> None:
    if plan.scenario_base_id is None:
        milestones.milestones_from_plan(plan)
    else:
        scenarios.scenario_keep_no_worse(plan)
