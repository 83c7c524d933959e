"""Tables for the compliance lists; exports reuse them, so screen and file agree."""

import django_tables2 as tables

from procurement.core.export_columns import field
from procurement.core.tables import ChoiceColumn, IsoDateColumn, PhaseoutTable


class WaiverTable(PhaseoutTable):
    id = tables.Column(linkify=True, verbose_name="Waiver")
    system = tables.Column(accessor="system__name", verbose_name="System", order_by="system__name")
    fisma_id = tables.Column(accessor="system__fisma_id", verbose_name="FISMA system ID")
    agency = tables.Column(accessor="agency__abbreviation", verbose_name="Agency", order_by="agency__name")
    category = ChoiceColumn("category", verbose_name="Category")
    status = ChoiceColumn("status", verbose_name="Status")
    requested_until = IsoDateColumn(verbose_name="Until")
    extension_number = tables.Column(verbose_name="Extension")

    default_columns = (
        "id",
        "system",
        "fisma_id",
        "agency",
        "category",
        "status",
        "requested_until",
        "extension_number",
    )
    export_columns = {
        "id": field("id"),
        "system": field("system__name"),
        "fisma_id": field("system__fisma_id"),
        "agency": field("agency__abbreviation"),
        "category": field("category"),
        "status": field("status"),
        "requested_until": field("requested_until"),
        "extension_number": field("extension_number"),
    }

    class Meta(PhaseoutTable.Meta):
        empty_text = "No waivers match these filters."

    def render_id(self, value):
        return f"W-{value}"


class ReportTable(PhaseoutTable):
    report = tables.Column(accessor="pk", linkify=lambda record: record.get_absolute_url(), verbose_name="Report")
    directive = tables.Column(accessor="directive__short_name", verbose_name="Directive")
    agency = tables.Column(accessor="agency__abbreviation", verbose_name="Agency", order_by="agency__name")
    period = tables.Column(verbose_name="Period")
    period_end = IsoDateColumn(verbose_name="Due")
    state = ChoiceColumn("state", verbose_name="State")

    default_columns = ("report", "directive", "agency", "period", "period_end", "state")
    export_columns = {
        "report": field("id"),
        "directive": field("directive__short_name"),
        "agency": field("agency__abbreviation"),
        "period": field("period"),
        "period_end": field("period_end"),
        "state": field("state"),
    }

    class Meta(PhaseoutTable.Meta):
        empty_text = "No status reports match these filters."

    def render_report(self, value, record):
        return f"{record.agency.abbreviation} period {record.period}"
