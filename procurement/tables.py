"""Tables for the inventory lists. Export reuses them, so screen and file agree."""

import django_tables2 as tables
from django.utils import timezone

from procurement.models import Contract, System


class PhaseoutTable(tables.Table):
    """Common look and column choice for every list.

    `default_columns` are shown when the user has not chosen; `export_value`
    gives the plain value written to CSV/XLSX for a column.
    """

    default_columns: tuple[str, ...] = ()

    class Meta:
        template_name = "tables/table.html"
        attrs = {"class": "usa-table usa-table--striped usa-table--compact usa-table--borderless width-full"}
        empty_text = "Nothing matches these filters."

    @property
    def order_by(self):
        return tables.Table.order_by.fget(self)

    @order_by.setter
    def order_by(self, value) -> None:
        """Sorts as asked, then by id, so OFFSET pages neither repeat nor skip rows."""
        tables.Table.order_by.fset(self, value)
        queryset = getattr(self.data, "data", None)
        if queryset is not None and queryset.query.order_by and "pk" not in queryset.query.order_by:
            self.data.data = queryset.order_by(*queryset.query.order_by, "pk")

    def choosable_columns(self) -> list[tuple[str, str]]:
        return [(column.name, str(column.header)) for column in self.columns.all()]

    def show_only(self, names: list[str]) -> None:
        chosen = set(names) or set(self.default_columns)
        for column in self.columns.all():
            if column.name in chosen:
                self.columns.show(column.name)
            else:
                self.columns.hide(column.name)

    def visible_column_names(self) -> list[str]:
        return [column.name for column in self.columns.all() if column.visible]


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def joined(values) -> str:
    return "; ".join(values)


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
    removal_deadline = tables.DateColumn(verbose_name="Removal deadline", format="Y-m-d")
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
    option_date = tables.DateColumn(verbose_name="Next option date", format="Y-m-d")
    renewal_date = tables.DateColumn(verbose_name="Renewal date", format="Y-m-d")
    end_date = tables.DateColumn(verbose_name="Period of performance end", format="Y-m-d")
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
