"""The candidate list; exports reuse it, so screen and file agree."""

import django_tables2 as tables

from procurement.core.export_columns import field
from procurement.core.tables import ChoiceColumn, PhaseoutTable
from procurement.discovery.models import Candidate


class CandidateTable(PhaseoutTable):
    title = tables.Column(linkify=True, verbose_name="Candidate")
    agency = tables.Column(accessor="agency__abbreviation", verbose_name="Agency", order_by="agency__name")
    source_kind = ChoiceColumn("source_kind", verbose_name="Source")
    filename = tables.Column(verbose_name="File")
    row_number = tables.Column(verbose_name="Row")
    matched_text = tables.Column(verbose_name="Matched text")
    proposed_kind = ChoiceColumn("proposed_kind", verbose_name="Proposed kind")
    status = ChoiceColumn("status", verbose_name="Status")
    system = tables.Column(accessor="system__name", verbose_name="System", order_by="system__name")

    default_columns = ("title", "agency", "source_kind", "row_number", "matched_text", "proposed_kind", "status")
    export_columns = {
        "title": field("title"),
        "agency": field("agency__abbreviation"),
        "source_kind": field("source_kind"),
        "filename": field("filename"),
        "row_number": field("row_number"),
        "matched_text": field("matched_text"),
        "proposed_kind": field("proposed_kind"),
        "status": field("status"),
        "system": field("system__name"),
    }

    class Meta(PhaseoutTable.Meta):
        model = Candidate
        fields = ()
        empty_text = "No candidates match these filters."
