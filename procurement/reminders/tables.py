"""Tables for the reminders lists; exports reuse them, so screen and file agree."""

import django_tables2 as tables

from procurement.core.export_columns import field, yes_no
from procurement.core.tables import ChoiceColumn, IsoDateColumn, PhaseoutTable


class NotificationTable(PhaseoutTable):
    notice_on = IsoDateColumn(verbose_name="Notice date")
    milestone = tables.Column(
        accessor="milestone__title",
        verbose_name="Milestone",
        linkify=("reminders:milestone", {"pk": tables.A("milestone_id")}),
        order_by="milestone__title",
    )
    agency = tables.Column(accessor="agency__abbreviation", verbose_name="Agency", order_by="agency__name")
    kind = ChoiceColumn("kind", verbose_name="Notice")
    due_on = IsoDateColumn(verbose_name="Due")
    status = ChoiceColumn("status", verbose_name="Email")
    read = tables.BooleanColumn(accessor="read_at", verbose_name="Read", yesno="Yes,No", orderable=False)

    default_columns = ("notice_on", "milestone", "agency", "kind", "due_on", "status", "read")
    export_columns = {
        "notice_on": field("notice_on"),
        "milestone": field("milestone__title"),
        "agency": field("agency__abbreviation"),
        "kind": field("kind"),
        "due_on": field("due_on"),
        "status": field("status"),
        "read": yes_no("read_at__isnull"),
    }

    class Meta(PhaseoutTable.Meta):
        empty_text = "No notices."


class DigestQueueTable(PhaseoutTable):
    id = tables.Column(verbose_name="Digest")
    recipient_email = tables.Column(verbose_name="To")
    status = ChoiceColumn("status", verbose_name="Status", tag=True)
    was_in_doubt = tables.BooleanColumn(verbose_name="Was in doubt", yesno="Yes,No")
    notice_count = tables.Column(verbose_name="Notices")
    attempts = tables.Column(verbose_name="Attempts")
    swept_at = tables.DateTimeColumn(verbose_name="Made", format="Y-m-d H:i")
    next_attempt_at = tables.DateTimeColumn(verbose_name="Next attempt", format="Y-m-d H:i")
    last_error = tables.Column(verbose_name="Last error")
    message_id = tables.Column(verbose_name="Message-ID")

    default_columns = (
        "id",
        "recipient_email",
        "status",
        "was_in_doubt",
        "notice_count",
        "attempts",
        "swept_at",
        "next_attempt_at",
        "last_error",
    )
    export_columns = {
        "id": field("id"),
        "recipient_email": field("recipient_email"),
        "status": field("status"),
        "was_in_doubt": yes_no("was_in_doubt"),
        "notice_count": field("id"),
        "attempts": field("attempts"),
        "swept_at": field("swept_at"),
        "next_attempt_at": field("next_attempt_at"),
        "last_error": field("last_error"),
        "message_id": field("message_id"),
    }

    class Meta(PhaseoutTable.Meta):
        empty_text = "No digests match these filters."
