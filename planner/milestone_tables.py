"""The milestone list's table (screen and exports read the same columns)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from planner.models import Milestone
from procurement.core.export_columns import field
from procurement.core.tables import ChoiceColumn, IsoDateColumn, PhaseoutTable

DONE_TAG = mark_safe('<span class="usa-tag phaseout-tag phaseout-tag--verified">Done</span>')  # noqa: S308 (constant)


class MilestoneTable(PhaseoutTable):
    title = tables.Column(linkify=True, verbose_name="Milestone")
    system = tables.Column(accessor="system__fisma_id", verbose_name="System", default="—")
    agency = tables.Column(accessor="agency__abbreviation", verbose_name="Agency")
    kind = ChoiceColumn("kind", verbose_name="Kind")
    owner = tables.Column(accessor="owner__username", verbose_name="Owner", default="Unassigned")
    due_on = IsoDateColumn(verbose_name="Due")
    planned_on = IsoDateColumn(verbose_name="Plan says", default="—")
    state = tables.Column(accessor="done_at", verbose_name="State", order_by=("done_at", "due_on"), default="")
    done_at = tables.DateTimeColumn(verbose_name="Done at", format="Y-m-d H:i", default="—")

    default_columns = ("title", "system", "agency", "owner", "due_on", "state")
    export_columns = {
        "title": field("title"),
        "system": field("system__fisma_id"),
        "agency": field("agency__abbreviation"),
        "kind": field("kind"),
        "owner": field("owner__username"),
        "due_on": field("due_on"),
        "planned_on": field("planned_on"),
        "state": field("done_at"),
        "done_at": field("done_at"),
    }

    class Meta(PhaseoutTable.Meta):
        model = Milestone
        fields = ()
        order_by = ("due_on",)
        empty_text = "No milestones match these filters."

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()

    def render_state(self, record: Milestone) -> str:
        if record.done_at is not None:
            return DONE_TAG
        if record.due_on < self.today:
            days = (self.today - record.due_on).days
            return format_html('<span class="phaseout-overdue">Overdue {} day{}</span>', days, "" if days == 1 else "s")
        return "Open"
