"""Tables that stand beside the charts: the same dates as text, for screen readers and keyboards."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse

from planner.models import PlanSystem
from procurement.core.tables import PhaseoutTable


class GanttTable(tables.Table):
    """One row per system of a plan: when its work starts and ends, against its deadline."""

    system = tables.Column(
        accessor="system__fisma_id",
        verbose_name="System",
        linkify=lambda record: reverse("planner:plan-gantt-system", args=[record.plan_id, record.system_id]),
    )
    name = tables.Column(accessor="system__name", verbose_name="Name")
    starts_on = tables.DateColumn(format="Y-m-d", verbose_name="Work starts", default="—")
    removal_on = tables.DateColumn(format="Y-m-d", verbose_name="Planned removal", default="—")
    deadline = tables.DateColumn(format="Y-m-d", verbose_name="Deadline", default="—")
    finishes_on = tables.DateColumn(format="Y-m-d", verbose_name="Verified by", default="—")
    late_days = tables.Column(verbose_name="Days late")
    slip = tables.Column(empty_values=(), verbose_name="Slip against baseline", orderable=False)

    class Meta:
        model = PlanSystem
        fields = ()
        orderable = False
        template_name = "tables/table.html"
        attrs = PhaseoutTable.Meta.attrs
        empty_text = "No systems in this plan."

    def __init__(self, *args, baseline_removals: dict[int, object] | None = None, **kwargs) -> None:
        self.baseline_removals = baseline_removals
        super().__init__(*args, **kwargs)
        if baseline_removals is None:
            self.columns.hide("slip")

    def render_late_days(self, value: int) -> str:
        return str(value) if value else "—"

    def render_slip(self, record: PlanSystem) -> str:
        before = (self.baseline_removals or {}).get(record.system_id)
        if before is None or record.removal_on is None:
            return "not in the baseline" if before is None else "—"
        days = (record.removal_on - before).days
        return "on the baseline date" if days == 0 else f"{days:+d} days"
