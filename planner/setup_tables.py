"""The planning set-up's list of agencies."""

import django_tables2 as tables
from django.urls import reverse

from procurement.core.export_columns import field
from procurement.core.tables import PhaseoutTable
from procurement.inventory.models import Agency


class SetupAgencyTable(PhaseoutTable):
    name = tables.Column(verbose_name="Agency", linkify=lambda record: reverse("planner:setup", args=[record.pk]))
    abbreviation = tables.Column(verbose_name="Abbreviation")
    parent = tables.Column(accessor="parent__abbreviation", verbose_name="Department", default="—")
    team_count = tables.Column(verbose_name="Teams", orderable=True)
    freeze_count = tables.Column(verbose_name="Freeze windows")
    own_template_steps = tables.Column(verbose_name="Own template steps")

    default_columns = ("name", "abbreviation", "parent", "team_count", "freeze_count", "own_template_steps")
    export_columns = {
        "name": field("name"),
        "abbreviation": field("abbreviation"),
        "parent": field("parent__abbreviation"),
        "team_count": field("team_count"),
        "freeze_count": field("freeze_count"),
        "own_template_steps": field("own_template_steps"),
    }

    class Meta(PhaseoutTable.Meta):
        model = Agency
        fields = ()
        order_by = ("name",)
        empty_text = "No agency matches."
