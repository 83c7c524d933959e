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


class ScheduleTable(tables.Table):
    """A plan's steps, system by system in date order."""

    system = tables.Column(
        accessor="system__fisma_id", verbose_name="System", linkify=lambda record: record.system.get_absolute_url()
    )
    step = tables.Column(accessor="get_step_display", verbose_name="Step", orderable=False)
    contract = tables.Column(verbose_name="Contract", orderable=False)
    team = tables.Column(accessor="team__name", verbose_name="Team", orderable=False)
    head_count = tables.Column(verbose_name="People", orderable=False)
    starts_on = tables.DateColumn(format="Y-m-d", verbose_name="Starts", orderable=False)
    finishes_on = tables.DateColumn(format="Y-m-d", verbose_name="Finishes", orderable=False)
    late_days = tables.Column(verbose_name="Days late", orderable=False)

    class Meta:
        model = ScheduledStep
        fields = ()
        orderable = False
        template_name = "tables/table.html"
        attrs = PhaseoutTable.Meta.attrs
        empty_text = "No steps in this plan."

    def render_step(self, record: ScheduledStep) -> str:
        if record.contract_action:
            return f"{record.get_step_display()}: {record.get_contract_action_display().lower()}"
        return record.get_step_display()

    def render_late_days(self, value: int) -> str:
        return str(value) if value else "—"


class AtRiskTable(tables.Table):
    """Systems whose planned removal is after their deadline."""

    system = tables.Column(
        accessor="system__fisma_id", verbose_name="System", linkify=lambda record: record.system.get_absolute_url()
    )
    name = tables.Column(accessor="system__name", verbose_name="Name")
    agency = tables.Column(accessor="system__agency__abbreviation", verbose_name="Agency")
    deadline = tables.DateColumn(format="Y-m-d", verbose_name="Deadline")
    removal_on = tables.DateColumn(format="Y-m-d", verbose_name="Planned removal")
    late_days = tables.Column(verbose_name="Days late")
    late_reason = tables.Column(verbose_name="Why")

    class Meta:
        model = PlanSystem
        fields = ()
        orderable = False
        template_name = "tables/table.html"
        attrs = PhaseoutTable.Meta.attrs
        empty_text = "Every system is planned to meet its deadline."
