"""The planner's tables: work templates and estimates, teams and calendars, plan runs.

One module per idea; later planning features (milestones, scenarios) add their own.
"""

from planner.models.milestones import Milestone
from planner.models.plans import Plan, PlanPart, PlanSystem, ScheduledStep
from planner.models.teams import FreezeWindow, Team, TeamCapacityChange, WorkCalendar
from planner.models.work import SystemEstimate, WorkTemplateStep

__all__ = [
    "FreezeWindow",
    "Milestone",
    "Plan",
    "PlanPart",
    "PlanSystem",
    "ScheduledStep",
    "SystemEstimate",
    "Team",
    "TeamCapacityChange",
    "WorkCalendar",
    "WorkTemplateStep",
]
