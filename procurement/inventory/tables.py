"""Tables for the inventory lists. Export reuses them, so screen and file agree."""

from collections.abc import Callable

import django_tables2 as tables
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html

from procurement.core.addresses import address_for_each
from procurement.core.export_columns import ExportContext, LinkedValues, days_until, field, linked, money, yes_no
from procurement.core.tables import ChoiceColumn, IsoDateColumn, MoneyColumn, PhaseoutTable, YesNoColumn
from procurement.inventory.models import Contract, Product, System


def covered_product_names(context: ExportContext) -> LinkedValues:
    """Each system's products as the screen names them ("Vendor Product"), in their order."""
    value = Concat("vendor__name", Value(" "), "name")
    return LinkedValues(Product.objects.all(), "systems", value, ordering=("vendor__name", "name"))


def visible_depends_on(context: ExportContext) -> LinkedValues:
    """FISMA IDs of the systems each system depends on, only those the user may see."""
    return LinkedValues(System.objects.for_user(context.user), "depended_by", "fisma_id", ordering=("name", "pk"))


def visible_contract_systems(context: ExportContext) -> LinkedValues:
    """FISMA IDs of each contract's systems, only those the user may see."""
    return LinkedValues(System.objects.for_user(context.user), "contracts", "fisma_id", ordering=("name", "pk"))


def overdue_text(days: int) -> str:
    """How long past its deadline an open system is, said once: "88 days overdue"."""
    return "1 day overdue" if days == 1 else f"{days} days overdue"


class SystemTable(PhaseoutTable):
    select = tables.Column(accessor="pk", verbose_name="Select", orderable=False, empty_values=())
    name = tables.Column(verbose_name="Name")  # a link to the system's page (`render_name`)
    fisma_id = tables.Column(verbose_name="FISMA system ID")
    agency = tables.Column(accessor="agency__abbreviation", verbose_name="Agency", order_by="agency__name")
    directive = tables.Column(accessor="directive__short_name", verbose_name="Directive")
    status = ChoiceColumn("status", tag=True, verbose_name="Status")
    dependency_kind = ChoiceColumn("dependency_kind", verbose_name="Dependency kind")
    criticality = ChoiceColumn("criticality", tag=True, verbose_name="Criticality")
    network = ChoiceColumn("network", verbose_name="Network")
    national_security_system = YesNoColumn(verbose_name="NSS")
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
    identification_method = ChoiceColumn("identification_method", verbose_name="Identification method")
    replacement = tables.Column(verbose_name="Replacement chosen")
    cost_estimate = MoneyColumn(verbose_name="Cost estimate (USD)")

    # Fits a 1280-pixel screen beside the filters without sideways scrolling
    # (tests/browser/test_lists_in_browser.py); network and the rest are a click away.
    default_columns = (
        "name",
        "fisma_id",
        "agency",
        "status",
        "criticality",
        "dependency_kind",
        "removal_deadline",
        "days_left",
    )

    export_columns = {
        "name": field("name"),
        "fisma_id": field("fisma_id"),
        "agency": field("agency__abbreviation"),
        "directive": field("directive__short_name"),
        "status": field("status"),
        "dependency_kind": field("dependency_kind"),
        "criticality": field("criticality"),
        "network": field("network"),
        "national_security_system": yes_no("national_security_system"),
        "removal_deadline": field("removal_deadline"),
        "days_left": days_until("removal_deadline"),
        "covered_products": linked(covered_product_names),
        "depends_on": linked(visible_depends_on),
        "owner_name": field("owner_name"),
        "owner_email": field("owner_email"),
        "contacts": field("contacts"),
        "mission_function": field("mission_function"),
        "environment": field("environment"),
        "user_count": field("user_count"),
        "identification_method": field("identification_method"),
        "replacement": field("replacement"),
        "cost_estimate": money("cost_estimate"),
    }

    page_columns = ("select",)

    class Meta(PhaseoutTable.Meta):
        model = System
        fields = ()
        sequence = ("select", "name", "fisma_id", "...")

    def render_select(self, record: System) -> str:
        """A checkbox of the bulk-action form (which sits outside the table, hence `form=`)."""
        return format_html(
            '<input class="phaseout-select" type="checkbox" name="ids" value="{}" form="bulk-form" '
            'aria-label="Select {}">',
            record.pk,
            record.name,
        )

    def render_name(self, value: str, record: System) -> str:
        """The name linked to the system's page, as `linkify=True` wrote it.

        linkify reversed the detail URL for every row (a third of the rows' time); the
        address is worked out once per table and each row's id put in.
        """
        return format_html('<a href="{}">{}</a>', self.system_address(record.pk), value)

    @cached_property
    def system_address(self) -> Callable[[int], str]:
        return address_for_each("inventory:system-detail")

    @cached_property
    def today(self):
        """Today, read once per table rather than once per row's "days left"."""
        return timezone.localdate()

    def render_days_left(self, record: System) -> str:
        days = self.value_days_left(record)
        if days == "":
            return "—"
        if record.is_done:
            return "done"
        return overdue_text(-days) if days < 0 else str(days)

    def value_days_left(self, record: System):
        days = record.days_left(self.today)
        return "" if days is None else days


class ContractTable(PhaseoutTable):
    contract_number = tables.Column(linkify=True, verbose_name="Contract number")
    order_number = tables.Column(verbose_name="Order number")
    agency = tables.Column(accessor="agency__abbreviation", verbose_name="Agency", order_by="agency__name")
    vehicle = tables.Column(verbose_name="Vehicle")
    vendor_name = tables.Column(verbose_name="Vendor")
    vendor_uei = tables.Column(verbose_name="Vendor UEI")
    vendor_cage = tables.Column(verbose_name="Vendor CAGE code")
    value = MoneyColumn(verbose_name="Value (USD)")
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

    export_columns = {
        "contract_number": field("contract_number"),
        "order_number": field("order_number"),
        "agency": field("agency__abbreviation"),
        "vehicle": field("vehicle"),
        "vendor_name": field("vendor_name"),
        "vendor_uei": field("vendor_uei"),
        "vendor_cage": field("vendor_cage"),
        "value": money("value"),
        "option_date": field("option_date"),
        "renewal_date": field("renewal_date"),
        "end_date": field("end_date"),
        "contracting_officer": field("contracting_officer"),
        "contracting_officer_email": field("contracting_officer_email"),
        "systems": linked(visible_contract_systems),
    }

    class Meta(PhaseoutTable.Meta):
        model = Contract
        fields = ()
