"""The inventory domain: who must remove what, under which directive, by when."""

from __future__ import annotations

import datetime
import uuid

from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from procurement.inventory import deadlines
from procurement.inventory.access import Action, agency_ids_for, granted_by, with_components
from procurement.inventory.enums import (
    DONE_STATUSES,
    AgencyType,
    Criticality,
    DependencyKind,
    IdentificationMethod,
    ImportKind,
    Network,
    Role,
    SystemStatus,
)


class AgencyScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to an agency through `model.agency_lookup`."""

    def for_user(self, user, action: Action | str = Action.VIEW) -> AgencyScopedQuerySet:
        """The rows `user` may `action`: the one row-access filter of the whole app."""
        agency_ids = agency_ids_for(user, action)
        if agency_ids is None:
            return self.all()
        return self.filter(**{f"{self.model.agency_lookup}__in": agency_ids})


class AgencyQuerySet(AgencyScopedQuerySet):
    def component_tree(self) -> dict[int, list[int]]:
        """Parent id → component ids; agencies number in the hundreds, so one query reads all."""
        children: dict[int, list[int]] = {}
        for agency_id, parent_id in self.filter(parent__isnull=False).values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(agency_id)
        return children

    def with_components(self, agency_id: int) -> set[int]:
        """The agency's id and those of every component below it, however deep."""
        return with_components({agency_id}, self.component_tree())


class SystemQuerySet(AgencyScopedQuerySet):
    def done(self) -> SystemQuerySet:
        return self.filter(status__in=DONE_STATUSES)

    def open(self) -> SystemQuerySet:
        """Systems still using the covered product (not yet removed)."""
        return self.exclude(status__in=DONE_STATUSES)

    def overdue(self, today: datetime.date) -> SystemQuerySet:
        """Open systems whose deadline has passed; on the deadline day itself they are not."""
        return self.open().filter(removal_deadline__lt=today)

    def not_overdue(self, today: datetime.date) -> SystemQuerySet:
        return self.filter(
            models.Q(removal_deadline__gte=today)
            | models.Q(removal_deadline__isnull=True)
            | models.Q(status__in=DONE_STATUSES)
        )


class User(AbstractUser):
    """A person who signs in. Agency access comes from memberships; oversight reads all."""

    is_oversight = models.BooleanField(
        default=False,
        help_text="Oversight users (e.g. OMB, CISA) read every agency and change nothing.",
    )

    def granted_agency_ids(self, action: Action) -> set[int]:
        """Agencies where a membership lets this user do `action`, with their components.

        Cached on the instance, so a request reads memberships and the agency tree once.
        """
        cache = self.__dict__.setdefault("_phaseout_access", {})
        if action not in cache:
            if "memberships" not in cache:
                cache["memberships"] = list(self.memberships.values_list("agency_id", "role"))
            granted = granted_by(cache["memberships"], action)
            if granted and "children" not in cache:
                cache["children"] = Agency.objects.component_tree()
            cache[action] = with_components(granted, cache.get("children", {}))
        return cache[action]


class Agency(models.Model):
    """A department or one of its components (Department of Defense → Army)."""

    name = models.CharField(max_length=200, unique=True)
    abbreviation = models.CharField(max_length=20, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="components")
    agency_type = models.CharField(max_length=20, choices=AgencyType.choices)
    point_of_contact = models.CharField(max_length=200, blank=True)
    point_of_contact_email = models.EmailField(blank=True)
    attesting_official = models.CharField(max_length=200, blank=True)
    attesting_official_title = models.CharField(max_length=200, blank=True)

    agency_lookup = "pk"
    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def department(self) -> Agency:
        return self.parent or self


class Membership(models.Model):
    """A user's role in an agency; a department membership covers its components."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="one_membership_per_agency")]

    def __str__(self) -> str:
        return f"{self.user} – {self.agency} ({self.get_role_display()})"


class Vendor(models.Model):
    """A company whose products a directive covers."""

    name = models.CharField(max_length=200, unique=True)
    uei = models.CharField("UEI", max_length=12, blank=True)
    cage_code = models.CharField("CAGE code", max_length=5, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A covered product or service of a vendor (a model, an API, an assistant)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["vendor__name", "name"]
        constraints = [models.UniqueConstraint(fields=["vendor", "name"], name="unique_product_per_vendor")]

    def __str__(self) -> str:
        return f"{self.vendor.name} {self.name}"


class Directive(models.Model):
    """A mandate to stop using covered products, with its phases as offsets from issue.

    Scope rules (who must finish by when) live on numbered revisions, so a change of
    scope is recorded as a new revision rather than overwriting the old rule.
    """

    title = models.CharField(max_length=300)
    short_name = models.CharField(max_length=60, unique=True)
    issuing_authority = models.CharField(max_length=200)
    issued_on = models.DateField()
    covered_products = models.ManyToManyField(Product, related_name="directives", blank=True)
    identify_offset_days = models.PositiveIntegerField(default=30)
    plan_offset_days = models.PositiveIntegerField(default=60)
    status_report_interval_days = models.PositiveIntegerField(default=30)
    exception_max_days = models.PositiveIntegerField(default=365, help_text="Longest a single waiver may run.")
    exception_max_extensions = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_on", "title"]

    def __str__(self) -> str:
        return self.short_name

    def current_revision(self) -> DirectiveRevision | None:
        return self.revisions.order_by("-number").first()


class DirectiveRevision(models.Model):
    """One version of a directive's scope rules, effective from a date."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    effective_on = models.DateField()
    summary = models.CharField(max_length=300, help_text="What changed and why.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["directive", "-number"]
        constraints = [models.UniqueConstraint(fields=["directive", "number"], name="unique_revision_number")]

    def __str__(self) -> str:
        return f"{self.directive} rev. {self.number}"


class ScopeRule(models.Model):
    """Who a revision covers and how many days after issue they must finish removal.

    Blank criteria match anything; the most specific matching rule wins (see
    deadlines.scope_rule_for).
    """

    revision = models.ForeignKey(DirectiveRevision, on_delete=models.CASCADE, related_name="scope_rules")
    agency_type = models.CharField(max_length=20, choices=AgencyType.choices, blank=True)
    dependency_kind = models.CharField(max_length=20, choices=DependencyKind.choices, blank=True)
    national_security_system = models.BooleanField(
        null=True, blank=True, help_text="Blank: applies whether or not the system is an NSS."
    )
    removal_offset_days = models.PositiveIntegerField(
        help_text="Days after the directive's issue date by which removal must be complete."
    )
    description = models.CharField(max_length=200)

    class Meta:
        ordering = ["revision", "removal_offset_days"]

    def __str__(self) -> str:
        return f"{self.description} (D+{self.removal_offset_days})"

    def provenance(self) -> str:
        """The rule named with the revision it belongs to, for history and the system page."""
        revision = self.revision
        return f"“{self.description}” (D+{self.removal_offset_days}) of {revision.directive} revision {revision.number}"

    @property
    def specificity(self) -> int:
        return deadlines.specificity(self)


fisma_id_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    "Use letters, digits, dots, dashes and underscores only.",
)


class System(models.Model):
    """An information system that depends on a covered product and must be cleared of it."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="systems")
    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="systems")
    name = models.CharField(max_length=200)
    fisma_id = models.CharField("FISMA system ID", max_length=50, unique=True, validators=[fisma_id_validator])
    owner_name = models.CharField("system owner", max_length=200, blank=True)
    owner_email = models.EmailField("owner email", blank=True)
    contacts = models.TextField(blank=True, help_text="Other points of contact, one per line.")
    mission_function = models.CharField(max_length=300, blank=True)
    criticality = models.CharField("mission criticality (FIPS 199)", max_length=10, choices=Criticality.choices)
    environment = models.CharField(
        max_length=200, blank=True, help_text="Hosting, e.g. agency data center, GovCloud tenant."
    )
    network = models.CharField(max_length=20, choices=Network.choices)
    national_security_system = models.BooleanField("national security system", default=False)
    covered_products = models.ManyToManyField(Product, related_name="systems", blank=True)
    dependency_kind = models.CharField(max_length=20, choices=DependencyKind.choices)
    user_count = models.PositiveIntegerField("users, seats or endpoints", default=0)
    identification_method = models.CharField(
        max_length=30, choices=IdentificationMethod.choices, default=IdentificationMethod.SELF_REPORT
    )
    replacement = models.CharField("replacement chosen", max_length=300, blank=True)
    cost_estimate = models.DecimalField(
        "cost estimate (USD)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        max_length=20, choices=SystemStatus.choices, default=SystemStatus.IDENTIFIED, editable=False
    )
    # Derived from the directive's current scope rules by services; never typed in.
    removal_deadline = models.DateField(null=True, editable=False, db_index=True)
    # The end of the approved waiver in force, kept by the compliance app's services (which
    # sit above the inventory and the planner); plans and reports use it as the deadline
    # when it is later than removal_deadline.
    waiver_until = models.DateField("waiver in force until", null=True, blank=True, editable=False)
    # The scope rule that set removal_deadline (None when no rule applies); it names the revision.
    deadline_rule = models.ForeignKey(
        ScopeRule, null=True, editable=False, on_delete=models.SET_NULL, related_name="+", verbose_name="deadline rule"
    )
    # Counts saves of what people edit (derived deadlines do not count): a form or an import
    # preview carries the version it showed, and a save from a stale one is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    depends_on = models.ManyToManyField("self", symmetrical=False, related_name="depended_by", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[depends_on, covered_products])

    agency_lookup = "agency"
    objects = SystemQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["name", "id"]),  # the list's default order, paged with LIMIT
            models.Index(fields=["agency", "status"]),
            # The dashboard's breakdowns, read from this index alone (no table scan).
            models.Index(
                fields=["directive", "status", "dependency_kind", "criticality", "removal_deadline"],
                name="system_breakdown_idx",
            ),
            # The dashboard's most overdue first: walked in order, stopped after a page.
            models.Index(fields=["removal_deadline", "name", "id"], name="system_deadline_order_idx"),
        ]
        # On PostgreSQL, search runs on trigram indexes (migration 0003_search_and_dashboard_indexes).

    def __str__(self) -> str:
        return f"{self.name} ({self.fisma_id})"

    def get_absolute_url(self) -> str:
        return reverse("inventory:system-detail", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES

    def days_left(self, today: datetime.date) -> int | None:
        if self.removal_deadline is None:
            return None
        return (self.removal_deadline - today).days


class SystemChangeCounter(models.Model):
    """How often an agency's systems changed: the stamp that tells a cached count is still right.

    Database triggers keep it (migration 0007), so every write counts, whatever makes it:
    services, imports, the admin, another app's `update()`. The stamp of a set of agencies
    is the sum of their counters (`inventory.counts`), which grows with every committed
    change to their systems. On PostgreSQL a writer adds to a row of its agency that no other
    open transaction holds (`SKIP LOCKED`) or starts a new one, so concurrent writers never
    wait for each other here; an agency has as many rows as it once had concurrent writers.
    """

    # Not a foreign key: the triggers write it, and a counter must never stop an agency's deletion.
    agency_id = models.BigIntegerField(db_index=True)
    changes = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"agency {self.agency_id}: {self.changes} changes"


class StatusChange(models.Model):
    """One step of a system's status workflow: who moved it, when, and why.

    It keeps the agency the system belonged to at the time: a system moved to another
    agency does not show that agency the notes written before the move.
    """

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="status_changes")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, choices=SystemStatus.choices)
    to_status = models.CharField(max_length=20, choices=SystemStatus.choices)
    changed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    agency_lookup = "agency"
    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.system}: {self.from_status} → {self.to_status}"


uei_validator = RegexValidator(r"^[A-Z0-9]{12}$", "A UEI is 12 capital letters and digits.")
cage_validator = RegexValidator(r"^[A-Z0-9]{5}$", "A CAGE code is 5 capital letters and digits.")


class Contract(models.Model):
    """A contract or order through which an agency buys a covered product."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="contracts")
    contract_number = models.CharField(max_length=60)
    order_number = models.CharField(max_length=60, blank=True)
    vehicle = models.CharField(max_length=200, blank=True, help_text="e.g. GSA MAS, OASIS+.")
    vendor_name = models.CharField(max_length=200)
    vendor_uei = models.CharField("vendor UEI", max_length=12, blank=True, validators=[uei_validator])
    vendor_cage = models.CharField("vendor CAGE code", max_length=5, blank=True, validators=[cage_validator])
    value = models.DecimalField(
        "value (USD)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    option_date = models.DateField("next option date", null=True, blank=True)
    renewal_date = models.DateField(null=True, blank=True)
    end_date = models.DateField("period of performance end", null=True, blank=True)
    contracting_officer = models.CharField(max_length=200, blank=True)
    contracting_officer_email = models.EmailField(blank=True)
    systems = models.ManyToManyField(System, related_name="contracts", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # see System.version
    history = HistoricalRecords(m2m_fields=[systems])

    agency_lookup = "agency"
    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["contract_number", "order_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "contract_number", "order_number"],
                name="unique_contract_order_per_agency",
            )
        ]

    def __str__(self) -> str:
        if self.order_number:
            return f"{self.contract_number} / {self.order_number}"
        return self.contract_number

    def get_absolute_url(self) -> str:
        return reverse("inventory:contract-detail", args=[self.pk])


class ImportBatch(models.Model):
    """An upload's parsed rows, kept between its preview and the user's confirmation.

    The file is parsed once, at upload, under the parse budget; preview and confirmation
    read the stored rows and never the file, which is not kept. The rows are validated
    again on confirmation, inside the transaction that applies them, so the preview can
    never apply stale checks. Unconfirmed batches expire (`import_batch_expire`), and a
    user keeps a few at most; an applied batch keeps only its counts.
    """

    class QuerySet(models.QuerySet):
        def pending(self) -> models.QuerySet:
            """Not applied yet: these hold rows and expire."""
            return self.filter(applied_at__isnull=True)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="import_batches")
    filename = models.CharField(max_length=255)
    # The parsed sheet as zlib-compressed JSON (sheets.sheet_pack); emptied once applied.
    parsed = models.BinaryField(null=True, editable=False)
    row_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_count = models.PositiveIntegerField(default=0)
    # Record key → version of each existing record as the last preview showed it: a record
    # changed since is re-checked and reported on confirmation, never silently overwritten.
    previewed_versions = models.JSONField(default=dict, editable=False)

    objects = QuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.filename}"
