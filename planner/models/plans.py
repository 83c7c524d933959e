"""Plan runs: what was solved, by whom, how well, and every scheduled step with real dates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from planner.enums import UNFINISHED_STATES, ContractActionKind, PlanObjective, PlanState, Step
from procurement.inventory.models import AgencyScopedQuerySet


class PlanQuerySet(AgencyScopedQuerySet):
    def done(self) -> PlanQuerySet:
        return self.filter(state=PlanState.DONE)


class Plan(models.Model):
    """One planning run over a scope: an agency with its components, or every agency.

    The row is written first (queued); a worker builds the problem, stores it as the
    input snapshot, solves its independent parts (in parallel when there are several)
    and the last part to finish stores the schedule. A run that fails or is cancelled
    stores no schedule, so the agency's current plan (its latest done one) stays as it
    was. `adjustments` holds what-if changes (see `planner.problems.Adjustments`);
    `scenario_base` links a what-if scenario to the plan it changes.
    """

    agency = models.ForeignKey(
        "inventory.Agency",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="plans",
        help_text="Blank: every agency (administrators only).",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    starts_on = models.DateField(help_text="Work is planned from this day on.")
    time_limit_seconds = models.FloatField(default=30)
    warm_start = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Re-planned from this plan.",
    )
    is_baseline = models.BooleanField(default=False)
    scenario_base = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="scenarios")
    adjustments = models.JSONField(default=dict, blank=True)

    state = models.CharField(max_length=10, choices=PlanState.choices, default=PlanState.QUEUED)
    message = models.TextField(blank=True, help_text="Why it failed, for the user.")
    input_snapshot = models.JSONField(null=True, blank=True, editable=False)
    parts_total = models.PositiveIntegerField(default=0)
    parts_done = models.PositiveIntegerField(default=0)
    late_so_far = models.PositiveIntegerField(null=True, blank=True, help_text="Late items in the parts solved so far.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    gantt_json = models.TextField(
        blank=True, editable=False, help_text="The whole plan's Gantt data, written once when the plan is stored."
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="The worker's last sign of progress: claimed, a part begun, a part joined."
    )

    engine_status = models.CharField(max_length=12, blank=True)
    objective = models.CharField(
        max_length=10, choices=PlanObjective.choices, blank=True, help_text="What lower_bound and gap are about."
    )
    objective_value = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The plan's weighted lateness (work days late times criticality weight) or its length in work days.",
    )
    lower_bound = models.BigIntegerField(
        null=True, blank=True, help_text="No plan of the same problem has a smaller objective value."
    )
    gap = models.FloatField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True, help_text="Solver time, summed over parts.")
    system_count = models.PositiveIntegerField(default=0)
    item_count = models.PositiveIntegerField(default=0)
    late_systems = models.PositiveIntegerField(null=True, blank=True)
    finishes_on = models.DateField(null=True, blank=True)
    moved_steps = models.PositiveIntegerField(
        null=True, blank=True, help_text="Steps whose dates moved from warm_start."
    )

    agency_lookup = "agency"
    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency"], condition=models.Q(is_baseline=True), name="one_baseline_per_agency"
            )
        ]
        indexes = [models.Index(fields=["agency", "state", "-created_at"])]

    def __str__(self) -> str:
        scope = self.agency.abbreviation if self.agency_id else "All agencies"
        return f"{scope} plan #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("planner:plan-detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state not in UNFINISHED_STATES


class PlanPart(models.Model):
    """One independent part of a plan's problem: its item ids in, the engine's answer out."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    item_ids = models.JSONField()
    state = models.CharField(max_length=10, choices=PlanState.choices, default=PlanState.QUEUED)
    result = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="unique_part_number")]

    def __str__(self) -> str:
        return f"{self.plan} part {self.number}"


class PlanSystem(models.Model):
    """One system in a done plan: when its removal is planned, against its deadline, and why late."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="systems")
    system = models.ForeignKey("inventory.System", on_delete=models.CASCADE, related_name="plan_entries")
    deadline = models.DateField(null=True, blank=True, help_text="The removal deadline, or a waiver's end if later.")
    starts_on = models.DateField(null=True, blank=True)
    removal_on = models.DateField(null=True, blank=True, help_text="Last day of the decommission step.")
    finishes_on = models.DateField(null=True, blank=True)
    late_days = models.PositiveIntegerField(default=0)
    late_reason = models.TextField(blank=True)

    agency_lookup = "system__agency"
    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "-late_days", "system__fisma_id"]
        constraints = [models.UniqueConstraint(fields=["plan", "system"], name="one_entry_per_plan_system")]
        indexes = [models.Index(fields=["plan", "late_days"])]

    def __str__(self) -> str:
        return f"{self.plan}: {self.system.fisma_id}"

    @property
    def days_late(self) -> int | None:
        """Days late, or None when on time (tables show a dash)."""
        return self.late_days or None


class ScheduledStep(models.Model):
    """One scheduled removal step with its real dates (first and last work day)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="steps")
    system = models.ForeignKey("inventory.System", on_delete=models.CASCADE, related_name="+")
    item_id = models.CharField(max_length=80, help_text="The engine's id; stable across runs for warm starts.")
    step = models.CharField(max_length=20, choices=Step.choices)
    contract = models.ForeignKey(
        "inventory.Contract", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contract_action = models.CharField(max_length=20, choices=ContractActionKind.choices, blank=True)
    team = models.ForeignKey("planner.Team", null=True, on_delete=models.SET_NULL, related_name="+")
    head_count = models.PositiveSmallIntegerField(default=1)
    start_unit = models.PositiveIntegerField()
    finish_unit = models.PositiveIntegerField()
    starts_on = models.DateField()
    finishes_on = models.DateField()
    late_days = models.PositiveIntegerField(default=0)

    agency_lookup = "system__agency"
    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "system", "start_unit", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "item_id"], name="unique_item_per_plan")]
        indexes = [models.Index(fields=["plan", "system", "start_unit"])]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.starts_on} – {self.finishes_on}"

    @property
    def days_late(self) -> int | None:
        """Days late, or None when on time (tables show a dash)."""
        return self.late_days or None

    @property
    def step_in_words(self) -> str:
        """The step's name, with the action for a contract step ("Contract action: modify")."""
        if self.contract_action:
            return f"{self.get_step_display()}: {self.get_contract_action_display().lower()}"
        return self.get_step_display()
