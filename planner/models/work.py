"""What removal work a system needs: templates per dependency kind, and a system's own estimates."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from planner.enums import Step, TeamKind
from procurement.inventory.enums import DependencyKind
from procurement.inventory.models import AgencyScopedQuerySet

EFFORT_VALIDATORS = [MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("1000"))]


class WorkTemplateStep(models.Model):
    """One step of the removal template for a dependency kind.

    Rows without an agency are the shipped defaults (data migration); a transition lead's
    edit for an agency is a row of that agency for the same kind and step, and wins for
    the agency's systems and its components' (the component's own row first).
    """

    agency = models.ForeignKey(
        "inventory.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="work_template_steps"
    )
    dependency_kind = models.CharField(max_length=20, choices=DependencyKind.choices)
    step = models.CharField(max_length=20, choices=Step.choices)
    effort_days = models.DecimalField(
        "effort (work days)",
        max_digits=6,
        decimal_places=1,
        validators=EFFORT_VALIDATORS,
        help_text="For a system of moderate criticality with up to 100 users.",
    )
    team_kind = models.CharField(max_length=20, choices=TeamKind.choices)
    head_count = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    scales = models.BooleanField(default=True, help_text="Scaled by criticality and size (not for paperwork).")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency, as System.version: the set-up form carries the version it showed.
    version = models.PositiveIntegerField(default=1, editable=False)

    agency_lookup = "agency"
    objects = AgencyScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["dependency_kind", "step"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "dependency_kind", "step"], name="one_template_step_per_agency"),
            models.UniqueConstraint(
                fields=["dependency_kind", "step"],
                condition=models.Q(agency__isnull=True),
                name="one_default_template_step",
            ),
        ]

    def __str__(self) -> str:
        owner = self.agency.abbreviation if self.agency_id else "default"
        return f"{owner}: {self.get_dependency_kind_display()} / {self.get_step_display()}"


class SystemEstimate(models.Model):
    """A system's own effort for one step, replacing the template's scaled figure."""

    system = models.ForeignKey("inventory.System", on_delete=models.CASCADE, related_name="estimates")
    step = models.CharField(max_length=20, choices=Step.choices)
    effort_days = models.DecimalField(
        "effort (work days)", max_digits=6, decimal_places=1, validators=EFFORT_VALIDATORS
    )
    reason = models.CharField(max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # see WorkTemplateStep.version

    agency_lookup = "system__agency"
    objects = AgencyScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["system", "step"]
        constraints = [models.UniqueConstraint(fields=["system", "step"], name="one_estimate_per_system_step")]

    def __str__(self) -> str:
        return f"{self.system.fisma_id} {self.get_step_display()}: {self.effort_days} days"
