"""Reminder rows, the digests that carry them, and the settings that shape them.

A reminder is a row before it is a message: the sweep inserts Reminder rows (a unique
constraint makes any re-run a no-op), groups a recipient's pending rows into one Digest
with its Message-ID, and only then does a worker claim the digest and send it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from procurement.inventory.models import AgencyScopedQuerySet
from procurement.reminders import schedule
from procurement.reminders.enums import CLAIMABLE_DIGEST_STATUSES, DigestStatus, ReminderKind, ReminderStatus


def validate_offsets(text: str) -> None:
    try:
        schedule.parse_offsets(text)
    except ValueError as error:
        raise ValidationError(str(error)) from error


def validate_time_zone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(f"{name!r} is not a time zone name such as America/New_York") from error


class ReminderPolicy(models.Model):
    """A directive's reminder rules; a directive without one uses the defaults in `schedule`."""

    directive = models.OneToOneField("inventory.Directive", on_delete=models.CASCADE, related_name="reminder_policy")
    offsets = models.CharField(
        "days before the due date",
        max_length=100,
        default="14, 7, 1, 0",
        validators=[validate_offsets],
        help_text="Comma-separated, e.g. 14, 7, 1, 0 (0 is the due date itself).",
    )
    overdue_repeat_days = models.PositiveSmallIntegerField(
        default=schedule.DEFAULT_OVERDUE_REPEAT_DAYS, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    lead_escalation_after_days = models.PositiveSmallIntegerField(
        "escalate to the component's transition lead after (days overdue)",
        default=schedule.DEFAULT_LEAD_ESCALATION_DAYS,
        validators=[MaxValueValidator(365)],
    )
    agency_escalation_after_days = models.PositiveSmallIntegerField(
        "escalate to the agency's lead and oversight after (days overdue)",
        default=schedule.DEFAULT_AGENCY_ESCALATION_DAYS,
        validators=[MaxValueValidator(365)],
    )
    oversight_email = models.EmailField("oversight contact email", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reminder policies"

    def __str__(self) -> str:
        return f"Reminder policy for {self.directive}"

    def as_policy(self) -> schedule.Policy:
        return schedule.Policy(
            offsets=schedule.parse_offsets(self.offsets),
            overdue_repeat_days=self.overdue_repeat_days,
            lead_escalation_after_days=self.lead_escalation_after_days,
            agency_escalation_after_days=self.agency_escalation_after_days,
            oversight_email=self.oversight_email,
        )


class AgencyTimeZone(models.Model):
    """The zone an agency's digests are timed in; components without one use their parent's."""

    agency = models.OneToOneField("inventory.Agency", on_delete=models.CASCADE, related_name="reminder_time_zone")
    time_zone = models.CharField(max_length=60, validators=[validate_time_zone])

    def __str__(self) -> str:
        return f"{self.agency}: {self.time_zone}"


class ReminderPreference(models.Model):
    """A user's digest hour (local to the milestone's agency) and digest opt-out.

    Opting out stops the digest of one's own milestones, never escalations addressed to
    one's role; every notice still appears on the notifications page.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference")
    digest_hour = models.PositiveSmallIntegerField(
        default=schedule.DEFAULT_DIGEST_HOUR,
        validators=[MaxValueValidator(23)],
        help_text="Local hour (0–23) at which the day's digest is sent.",
    )
    digest_opt_out = models.BooleanField("no digest email", default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    def __str__(self) -> str:
        return f"Reminder settings of {self.user}"


class ReminderQuerySet(AgencyScopedQuerySet):
    def for_recipient(self, user) -> ReminderQuerySet:
        return self.filter(recipient=user)

    def unread(self) -> ReminderQuerySet:
        return self.filter(read_at__isnull=True).exclude(status=ReminderStatus.CANCELLED)


class Reminder(models.Model):
    """One notice owed to one recipient about one milestone.

    `recipient_key` names the recipient ("user:12", or "email:oversight@example.gov" for a
    contact without an account), so the unique constraints hold for both. A due-soon notice
    or an escalation is owed once per offset and due date; an overdue notice once per
    notice date (the sweep spaces them by the policy's repeat).
    """

    # The milestone and recipient indexes below lead with these columns; their own indexes would
    # only slow the sweep, which inserts tens of thousands of rows at once.
    milestone = models.ForeignKey(
        "planner.Milestone", on_delete=models.CASCADE, related_name="reminders", db_index=False
    )
    agency = models.ForeignKey("inventory.Agency", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        db_index=False,
    )
    recipient_key = models.CharField(max_length=260)
    recipient_email = models.EmailField(blank=True)
    kind = models.CharField(max_length=30, choices=ReminderKind.choices)
    due_on = models.DateField(help_text="The milestone's due date when the notice was owed.")
    offset_days = models.SmallIntegerField(
        default=0, help_text="Days before the due date (due soon) or overdue days that escalated."
    )
    notice_on = models.DateField(help_text="The local date the notice was owed on.")
    status = models.CharField(max_length=20, choices=ReminderStatus.choices, default=ReminderStatus.PENDING)
    digest = models.ForeignKey("Digest", null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    agency_lookup = "agency"
    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-notice_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "recipient_key", "kind", "due_on", "offset_days"],
                condition=~Q(kind=ReminderKind.OVERDUE),
                name="one_reminder_per_offset",
            ),
            models.UniqueConstraint(
                fields=["milestone", "recipient_key", "kind", "due_on", "notice_on"],
                condition=Q(kind=ReminderKind.OVERDUE),
                name="one_overdue_reminder_per_day",
            ),
        ]
        indexes = [
            # Pending rows are few once sent: the sweep's cancel pass and the sender read only them.
            models.Index(
                fields=["digest", "milestone"], condition=Q(status=ReminderStatus.PENDING), name="reminder_pending_idx"
            ),
            models.Index(fields=["recipient", "read_at"], name="reminder_recipient_read_idx"),
            models.Index(fields=["milestone", "status"], name="reminder_milestone_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.milestone_id} to {self.recipient_key}"


class Digest(models.Model):
    """One email to one recipient carrying every notice one sweep owed them.

    `message_id` is fixed when the row is made, before any attempt: a re-send after a lost
    worker carries the same one, so receiving systems can drop the copy. `attempts` grows
    with each claim and fences the worker that claimed last.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="digests"
    )
    recipient_key = models.CharField(max_length=260)
    recipient_email = models.EmailField()
    swept_at = models.DateTimeField()
    message_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=DigestStatus.choices, default=DigestStatus.PENDING)
    was_in_doubt = models.BooleanField(default=False, help_text="A worker was lost while sending it.")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-swept_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient_key", "swept_at"], name="one_digest_per_recipient_sweep"),
        ]
        indexes = [
            # Partial: only the digests a sweep may hand over. An index over every status let
            # PostgreSQL answer a worker's "this digest, if still sending" by scanning all the
            # digests in that status instead of reading one row by its key (15 ms, not 0.1).
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=CLAIMABLE_DIGEST_STATUSES),
                name="digest_claimable_idx",
            ),
            # Digests left "sending" are few: the sweep's look for lost workers reads only them,
            # not every digest ever sent.
            models.Index(
                fields=["claimed_at"], condition=models.Q(status=DigestStatus.SENDING), name="digest_sending_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Digest {self.pk} to {self.recipient_email}"


class BeatLease(models.Model):
    """Who runs the periodic schedule: one beat holds the lease, renewing it; others wait."""

    name = models.CharField(max_length=60, primary_key=True)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder}"
