"""Who does the work and when: teams with their head count over time, work calendars, freezes."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from planner.enums import TeamKind
from procurement.inventory.models import AgencyScopedQuerySet


class Team(models.Model):
    """A named team of an agency or component (e.g. IRS migration engineers).

    A system's step is done by its own agency's team of the kind the step needs, or,
    if the component has none, by its department's.
    """

    agency = models.ForeignKey("inventory.Agency", on_delete=models.CASCADE, related_name="teams")
    kind = models.CharField(max_length=20, choices=TeamKind.choices)
    name = models.CharField(max_length=200)
    head_count = models.PositiveSmallIntegerField(help_text="People from the plan's start (changes below).")
    # Optimistic concurrency, as System.version: the set-up form carries the version it showed.
    version = models.PositiveIntegerField(default=1, editable=False)

    agency_lookup = "agency"
    objects = AgencyScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="unique_team_name_per_agency")]

    def __str__(self) -> str:
        return f"{self.name} ({self.head_count})"


class TeamCapacityChange(models.Model):
    """From this date the team has this many people (two contractors join; a freeze halves it)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="capacity_changes")
    starts_on = models.DateField()
    head_count = models.PositiveSmallIntegerField(validators=[MinValueValidator(0)])
    note = models.CharField(max_length=200, blank=True)

    agency_lookup = "team__agency"
    objects = AgencyScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["team", "starts_on"]
        constraints = [models.UniqueConstraint(fields=["team", "starts_on"], name="one_capacity_change_per_day")]

    def __str__(self) -> str:
        return f"{self.team.name}: {self.head_count} from {self.starts_on}"


class WorkCalendar(models.Model):
    """An agency's working time: weekdays, less US federal holidays, less freeze windows.

    A component without a calendar of its own uses its department's; an agency without
    either works every weekday that is not a federal holiday.
    """

    agency = models.OneToOneField("inventory.Agency", on_delete=models.CASCADE, related_name="work_calendar")
    name = models.CharField(max_length=200)

    agency_lookup = "agency"
    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["agency"]

    def __str__(self) -> str:
        return self.name


class FreezeWindow(models.Model):
    """Days no removal work of the calendar's agency may run on (e.g. the filing season)."""

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="freeze_windows")
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The last frozen day.")
    reason = models.CharField(max_length=200)

    agency_lookup = "calendar__agency"
    objects = AgencyScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["calendar", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="freeze_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.starts_on} – {self.ends_on})"
