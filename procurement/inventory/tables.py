"""Tables for the inventory lists. Export reuses them, so screen and file agree."""

import django_tables2 as tables
from django.utils import timezone

from procurement.core.tables import IsoDateColumn, PhaseoutTable, joined, yes_no
from procurement.inventory.models import Contract, System


class SystemTable(PhaseoutTable):
    name = tables.Column(linkify=True, verbose_name="Name")
    fisma_id = tables.Column(verbose_name="FISMA system ID")
    agency = tables.Column(accessor="agency__abbreviation", verbose_name="Agency", order_by="agency__name")
    directive = tables.Column(accessor="directive__short_name", verbose_name="Directive")
    status = tables.Column(verbose_name="Status")
    dependency_kind = tables.Column(verbose_name="Dependency kind")
    criticality = tables.Column(verbose_name="Criticality")
    network = tables.Column(verbose_name="Network")
    national_security_system = tables.BooleanColumn(verbose_name="NSS")
    removal_deadline = IsoDateColumn(verbose_name="Removal deadline")
    days_left = tables.Column(
        verbose_name="Days left", accessor="removal_deadline", order_by="removal_deadline", empty_values=()
    )
    covered_products = tables.ManyToManyColumn(verbose_name="Covered products", orderable=False)
    depends_on = tables.ManyToManyColumn(
        verbose_name="Depends on", transform=lambda system: system.fisma_id, orderable=False
    )
    owner_name = tables.Column(verbose_name="System owner")
    owner_email = tables.Column(verbose_name="Owner email")
    contacts = tables.Column(verbose_name="Contacts", orderable=False)
    mission_function = tables.Column(verbose_name="Mission function")
    environment = tables.Column(verbose_name="Environment")
    user_count = tables.Column(verbose_name="Users, seats or endpoints")
    identification_method = tables.Column(verbose_name="Identification method")
    replacement = tables.Column(verbose_name="Replacement chosen")
    cost_estimate = tables.Column(verbose_name="Cost estimate (USD)")

    default_columns = (
        "name",
        "fisma_id",
        "agency",
        "status",
        "dependency_kind",
        "criticality",
        "network",
        "removal_deadline",
        "days_left",
    )

    class Meta(PhaseoutTable.Meta):
        model = System
        fields = ()
        sequence = ("name", "fisma_id", "...")

    def render_days_left(self, record: System) -> str:
        days = self.value_days_left(record)
        if days == "":
            return "—"
        if record.is_done:
            return "done"
        return f"{days} overdue" if days < 0 else str(days)

    def value_days_left(self, record: System):
        days = record.days_left(timezone.localdate())
        return "" if days is None else days

    def value_national_security_system(self, record: System) -> str:
        return yes_no(record.national_security_system)

    def value_covered_products(self, record: System) -> str:
        return joined(str(product) for product in record.covered_products.all())

    def value_depends_on(self, record: System) -> str:
        return joined(other.fisma_id for other in record.depends_on.all())


class ContractTable(PhaseoutTable):
    contract_number = tables.Column(linkify=True, verbose_name="Contract number")
    order_number = tables.Column(verbose_name="Order number")
    agency = tables.Column(accessor="agency__abbreviation", verbose_name="Agency", order_by="agency__name")
    vehicle = tables.Column(verbose_name="Vehicle")
    vendor_name = tables.Column(verbose_name="Vendor")
    vendor_uei = tables.Column(verbose_name="Vendor UEI")
    vendor_cage = tables.Column(verbose_name="Vendor CAGE code")
    value = tables.Column(verbose_name="Value (USD)")
    option_date = IsoDateColumn(verbose_name="Next option date")
    renewal_date = IsoDateColumn(verbose_name="Renewal date")
    end_date = IsoDateColumn(verbose_name="Period of performance end")
    contracting_officer = tables.Column(verbose_name="Contracting officer")
    contracting_officer_email = tables.Column(verbose_name="Contracting officer email")
    systems = tables.ManyToManyColumn(
        verbose_name="Systems (FISMA IDs)", transform=lambda system: system.fisma_id, orderable=False
    )

    default_columns = (
        "contract_number",
        "order_number",
        "agency",
        "vehicle",
        "vendor_name",
        "value",
        "option_date",
        "contracting_officer",
        "systems",
    )

    class Meta(PhaseoutTable.Meta):
        model = Contract
        fields = ()

    def value_systems(self, record: Contract) -> str:
        return joined(system.fisma_id for system in record.systems.all())
