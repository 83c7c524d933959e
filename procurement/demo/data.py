"""The demo data file, `data/demo.toml`, read into frozen specs for the loader in `services`.

Reading is strict on purpose. A typo in a choice would otherwise be saved as an invalid
value (or silently match nothing), and a misspelt key would be ignored and load a quietly
different demo. So every choice goes through its enum in `procurement.inventory.enums`,
every reference (a component's department, a use case's product, a user's agency) must
resolve, and a missing or unknown key stops the load. Each `DemoDataError` names the file,
the key's path in it, the bad value and what was allowed, e.g.
`demo.toml: agencies[3].agency_type: "defence" is not one of civilian, defense, intelligence`.
"""

from __future__ import annotations

import datetime
import functools
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources

from django.db.models import TextChoices

from planner.enums import TeamKind
from procurement.compliance.enums import OfficialKind, ReportLayout, WaiverCategory
from procurement.demo.toml_reader import DemoDataError, Table, one_of, show
from procurement.inventory.enums import (
    AgencyType,
    Criticality,
    DependencyKind,
    IdentificationMethod,
    Network,
    Role,
    SystemStatus,
)
from procurement.inventory.services import ScopeRuleSpec

DATA_FILE = "demo.toml"

Weights = Mapping[str, int]


# --- Specs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectiveSpec:
    """The directive the demo phases out, with the scope of its first revision."""

    short_name: str
    title: str
    issuing_authority: str
    issued_on: datetime.date
    identify_offset_days: int
    plan_offset_days: int
    status_report_interval_days: int
    exception_max_days: int
    exception_max_extensions: int
    revision_summary: str
    scope_rules: tuple[ScopeRuleSpec, ...]


@dataclass(frozen=True)
class VendorSpec:
    """The covered vendor and the products the directive names."""

    name: str
    uei: str
    cage_code: str
    products: tuple[str, ...]


@dataclass(frozen=True)
class People:
    """Names that generated owners, contacts and officials are drawn from."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    attesting_official_title: str
    system_contact_role: str


@dataclass(frozen=True)
class AgencySpec:
    """A demo department or component, with what its systems are named after."""

    name: str
    abbreviation: str
    agency_type: AgencyType
    email_domain: str
    system_prefix: str  # how the agency names its systems, e.g. "Army"
    office_code: str  # made-up contracting office code used in order numbers
    system_count: int
    mission_areas: tuple[str, ...]
    parent: str = ""  # abbreviation of the department; blank for a department


@dataclass(frozen=True)
class UseCase:
    """A kind of AI use an agency builds on the covered products."""

    label: str
    purpose: str  # "{area}" is replaced by the mission area
    product: str
    dependency_kinds: tuple[DependencyKind, ...]
    paired_product: str = ""  # a product some of these systems also use


@dataclass(frozen=True)
class SystemTables:
    """The weights, shares and ranges demo systems are drawn with."""

    classified_networks: tuple[Network, ...]
    depends_on_share: float
    unclassified_national_security_share: float
    early_replacement_share: float
    single_product_share: float
    developer_tool_user_count: tuple[int, int]
    user_count_exponent: tuple[float, float]
    dependency_weights: Mapping[str, Weights]  # by agency type
    network_weights: Mapping[str, Weights]  # by agency type
    classified_criticality_weights: Weights
    unclassified_criticality_weights: Weights
    environments: Mapping[str, tuple[str, ...]]  # by network
    identification_weights: Weights
    status_weights: Weights
    replacements: Mapping[str, tuple[str, ...]]  # by dependency kind
    cost_ranges: Mapping[str, tuple[int, int]]  # by dependency kind, thousands of dollars


@dataclass(frozen=True)
class ContractTables:
    """How demo contracts are drawn: how many, which vehicle, what value and dates."""

    systems_per_contract: int
    max_systems: int
    value_thousands: tuple[int, int]
    first_option_date: datetime.date
    option_window_days: int
    term_days: tuple[int, int]
    renewal_share: float
    order_number: str  # template with {office_code} and {sequence}
    contract_number: str  # same, for a standalone contract
    vehicle_weights: Weights
    vehicle_contract_numbers: Mapping[str, str]


@dataclass(frozen=True)
class DemoUser:
    """A sign-in for one role, with what it lets the demo show."""

    username: str
    first_name: str
    last_name: str
    email: str
    can_do: str
    agency: str = ""
    role: str = ""
    is_oversight: bool = False
    is_superuser: bool = False


@dataclass(frozen=True)
class TeamSpec:
    agency: str
    kind: str
    name: str
    head_count: int


@dataclass(frozen=True)
class CapacityChangeSpec:
    team: str
    starts_on: datetime.date
    head_count: int
    note: str


@dataclass(frozen=True)
class FreezeSpec:
    agency: str
    starts_on: datetime.date
    ends_on: datetime.date
    reason: str


@dataclass(frozen=True)
class PlanningSpec:
    """Teams, their capacity changes and freeze windows; the first plan's search time per department."""

    first_plan_seconds: int
    teams: tuple[TeamSpec, ...]
    capacity_changes: tuple[CapacityChangeSpec, ...]
    freezes: tuple[FreezeSpec, ...]


@dataclass(frozen=True)
class OfficialSpec:
    username: str
    agency: str
    kind: str  # compliance.enums.OfficialKind


@dataclass(frozen=True)
class WaiverSpec:
    """A demo waiver on the agency's first open system (FISMA ID order); approved_by blank: left requested."""

    agency: str
    requested_by: str
    approved_by: str
    category: str
    justification: str
    alternatives_considered: str
    compensating_mitigations: str
    phase_out_plan: str
    days: int  # requested end: this many days after the load


@dataclass(frozen=True)
class ComplianceSpec:
    """The directive's policy, who signs for which agency, and sample waivers."""

    allowed_categories: tuple[str, ...]
    begin_removal_offset_days: int
    report_layout: str
    officials: tuple[OfficialSpec, ...]
    waivers: tuple[WaiverSpec, ...]


@dataclass(frozen=True)
class DemoData:
    """The whole demo data set, as read and checked from the data file."""

    seed: int
    password: str
    directive: DirectiveSpec
    vendor: VendorSpec
    people: People
    agencies: tuple[AgencySpec, ...]  # each department before its components
    use_cases: tuple[UseCase, ...]
    systems: SystemTables
    contracts: ContractTables
    users: tuple[DemoUser, ...]
    planning: PlanningSpec | None = None
    compliance: ComplianceSpec | None = None

    @functools.cached_property
    def _agencies_by_abbreviation(self) -> Mapping[str, AgencySpec]:
        return {agency.abbreviation: agency for agency in self.agencies}

    @property
    def abbreviations(self) -> list[str]:
        return [agency.abbreviation for agency in self.agencies]

    def agency(self, abbreviation: str) -> AgencySpec:
        return self._agencies_by_abbreviation[abbreviation]

    def department_of(self, agency: AgencySpec) -> AgencySpec:
        return self.agency(agency.parent) if agency.parent else agency

    @property
    def superuser(self) -> DemoUser:
        """The loader's user: it creates systems and contracts (the reader requires one)."""
        return next(user for user in self.users if user.is_superuser)

    def transition_lead_of(self, department: str) -> DemoUser | None:
        leads = (user for user in self.users if user.agency == department and user.role == Role.TRANSITION_LEAD)
        return next(leads, None)


# --- Reading ---------------------------------------------------------------------------


@functools.cache
def demo_data() -> DemoData:
    """The shipped data set, read and checked once per process."""
    text = resources.files("procurement.demo").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return parse_demo_data(text, source=DATA_FILE)


def parse_demo_data(text: str, source: str = "<string>") -> DemoData:
    """Reads a data set from TOML text; `source` names it in error messages."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DemoDataError(f"{source}: not valid TOML: {error}") from error
    return read_demo_data(document, source)


def read_demo_data(document: Mapping[str, object], source: str = "<data>") -> DemoData:
    """Reads a data set from an already parsed TOML document."""
    root = Table(source, "", dict(document))
    data = _read_demo(root)
    root.finish()
    _check_references(data, source)
    return data


def _read_demo(table: Table) -> DemoData:
    return DemoData(
        seed=table.integer("seed"),
        password=table.text("password"),
        directive=table.table("directive", _read_directive),
        vendor=table.table("vendor", _read_vendor),
        people=table.table("people", _read_people),
        agencies=table.tables("agencies", _read_agency),
        use_cases=table.tables("use_cases", _read_use_case),
        systems=table.table("systems", _read_system_tables),
        contracts=table.table("contracts", _read_contract_tables),
        users=table.tables("users", _read_user),
        planning=table.table("planning", _read_planning) if "planning" in table.values else None,
        compliance=table.table("compliance", _read_compliance) if "compliance" in table.values else None,
    )


def _read_compliance(table: Table) -> ComplianceSpec:
    return ComplianceSpec(
        allowed_categories=table.choices("allowed_categories", WaiverCategory),
        begin_removal_offset_days=table.integer("begin_removal_offset_days"),
        report_layout=table.choice("report_layout", ReportLayout),
        officials=table.tables("officials", _read_official),
        waivers=table.tables("waivers", _read_waiver),
    )


def _read_official(table: Table) -> OfficialSpec:
    return OfficialSpec(
        username=table.text("username"), agency=table.text("agency"), kind=table.choice("kind", OfficialKind)
    )


def _read_waiver(table: Table) -> WaiverSpec:
    return WaiverSpec(
        agency=table.text("agency"),
        requested_by=table.text("requested_by"),
        approved_by=table.text("approved_by", default=""),
        category=table.choice("category", WaiverCategory),
        justification=table.text("justification"),
        alternatives_considered=table.text("alternatives_considered"),
        compensating_mitigations=table.text("compensating_mitigations"),
        phase_out_plan=table.text("phase_out_plan"),
        days=table.integer("days", minimum=1),
    )


def _read_planning(table: Table) -> PlanningSpec:
    return PlanningSpec(
        first_plan_seconds=table.integer("first_plan_seconds", minimum=1),
        teams=table.tables("teams", _read_team),
        capacity_changes=table.tables("capacity_changes", _read_capacity_change),
        freezes=table.tables("freezes", _read_freeze),
    )


def _read_team(table: Table) -> TeamSpec:
    return TeamSpec(
        agency=table.text("agency"),
        kind=table.choice("kind", TeamKind),
        name=table.text("name"),
        head_count=table.integer("head_count", minimum=1),
    )


def _read_capacity_change(table: Table) -> CapacityChangeSpec:
    return CapacityChangeSpec(
        team=table.text("team"),
        starts_on=table.date("starts_on"),
        head_count=table.integer("head_count"),
        note=table.text("note"),
    )


def _read_freeze(table: Table) -> FreezeSpec:
    return FreezeSpec(
        agency=table.text("agency"),
        starts_on=table.date("starts_on"),
        ends_on=table.date("ends_on"),
        reason=table.text("reason"),
    )


def _read_directive(table: Table) -> DirectiveSpec:
    return DirectiveSpec(
        short_name=table.text("short_name"),
        title=table.text("title"),
        issuing_authority=table.text("issuing_authority"),
        issued_on=table.date("issued_on"),
        identify_offset_days=table.integer("identify_offset_days"),
        plan_offset_days=table.integer("plan_offset_days"),
        status_report_interval_days=table.integer("status_report_interval_days", minimum=1),
        exception_max_days=table.integer("exception_max_days"),
        exception_max_extensions=table.integer("exception_max_extensions"),
        revision_summary=table.text("revision_summary"),
        scope_rules=table.tables("scope_rules", _read_scope_rule),
    )


def _read_scope_rule(table: Table) -> ScopeRuleSpec:
    return ScopeRuleSpec(
        description=table.text("description"),
        removal_offset_days=table.integer("removal_offset_days"),
        agency_type=table.choice("agency_type", AgencyType, default=""),
        dependency_kind=table.choice("dependency_kind", DependencyKind, default=""),
        national_security_system=table.flag("national_security_system", default=None),
    )


def _read_vendor(table: Table) -> VendorSpec:
    return VendorSpec(
        name=table.text("name"),
        uei=table.text("uei"),
        cage_code=table.text("cage_code"),
        products=table.texts("products"),
    )


def _read_people(table: Table) -> People:
    return People(
        first_names=table.texts("first_names"),
        last_names=table.texts("last_names"),
        attesting_official_title=table.text("attesting_official_title"),
        system_contact_role=table.text("system_contact_role"),
    )


def _read_agency(table: Table) -> AgencySpec:
    return AgencySpec(
        name=table.text("name"),
        abbreviation=table.text("abbreviation"),
        parent=table.text("parent", default=""),
        agency_type=table.choice("agency_type", AgencyType),
        email_domain=table.text("email_domain"),
        system_prefix=table.text("system_prefix"),
        office_code=table.text("office_code"),
        system_count=table.integer("system_count"),
        mission_areas=table.texts("mission_areas"),
    )


def _read_use_case(table: Table) -> UseCase:
    return UseCase(
        label=table.text("label"),
        purpose=table.template("purpose", area="area"),
        product=table.text("product"),
        dependency_kinds=table.choices("dependency_kinds", DependencyKind),
        paired_product=table.text("paired_product", default=""),
    )


def _read_system_tables(table: Table) -> SystemTables:
    classified, unclassified = table.table("criticality_weights", _read_criticality_weights)
    return SystemTables(
        classified_networks=table.choices("classified_networks", Network),
        depends_on_share=table.share("depends_on_share"),
        unclassified_national_security_share=table.share("unclassified_national_security_share"),
        early_replacement_share=table.share("early_replacement_share"),
        single_product_share=table.share("single_product_share"),
        developer_tool_user_count=table.integer_range("developer_tool_user_count"),
        user_count_exponent=table.number_range("user_count_exponent"),
        dependency_weights=table.mapping("dependency_weights", _weights_of(DependencyKind), AgencyType),
        network_weights=table.mapping("network_weights", _weights_of(Network), AgencyType),
        classified_criticality_weights=classified,
        unclassified_criticality_weights=unclassified,
        environments=table.mapping("environments", Table.texts, Network),
        identification_weights=table.mapping("identification_weights", _weight, IdentificationMethod),
        status_weights=table.mapping("status_weights", _weight, SystemStatus),
        replacements=table.mapping("replacements", Table.texts, DependencyKind),
        cost_ranges=table.mapping("cost_ranges", Table.integer_range, DependencyKind),
    )


def _read_criticality_weights(table: Table) -> tuple[Weights, Weights]:
    """Criticality leans high on classified networks; keyed `classified` and `unclassified`."""
    return (
        table.mapping("classified", _weight, Criticality),
        table.mapping("unclassified", _weight, Criticality),
    )


def _read_contract_tables(table: Table) -> ContractTables:
    return ContractTables(
        systems_per_contract=table.integer("systems_per_contract", minimum=1),
        max_systems=table.integer("max_systems", minimum=1),
        value_thousands=table.integer_range("value_thousands"),
        first_option_date=table.date("first_option_date"),
        option_window_days=table.integer("option_window_days"),
        term_days=table.integer_range("term_days"),
        renewal_share=table.share("renewal_share"),
        order_number=table.template("order_number", office_code="X", sequence=1),
        contract_number=table.template("contract_number", office_code="X", sequence=1),
        vehicle_weights=table.mapping("vehicle_weights", _weight),
        vehicle_contract_numbers=table.mapping("vehicle_contract_numbers", Table.text),
    )


def _read_user(table: Table) -> DemoUser:
    return DemoUser(
        username=table.text("username"),
        first_name=table.text("first_name"),
        last_name=table.text("last_name"),
        email=table.text("email"),
        can_do=table.text("can_do"),
        agency=table.text("agency", default=""),
        role=table.choice("role", Role, default=""),
        is_oversight=table.flag("is_oversight", default=False),
        is_superuser=table.flag("is_superuser", default=False),
    )


def _weight(table: Table, key: str) -> int:
    return table.integer(key)


def _weights_of(choices: type[TextChoices]) -> Callable[[Table, str], Weights]:
    """Reads a nested weights table (e.g. one agency type's network weights) keyed by `choices`."""

    def read(table: Table, key: str) -> Weights:
        return table.mapping(key, _weight, choices)

    return read


# --- References ------------------------------------------------------------------------
#
# The specs name each other by text (a component's parent, a use case's product, a user's
# agency) and the generator looks its tables up by choice; a name that resolves to nothing
# would fail deep inside the load, or quietly (a misspelt parent made a department).


def _check_references(data: DemoData, source: str) -> None:
    _check_agencies(data, source)
    _check_system_counts(data, source)
    _check_use_cases(data, source)
    _check_users(data, source)
    _check_system_tables(data, source)
    _check_contract_tables(data, source)
    _check_planning(data, source)


def _check_planning(data: DemoData, source: str) -> None:
    """Teams and freezes name agencies of the file; capacity changes name its teams."""
    if data.planning is None:
        return
    abbreviations = set(data.abbreviations)
    for key, rows in (("teams", data.planning.teams), ("freezes", data.planning.freezes)):
        for index, row in enumerate(rows):
            if row.agency not in abbreviations:
                message = f"{show(row.agency)} is not an agency of the file"
                raise _fail(source, f"planning.{key}[{index}].agency", message)
    names = {team.name for team in data.planning.teams}
    for index, change in enumerate(data.planning.capacity_changes):
        if change.team not in names:
            raise _fail(source, f"planning.capacity_changes[{index}].team", f"{show(change.team)} is not a team above")
    for index, freeze in enumerate(data.planning.freezes):
        if freeze.ends_on < freeze.starts_on:
            raise _fail(source, f"planning.freezes[{index}].ends_on", "ends before it starts")


def _fail(source: str, where: str, message: str) -> DemoDataError:
    return DemoDataError(f"{source}: {where}: {message}")


def _check_agencies(data: DemoData, source: str) -> None:
    """Abbreviations are unique; a component follows its department and shares its agency type."""
    departments: dict[str, AgencySpec] = {}
    seen: set[str] = set()
    for index, agency in enumerate(data.agencies):
        where = f"agencies[{index}]"
        if agency.abbreviation in seen:
            raise _fail(source, f"{where}.abbreviation", f"{show(agency.abbreviation)} appears twice")
        seen.add(agency.abbreviation)
        if not agency.parent:
            departments[agency.abbreviation] = agency
            continue
        department = departments.get(agency.parent)
        if department is None:
            message = f"{show(agency.parent)} is not an earlier department (one of {one_of(departments)})"
            raise _fail(source, f"{where}.parent", message)
        if department.agency_type != agency.agency_type:
            message = f"{show(agency.agency_type)} differs from its department's {show(department.agency_type)}"
            raise _fail(source, f"{where}.agency_type", message)


def _check_system_counts(data: DemoData, source: str) -> None:
    """Each system pairs one mission area with one use case, so more systems than pairs would be dropped."""
    for index, agency in enumerate(data.agencies):
        pairs = len(agency.mission_areas) * len(data.use_cases)
        if agency.system_count > pairs:
            message = f"{agency.system_count} is more than its mission areas times the use cases ({pairs})"
            raise _fail(source, f"agencies[{index}].system_count", message)


def _check_use_cases(data: DemoData, source: str) -> None:
    products = data.vendor.products
    for index, use_case in enumerate(data.use_cases):
        for key in ("product", "paired_product"):
            name = getattr(use_case, key)
            if name and name not in products:
                message = f"{show(name)} is not one of the vendor's products ({one_of(products)})"
                raise _fail(source, f"use_cases[{index}].{key}", message)


def _check_users(data: DemoData, source: str) -> None:
    """Members belong to a demo agency; one superuser is the loader's user."""
    for index, user in enumerate(data.users):
        if user.agency and user.agency not in data.abbreviations:
            message = f"{show(user.agency)} is not one of {one_of(data.abbreviations)}"
            raise _fail(source, f"users[{index}].agency", message)
        if bool(user.agency) != bool(user.role):
            raise _fail(source, f"users[{index}]", "a member needs both `agency` and `role` (or neither)")
    if not any(user.is_superuser for user in data.users):
        raise _fail(source, "users", "one user needs `is_superuser = true`: the loader acts as that user")


def _check_system_tables(data: DemoData, source: str) -> None:
    """Each table covers every value the generator will look up in it."""
    tables = data.systems
    agency_types = {agency.agency_type for agency in data.agencies}
    kinds = {kind for use_case in data.use_cases for kind in use_case.dependency_kinds}
    networks = {network for weights in tables.network_weights.values() for network in weights}
    for key in ("dependency_weights", "network_weights"):
        _require_keys(source, f"systems.{key}", getattr(tables, key), agency_types, "an agency's agency_type")
    for agency_type in sorted(agency_types):
        where = f"systems.dependency_weights.{agency_type}"
        _require_keys(source, where, tables.dependency_weights[agency_type], kinds, "a use case's dependency_kinds")
    _require_keys(source, "systems.environments", tables.environments, networks, "systems.network_weights")
    _require_keys(source, "systems.replacements", tables.replacements, kinds, "a use case's dependency_kinds")
    _require_keys(source, "systems.cost_ranges", tables.cost_ranges, kinds, "a use case's dependency_kinds")


def _check_contract_tables(data: DemoData, source: str) -> None:
    tables = data.contracts
    for vehicle in tables.vehicle_contract_numbers:
        if vehicle not in tables.vehicle_weights:
            message = f"{show(vehicle)} is not one of the vehicles ({one_of(tables.vehicle_weights)})"
            raise _fail(source, "contracts.vehicle_contract_numbers", message)


def _require_keys(source: str, where: str, table: Mapping[str, object], needed: set[str], needed_by: str) -> None:
    missing = sorted(needed - set(table))
    if missing:
        raise _fail(source, where, f"missing required key {show(missing[0])} (used in {needed_by})")
