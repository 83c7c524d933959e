"""Demo data: the February 2026 directive, six departments and their AI systems.

`load_demo()` builds a realistic, fictional inventory for demonstrations and manual
testing; `load_scale_systems(count)` adds synthetic systems for scale tests. The data
(directive, vendor, agencies, names, use cases, weight tables, users) is in
`data/demo.toml`, read and checked by `procurement.demo.data`; this module only draws
and saves. Both loads are deterministic (seeded `random.Random`) and idempotent: rows
are looked up by their natural keys (agency abbreviation, FISMA ID, contract and order
number, username) and only missing ones are created, so a second run changes nothing
except resetting the demo users' passwords and memberships.

Removal deadlines are never typed in: demo systems are saved through
`services.system_save`, which derives them from the directive's scope rules, and the
scale loader calls `directive_refresh_deadlines` once after its bulk inserts.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth.password_validation import validate_password
from django.db import connection, transaction

from procurement.demo.compliance import ensure_compliance
from procurement.demo.data import (
    AgencySpec,
    ContractTables,
    DemoData,
    DemoUser,
    DirectiveSpec,
    People,
    SystemTables,
    UseCase,
    VendorSpec,
    demo_data,
)
from procurement.demo.planning import ensure_first_plans, ensure_planning
from procurement.inventory import workflow
from procurement.inventory.enums import AgencyType, Criticality, DependencyKind, SystemStatus
from procurement.inventory.models import Agency, Contract, Directive, Membership, Product, System, User, Vendor
from procurement.inventory.services import (
    contract_save,
    directive_refresh_deadlines,
    directive_revise,
    system_save,
    system_transition,
)

SCALE_PREFIX = "SCALE-"
SCALE_BATCH_SIZE = 5_000
SCALE_MAX_SYSTEMS = 1_000_000

# A system past assessment has an estimated cost; once its plan is approved, a replacement.
COSTED_FROM = workflow.STEPS.index(SystemStatus.ASSESSED)
REPLACEMENT_FROM = workflow.STEPS.index(SystemStatus.PLAN_APPROVED)

# Names the command and tests read from this module since before the data file; they are
# looked up on first use, not at import, so a mistake in the file is reported by the load.
_FROM_DATA: dict[str, Callable[[DemoData], object]] = {
    "DEMO_PASSWORD": lambda data: data.password,
    "DEMO_SEED": lambda data: data.seed,
    "DIRECTIVE_SHORT_NAME": lambda data: data.directive.short_name,
    "VENDOR_NAME": lambda data: data.vendor.name,
    "VENDOR_UEI": lambda data: data.vendor.uei,
    "VENDOR_CAGE": lambda data: data.vendor.cage_code,
}


def __getattr__(name: str) -> object:
    if name in _FROM_DATA:
        return _FROM_DATA[name](demo_data())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- Drawing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    def contact_line(self, role: str) -> str:
        return f"{role}: {self.name} <{self.email}>"


def random_person(rng: random.Random, people: People, email_domain: str) -> Person:
    first, last = rng.choice(people.first_names), rng.choice(people.last_names)
    return Person(f"{first} {last}", f"{first.lower()}.{last.lower()}@{email_domain}")


def weighted(rng: random.Random, weights: Mapping[str, int]) -> str:
    population, cumulative_weights = cumulative(weights)
    return rng.choices(population, cum_weights=cumulative_weights)[0]


@functools.cache
def _cumulative(items: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return [value for value, _ in items], list(itertools.accumulate(weight for _, weight in items))


def cumulative(weights: Mapping[str, int]) -> tuple[list[str], list[int]]:
    """Population and cumulative weights for `random.choices`, computed once per table."""
    return _cumulative(tuple(weights.items()))


# --- Systems ---------------------------------------------------------------------------


@dataclass
class SystemSpec:
    """Everything about one demo system, decided before anything is written."""

    agency: str
    fisma_id: str
    name: str
    mission_function: str
    owner: Person
    contacts: str
    criticality: str
    environment: str
    network: str
    national_security_system: bool
    dependency_kind: str
    products: tuple[str, ...]
    user_count: int
    identification_method: str
    replacement: str
    cost_estimate: Decimal | None
    status: str
    depends_on: tuple[str, ...] = ()


def system_specs(rng: random.Random, data: DemoData) -> list[SystemSpec]:
    """All demo systems, agency by agency, with depends-on links inside each department."""
    specs: list[SystemSpec] = []
    by_department: dict[str, list[str]] = {}
    for agency in data.agencies:
        earlier = by_department.setdefault(data.department_of(agency).abbreviation, [])
        for spec in agency_system_specs(rng, data, agency):
            if earlier and rng.random() < data.systems.depends_on_share:
                spec.depends_on = (rng.choice(earlier),)
            earlier.append(spec.fisma_id)
            specs.append(spec)
    return specs


def agency_system_specs(rng: random.Random, data: DemoData, agency: AgencySpec) -> Iterator[SystemSpec]:
    pairs = [(area, use_case) for area in agency.mission_areas for use_case in data.use_cases]
    rng.shuffle(pairs)
    for number, (area, use_case) in enumerate(pairs[: agency.system_count], start=1):
        yield system_spec(rng, data, agency, f"{agency.abbreviation}-{number:04d}", area, use_case)


def system_spec(
    rng: random.Random, data: DemoData, agency: AgencySpec, fisma_id: str, area: str, use_case: UseCase
) -> SystemSpec:
    """One system; the draws happen in this order, which the demo's values depend on."""
    tables = data.systems
    kind_weights = tables.dependency_weights[agency.agency_type]
    kind = weighted(rng, {kind: kind_weights[kind] for kind in use_case.dependency_kinds})
    network = weighted(rng, tables.network_weights[agency.agency_type])
    status = weighted(rng, tables.status_weights)
    progress = workflow.STEPS.index(status)
    owner = random_person(rng, data.people, agency.email_domain)
    return SystemSpec(
        agency=agency.abbreviation,
        fisma_id=fisma_id,
        name=f"{agency.system_prefix} {area} {use_case.label}",
        mission_function=use_case.purpose.format(area=area.lower()),
        owner=owner,
        contacts=random_person(rng, data.people, agency.email_domain).contact_line(data.people.system_contact_role),
        criticality=system_criticality(rng, tables, network),
        environment=rng.choice(tables.environments[network]),
        network=network,
        national_security_system=is_national_security_system(rng, tables, agency, network),
        dependency_kind=kind,
        products=system_products(rng, tables, use_case),
        user_count=system_user_count(rng, tables, kind),
        identification_method=weighted(rng, tables.identification_weights),
        replacement=system_replacement(rng, tables, kind, progress),
        cost_estimate=system_cost(rng, tables, kind) if progress >= COSTED_FROM else None,
        status=status,
    )


def system_criticality(rng: random.Random, tables: SystemTables, network: str) -> str:
    if network in tables.classified_networks:
        return weighted(rng, tables.classified_criticality_weights)
    return weighted(rng, tables.unclassified_criticality_weights)


def is_national_security_system(rng: random.Random, tables: SystemTables, agency: AgencySpec, network: str) -> bool:
    """Classified systems are NSS by definition; a few unclassified defense ones too (e.g. C2)."""
    if network in tables.classified_networks:
        return True
    return agency.agency_type != AgencyType.CIVILIAN and rng.random() < tables.unclassified_national_security_share


def system_products(rng: random.Random, tables: SystemTables, use_case: UseCase) -> tuple[str, ...]:
    if not use_case.paired_product or rng.random() < tables.single_product_share:
        return (use_case.product,)
    return (use_case.product, use_case.paired_product)  # e.g. retrieval plus generation


def system_user_count(rng: random.Random, tables: SystemTables, kind: str) -> int:
    if kind == DependencyKind.DEVELOPER_TOOL:
        return rng.randint(*tables.developer_tool_user_count)
    return max(10, round(10 ** rng.uniform(*tables.user_count_exponent), -1))


def system_replacement(rng: random.Random, tables: SystemTables, kind: str, progress: int) -> str:
    """An approved plan names the replacement; some earlier systems have chosen one already."""
    if progress >= REPLACEMENT_FROM or rng.random() < tables.early_replacement_share:
        return rng.choice(tables.replacements[kind])
    return ""


def system_cost(rng: random.Random, tables: SystemTables, kind: str) -> Decimal:
    low, high = tables.cost_ranges[kind]
    return Decimal(rng.randint(low, high) * 1000)


# --- Contracts -------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractSpec:
    """One demo contract or order and the systems it pays for."""

    agency: str
    contract_number: str
    order_number: str
    vehicle: str
    value: Decimal
    option_date: datetime.date
    end_date: datetime.date
    renewal_date: datetime.date | None
    contracting_officer: Person
    systems: tuple[str, ...]


def contract_specs(rng: random.Random, data: DemoData, systems: Sequence[SystemSpec]) -> list[ContractSpec]:
    """A few contracts per agency, each paying for some of its systems (counts in the data file)."""
    tables = data.contracts
    specs = []
    for agency in data.agencies:
        fisma_ids = [spec.fisma_id for spec in systems if spec.agency == agency.abbreviation]
        for _ in range(max(1, round(len(fisma_ids) / tables.systems_per_contract))):
            wanted = rng.randint(1, tables.max_systems)
            linked = tuple(sorted(rng.sample(fisma_ids, min(len(fisma_ids), wanted))))
            specs.append(contract_spec(rng, data, agency, len(specs) + 1, linked))
    return specs


def contract_spec(
    rng: random.Random, data: DemoData, agency: AgencySpec, sequence: int, systems: tuple[str, ...]
) -> ContractSpec:
    tables = data.contracts
    vehicle = weighted(rng, tables.vehicle_weights)
    contract_number, order_number = contract_numbers(tables, vehicle, agency, sequence)
    option_date = tables.first_option_date + datetime.timedelta(days=rng.randint(0, tables.option_window_days))
    end_date = option_date + datetime.timedelta(days=rng.randint(*tables.term_days))
    low, high = tables.value_thousands
    return ContractSpec(
        agency=agency.abbreviation,
        contract_number=contract_number,
        order_number=order_number,
        vehicle=vehicle,
        value=Decimal(rng.randint(low, high) * 1000),
        option_date=option_date,
        end_date=end_date,
        renewal_date=end_date + datetime.timedelta(days=1) if rng.random() < tables.renewal_share else None,
        contracting_officer=random_person(rng, data.people, agency.email_domain),
        systems=systems,
    )


def contract_numbers(tables: ContractTables, vehicle: str, agency: AgencySpec, sequence: int) -> tuple[str, str]:
    """An order under an indefinite-delivery vehicle, or a standalone contract (no order number)."""
    if vehicle in tables.vehicle_contract_numbers:
        order_number = tables.order_number.format(office_code=agency.office_code, sequence=sequence)
        return tables.vehicle_contract_numbers[vehicle], order_number
    return tables.contract_number.format(office_code=agency.office_code, sequence=sequence), ""


# --- Loading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    """What a load found and created, for the command to print."""

    counts: dict[str, int]
    created: dict[str, int]
    users: tuple[DemoUser, ...]


@transaction.atomic
def load_demo() -> DemoSummary:
    """Loads (or completes) the demo data set; safe to run any number of times."""
    data = demo_data()
    rng = random.Random(data.seed)
    systems = system_specs(rng, data)
    contracts = contract_specs(rng, data, systems)
    products = ensure_vendor_products(data.vendor)
    directive = ensure_directive(data.directive, products)
    agencies = ensure_agencies(data)
    users = ensure_demo_users(data, agencies)
    created = {
        "systems": ensure_systems(data, systems, directive, agencies, products, users),
        "contracts": ensure_contracts(data.vendor, contracts, agencies, users[data.superuser.username]),
    }
    if data.planning is not None:
        ensure_planning(data.planning, agencies)
        created["plans"] = ensure_first_plans(data.planning, agencies)
    if data.compliance is not None:
        # After the plans, so the drafts' "at risk" figures read them.
        created |= ensure_compliance(data.compliance, directive, agencies, users)
    return DemoSummary(counts=demo_counts(data, systems), created=created, users=data.users)


def demo_counts(data: DemoData, systems: Sequence[SystemSpec]) -> dict[str, int]:
    agencies = Agency.objects.filter(abbreviation__in=data.abbreviations)
    return {
        "departments": agencies.filter(parent=None).count(),
        "components": agencies.exclude(parent=None).count(),
        "systems": System.objects.filter(fisma_id__in=[spec.fisma_id for spec in systems]).count(),
        "contracts": Contract.objects.filter(vendor_name=data.vendor.name).count(),
    }


def ensure_vendor_products(spec: VendorSpec) -> dict[str, Product]:
    vendor, _ = Vendor.objects.get_or_create(name=spec.name, defaults={"uei": spec.uei, "cage_code": spec.cage_code})
    return {name: Product.objects.get_or_create(vendor=vendor, name=name)[0] for name in spec.products}


def ensure_directive(spec: DirectiveSpec, products: dict[str, Product]) -> Directive:
    directive, _ = Directive.objects.get_or_create(
        short_name=spec.short_name,
        defaults={
            "title": spec.title,
            "issuing_authority": spec.issuing_authority,
            "issued_on": spec.issued_on,
            "identify_offset_days": spec.identify_offset_days,
            "plan_offset_days": spec.plan_offset_days,
            "status_report_interval_days": spec.status_report_interval_days,
            "exception_max_days": spec.exception_max_days,
            "exception_max_extensions": spec.exception_max_extensions,
        },
    )
    directive.covered_products.add(*products.values())
    if directive.current_revision() is None:
        directive_revise(
            directive=directive,
            user=None,
            effective_on=spec.issued_on,
            summary=spec.revision_summary,
            rules=spec.scope_rules,
        )
    return directive


def ensure_agencies(data: DemoData) -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}
    for spec in data.agencies:  # departments come before their components
        rng = random.Random(f"{data.seed}-{spec.abbreviation}")
        contact = random_person(rng, data.people, spec.email_domain)
        official = random_person(rng, data.people, spec.email_domain)
        agencies[spec.abbreviation], _ = Agency.objects.get_or_create(
            abbreviation=spec.abbreviation,
            defaults={
                "name": spec.name,
                "agency_type": spec.agency_type,
                "parent": agencies.get(spec.parent),
                "point_of_contact": contact.name,
                "point_of_contact_email": contact.email,
                "attesting_official": official.name,
                "attesting_official_title": data.people.attesting_official_title,
            },
        )
    return agencies


def ensure_demo_users(data: DemoData, agencies: dict[str, Agency]) -> dict[str, User]:
    """Creates the demo users, or resets their password, flags and memberships."""
    users = {}
    for spec in data.users:
        user, _ = User.objects.get_or_create(username=spec.username)
        user.first_name, user.last_name, user.email = spec.first_name, spec.last_name, spec.email
        user.is_active, user.is_oversight = True, spec.is_oversight
        user.is_staff = user.is_superuser = spec.is_superuser
        validate_password(data.password, user)
        user.set_password(data.password)
        user.save()
        user.memberships.exclude(agency__abbreviation=spec.agency).delete()
        if spec.agency:
            Membership.objects.update_or_create(user=user, agency=agencies[spec.agency], defaults={"role": spec.role})
        users[spec.username] = user
    return users


def ensure_systems(
    data: DemoData,
    specs: Sequence[SystemSpec],
    directive: Directive,
    agencies: dict[str, Agency],
    products: dict[str, Product],
    users: dict[str, User],
) -> int:
    """Creates missing demo systems through the services, so deadlines and history are real."""
    existing = set(
        System.objects.filter(fisma_id__in=[spec.fisma_id for spec in specs]).values_list("fisma_id", flat=True)
    )
    loader = users[data.superuser.username]
    created = 0
    for spec in specs:
        if spec.fisma_id in existing:
            continue
        system = create_system(spec, directive, agencies[spec.agency], products, loader)
        walk_workflow(system, spec.status, workflow_actor(data, spec, users))
        created += 1
    return created


def create_system(
    spec: SystemSpec, directive: Directive, agency: Agency, products: dict[str, Product], loader: User
) -> System:
    system = System(
        agency=agency,
        directive=directive,
        name=spec.name,
        fisma_id=spec.fisma_id,
        owner_name=spec.owner.name,
        owner_email=spec.owner.email,
        contacts=spec.contacts,
        mission_function=spec.mission_function,
        criticality=spec.criticality,
        environment=spec.environment,
        network=spec.network,
        national_security_system=spec.national_security_system,
        dependency_kind=spec.dependency_kind,
        user_count=spec.user_count,
        identification_method=spec.identification_method,
        replacement=spec.replacement,
        cost_estimate=spec.cost_estimate,
    )
    system._history_user = loader  # the "created" history entry names the loader's user
    return system_save(
        user=loader,
        system=system,
        depends_on=list(System.objects.filter(fisma_id__in=spec.depends_on)),
        covered_products=[products[name] for name in spec.products],
    )


def workflow_actor(data: DemoData, spec: SystemSpec, users: dict[str, User]) -> User:
    """A department's demo transition lead moves its systems; the superuser moves the others'."""
    department = data.department_of(data.agency(spec.agency))
    actor = data.transition_lead_of(department.abbreviation) or data.superuser
    return users[actor.username]


def walk_workflow(system: System, status: str, actor: User) -> None:
    """Moves a new system step by step to `status`, recording each change as a user would."""
    for to_status in workflow.STEPS[1 : workflow.STEPS.index(status) + 1]:
        system_transition(user=actor, system=system, to_status=to_status)


def ensure_contracts(
    vendor: VendorSpec, specs: Sequence[ContractSpec], agencies: dict[str, Agency], loader: User
) -> int:
    created = 0
    for spec in specs:
        agency = agencies[spec.agency]
        if Contract.objects.filter(
            agency=agency, contract_number=spec.contract_number, order_number=spec.order_number
        ).exists():
            continue
        contract = build_contract(vendor, spec, agency)
        contract_save(user=loader, contract=contract, systems=System.objects.filter(fisma_id__in=spec.systems))
        created += 1
    return created


def build_contract(vendor: VendorSpec, spec: ContractSpec, agency: Agency) -> Contract:
    return Contract(
        agency=agency,
        contract_number=spec.contract_number,
        order_number=spec.order_number,
        vehicle=spec.vehicle,
        vendor_name=vendor.name,
        vendor_uei=vendor.uei,
        vendor_cage=vendor.cage_code,
        value=spec.value,
        option_date=spec.option_date,
        renewal_date=spec.renewal_date,
        end_date=spec.end_date,
        contracting_officer=spec.contracting_officer.name,
        contracting_officer_email=spec.contracting_officer.email,
    )


# --- Scale data ------------------------------------------------------------------------


def scale_fisma_id(number: int) -> str:
    return f"{SCALE_PREFIX}{number:06d}"


@transaction.atomic
def load_scale_systems(count: int) -> int:
    """Ensures SCALE-000001 … SCALE-<count> exist (spread over the demo agencies); returns how many were new.

    Runs after `load_demo`. Rows are bulk-inserted in batches without history on purpose:
    django-simple-history records nothing for bulk_create, and a history row per synthetic
    system would double the write volume while telling an auditor nothing. They all stay
    Identified, so they need no status history either. Deadlines are derived at the end
    by one `directive_refresh_deadlines` call (one UPDATE per scope class).
    """
    if not 0 <= count <= SCALE_MAX_SYSTEMS:
        raise ValueError(f"count must be between 0 and {SCALE_MAX_SYSTEMS}")
    data = demo_data()
    directive = Directive.objects.get(short_name=data.directive.short_name)
    agencies = list(Agency.objects.filter(abbreviation__in=data.abbreviations).order_by("abbreviation"))
    products = list(directive.covered_products.order_by("name"))
    existing = set(System.objects.filter(fisma_id__startswith=SCALE_PREFIX).values_list("fisma_id", flat=True))
    rng = random.Random(data.seed)
    created = 0
    for start in range(1, count + 1, SCALE_BATCH_SIZE):
        numbers = range(start, min(start + SCALE_BATCH_SIZE, count + 1))
        # Draw for every number, existing or not, so system N always gets the same values.
        draws = [scale_draw(rng, data, number, agencies, products) for number in numbers]
        created += insert_scale_batch([draw for draw in draws if draw.fisma_id not in existing], directive)
    directive_refresh_deadlines(directive, record_history=False)  # synthetic rows keep no history (above)
    return created


def refresh_statistics() -> None:
    """Tells PostgreSQL what a bulk load put in the tables (after its transaction committed).

    Until autovacuum gets to them, its row estimates are those of the empty tables, and
    the first list and dashboard queries after a load chose plans that were ten times
    slower (sorting 100,000 rows instead of walking an index). VACUUM also marks the new
    pages all-visible, without which an index-only scan reads the table anyway (18,962 heap
    fetches to count 10,001 rows); it cannot run inside a transaction, so a load that is part
    of one (a test) gets ANALYZE alone.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


class ScaleDraw(NamedTuple):
    """The random choices for one synthetic system, cheap to make and to throw away."""

    fisma_id: str
    name: str
    agency: Agency
    network: str
    national_security_system: bool
    dependency_kind: str
    criticality: str
    user_count: int
    product: Product


def scale_draw(
    rng: random.Random, data: DemoData, number: int, agencies: Sequence[Agency], products: Sequence[Product]
) -> ScaleDraw:
    tables = data.systems
    agency = agencies[number % len(agencies)]
    name = f"Synthetic {rng.choice(data.use_cases).label} {number}"
    network = weighted(rng, tables.network_weights[agency.agency_type])
    return ScaleDraw(
        fisma_id=scale_fisma_id(number),
        name=name,
        agency=agency,
        network=network,
        national_security_system=network in tables.classified_networks,
        dependency_kind=weighted(rng, tables.dependency_weights[agency.agency_type]),
        criticality=rng.choice(Criticality.values),
        user_count=rng.randint(10, 5000),
        product=rng.choice(products),
    )


def insert_scale_batch(draws: list[ScaleDraw], directive: Directive) -> int:
    if not draws:
        return 0
    systems = [scale_system(draw, directive) for draw in draws]
    System.objects.bulk_create(systems)  # pks come back on PostgreSQL and SQLite >= 3.35
    links = System.covered_products.through
    links.objects.bulk_create(
        links(system_id=system.pk, product_id=draw.product.pk) for system, draw in zip(systems, draws, strict=True)
    )
    return len(systems)


def scale_system(draw: ScaleDraw, directive: Directive) -> System:
    return System(
        agency=draw.agency,
        directive=directive,
        name=draw.name,
        fisma_id=draw.fisma_id,
        mission_function="Synthetic system for scale testing",
        criticality=draw.criticality,
        network=draw.network,
        national_security_system=draw.national_security_system,
        dependency_kind=draw.dependency_kind,
        user_count=draw.user_count,
    )
