"""Tables of the planner: plan runs, a plan's schedule, its systems at risk."""

import django_tables2 as tables

from planner.models import Plan, PlanSystem, ScheduledStep
from procurement.core.export_columns import field
from procurement.core.tables import ChoiceColumn, IsoDateColumn, PhaseoutTable


class PlanTable(PhaseoutTable):
    id = tables.Column(linkify=True, verbose_name="Plan")
    agency = tables.Column(accessor="agency__abbreviation", verbose_name="Agency", default="All agencies")
    state = ChoiceColumn("state", tag=True, verbose_name="State")
    created_by = tables.Column(accessor="created_by__username", verbose_name="Run by")
    created_at = tables.DateTimeColumn(verbose_name="Run at", format="Y-m-d H:i")
    system_count = tables.Column(verbose_name="Systems")
    late_systems = tables.Column(verbose_name="Late systems")
    finishes_on = IsoDateColumn(verbose_name="Finish")
    engine_status = tables.Column(verbose_name="Engine status")
    is_baseline = tables.BooleanColumn(verbose_name="Baseline")

    default_columns = (
        "id",
        "agency",
        "state",
        "created_by",
        "created_at",
        "system_count",
        "late_systems",
        "finishes_on",
    )
    export_columns = {
        "id": field("id"),
        "agency": field("agency__abbreviation"),
        "state": field("state"),
        "created_by": field("created_by__username"),
        "created_at": field("created_at"),
        "system_count": field("system_count"),
        "late_systems": field("late_systems"),
        "finishes_on": field("finishes_on"),
        "engine_status": field("engine_status"),
        "is_baseline": field("is_baseline"),
    }

    class Meta(PhaseoutTable.Meta):
        model = Plan
        fields = ()
        order_by = ("-created_at",)
        empty_text = "No plans yet."

    def render_id(self, value) -> str:
        return f"#{value}"


class ScheduleTable(PhaseoutTable):
    """A plan's steps, system by system in date order.

    A PhaseoutTable with plain columns only (dates as IsoDateColumn, words from the step's
    properties), so its rows are rendered once per column kind rather than through a template
    per cell: 100 rows of dates in templates took most of a second.
    """

    system = tables.Column(
        accessor="system__fisma_id", verbose_name="System", linkify=lambda record: record.system.get_absolute_url()
    )
    step = tables.Column(accessor="step_in_words", verbose_name="Step")
    contract = tables.Column(verbose_name="Contract")
    team = tables.Column(accessor="team__name", verbose_name="Team")
    head_count = tables.Column(verbose_name="People")
    starts_on = IsoDateColumn(verbose_name="Starts")
    finishes_on = IsoDateColumn(verbose_name="Finishes")
    late_days = tables.Column(accessor="days_late", verbose_name="Days late")

    # Shown on a plan's pages only: the plan reaches files through its milestones and the reports.
    page_columns = ("system", "step", "contract", "team", "head_count", "starts_on", "finishes_on", "late_days")

    class Meta(PhaseoutTable.Meta):
        model = ScheduledStep
        fields = ()
        orderable = False
        empty_text = "No steps in this plan."


class AtRiskTable(PhaseoutTable):
    """Systems whose planned removal is after their deadline, with the engine's reason in words."""

    system = tables.Column(
        accessor="system__fisma_id", verbose_name="System", linkify=lambda record: record.system.get_absolute_url()
    )
    name = tables.Column(accessor="system__name", verbose_name="Name")
    agency = tables.Column(accessor="system__agency__abbreviation", verbose_name="Agency")
    deadline = IsoDateColumn(verbose_name="Deadline")
    removal_on = IsoDateColumn(verbose_name="Planned removal")
    late_days = tables.Column(verbose_name="Days late")
    late_reason = tables.Column(verbose_name="Why")

    # Shown on a plan's pages only: the plan reaches files through its milestones and the reports.
    page_columns = ("system", "name", "agency", "deadline", "removal_on", "late_days", "late_reason")

    class Meta(PhaseoutTable.Meta):
        model = PlanSystem
        fields = ()
        orderable = False
        empty_text = "Every system is planned to meet its deadline."
