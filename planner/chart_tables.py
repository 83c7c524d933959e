"""Tables that stand beside the charts: the same dates as text, for screen readers and keyboards."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse

from planner.models import PlanSystem
from procurement.core.tables import IsoDateColumn, PhaseoutTable


class GanttTable(PhaseoutTable):
    """One row per system of a plan: when its work starts and ends, against its deadline.

    Plain columns (rendered once per column kind by PhaseoutTable) except the slip, which
    needs the baseline's dates and appears only when there is a baseline.
    """

    system = tables.Column(
        accessor="system__fisma_id",
        verbose_name="System",
        linkify=lambda record: reverse("planner:plan-gantt-system", args=[record.plan_id, record.system_id]),
    )
    name = tables.Column(accessor="system__name", verbose_name="Name")
    starts_on = IsoDateColumn(verbose_name="Work starts")
    removal_on = IsoDateColumn(verbose_name="Planned removal")
    deadline = IsoDateColumn(verbose_name="Deadline")
    finishes_on = IsoDateColumn(verbose_name="Verified by")
    late_days = tables.Column(accessor="days_late", verbose_name="Days late")
    slip = tables.Column(empty_values=(), verbose_name="Slip against baseline", orderable=False)

    # Shown on a plan's pages only: the plan reaches files through its milestones and the reports.
    page_columns = ("system", "name", "starts_on", "removal_on", "deadline", "finishes_on", "late_days", "slip")

    class Meta(PhaseoutTable.Meta):
        model = PlanSystem
        fields = ()
        orderable = False
        empty_text = "No systems in this plan."

    def __init__(self, *args, baseline_removals: dict[int, object] | None = None, **kwargs) -> None:
        self.baseline_removals = baseline_removals
        super().__init__(*args, **kwargs)
        if baseline_removals is None:
            self.columns.hide("slip")

    def render_slip(self, record: PlanSystem) -> str:
        before = (self.baseline_removals or {}).get(record.system_id)
        if before is None or record.removal_on is None:
            return "not in the baseline" if before is None else "—"
        days = (record.removal_on - before).days
        return "on the baseline date" if days == 0 else f"{days:+d} days"
