"""Milestones: dated deliverables with an owner, from a plan or from the directive's phases.

Reminders (procurement.reminders) are computed from these rows: an open milestone with an
owner and a due date is owed reminders; marking it done or moving its due date changes
what is owed.
"""

from __future__ import annotations

import datetime
import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from planner.enums import MilestoneKind
from procurement.inventory.models import AgencyScopedQuerySet


class EvidenceStorage(FileSystemStorage):
    """Files under MILESTONE_EVIDENCE_DIR (default var/evidence), read from settings on every use.

    Outside MEDIA and static files, with no URL: only the milestone evidence view serves them,
    to people who may see the milestone.
    """

    @property
    def base_location(self) -> str:
        return str(getattr(settings, "MILESTONE_EVIDENCE_DIR", None) or settings.VAR_DIR / "evidence")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:
        return None


def evidence_storage() -> FileSystemStorage:
    return EvidenceStorage()


def evidence_path(instance: Milestone, filename: str) -> str:
    """A random name: the uploaded name is kept in `evidence_name`, never used as a path."""
    return f"{instance.agency_id}/{uuid.uuid4().hex}"


class MilestoneQuerySet(AgencyScopedQuerySet):
    def open(self) -> MilestoneQuerySet:
        return self.filter(done_at__isnull=True)

    def done(self) -> MilestoneQuerySet:
        return self.filter(done_at__isnull=False)

    def overdue(self, today: datetime.date) -> MilestoneQuerySet:
        """Open and due before today: a milestone due today is not overdue yet."""
        return self.open().filter(due_on__lt=today)

    def due_between(self, first: datetime.date, last: datetime.date) -> MilestoneQuerySet:
        return self.open().filter(due_on__gte=first, due_on__lte=last)

    def owned_by(self, user) -> MilestoneQuerySet:
        return self.filter(owner=user)


class Milestone(models.Model):
    """One deliverable with a due date and an owner.

    System milestones (replacement selected ... verified) come from a plan, one per system
    and kind: a re-plan moves their due dates rather than adding rows. Phase milestones
    (identify, plan, status reports) come from the directive and have no system.
    `version` grows on every save, so a stale form or task cannot overwrite a newer change.
    """

    agency = models.ForeignKey("inventory.Agency", on_delete=models.CASCADE, related_name="milestones")
    directive = models.ForeignKey("inventory.Directive", on_delete=models.CASCADE, related_name="milestones")
    system = models.ForeignKey(
        "inventory.System", null=True, blank=True, on_delete=models.CASCADE, related_name="milestones"
    )
    plan = models.ForeignKey(
        "planner.Plan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones",
        help_text="The plan that last set the due date; blank for phase milestones and manual dates.",
    )
    kind = models.CharField(max_length=30, choices=MilestoneKind.choices)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="milestones"
    )
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evidence_note = models.TextField(blank=True)
    evidence_file = models.FileField(storage=evidence_storage, upload_to=evidence_path, max_length=200, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True, help_text="The uploaded file's name, for download.")
    evidence_size = models.PositiveIntegerField(null=True, blank=True)
    planned_on = models.DateField(
        null=True, blank=True, help_text="The date the latest plan gives; differs from due_on after a manual change."
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A manual due-date change stores its reason as the history entry's change reason.
    history = HistoricalRecords()

    agency_lookup = "agency"
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "kind"],
                condition=models.Q(system__isnull=False),
                name="one_milestone_per_system_kind",
            ),
            models.UniqueConstraint(
                fields=["agency", "directive", "kind", "due_on"],
                condition=models.Q(system__isnull=True),
                name="one_phase_milestone_per_agency_day",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "due_on"], name="milestone_owner_due_idx"),
            models.Index(fields=["agency", "due_on"], name="milestone_agency_due_idx"),
            models.Index(fields=["due_on"], condition=models.Q(done_at__isnull=True), name="milestone_open_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("planner:milestone-detail", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
