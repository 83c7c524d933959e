"""The reminders app's fixed vocabularies."""

from django.db import models


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    # Escalations go to a role (the component's and the agency's transition leads, oversight);
    # nobody opts out of them.
    ESCALATION_COMPONENT = "escalation_component", "Escalated to the component's transition lead"
    ESCALATION_AGENCY = "escalation_agency", "Escalated to the agency's lead and oversight"


ESCALATION_KINDS = (ReminderKind.ESCALATION_COMPONENT, ReminderKind.ESCALATION_AGENCY)
OWNER_KINDS = (ReminderKind.DUE_SOON, ReminderKind.OVERDUE)


class ReminderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"  # no longer true: done, due date moved, owner changed
    SKIPPED = "skipped", "In the app only"  # opted out of the digest, or no email address


class DigestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    # A worker claimed it and was lost before recording the SMTP answer: the server may or
    # may not have accepted it. It is sent again with the same Message-ID.
    IN_DOUBT = "in_doubt", "In doubt"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


# What a worker may claim: waiting to be sent, or sent again after a lost worker.
CLAIMABLE_DIGEST_STATUSES = (DigestStatus.PENDING, DigestStatus.IN_DOUBT)
