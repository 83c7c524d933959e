"""Demo data: the February 2026 directive, six departments and their AI systems.

`load_demo()` builds a realistic, fictional inventory for demonstrations and manual
testing; `load_scale_systems(count)` adds synthetic systems for scale tests. Both are
deterministic (seeded `random.Random`) and idempotent: rows are looked up by their
natural keys (agency abbreviation, FISMA ID, contract and order number, username) and
only missing ones are created, so a second run changes nothing except resetting the
demo users' passwords and memberships.

The directive (AI-2026-01, issued 27 Feb 2026 by the President) covers four products
of the fictional vendor "Covered AI Inc." Revision 1 has three scope rules:

- every agency: cease use immediately (D+0, 27 Feb 2026);
- defense systems that embed the vendor in a third-party product: six months
  (D+181, 27 Aug 2026);
- defense national security systems reaching the vendor through a cloud platform,
  i.e. the integrations on classified networks: the same six months.

Intelligence agencies fall under the first rule in revision 1 (the order gave the
phase-out only to the defense department). Phases: identify D+30, plan D+60, a status
report every 30 days.

Removal deadlines are never typed in: demo systems are saved through
`services.system_save`, which derives them, and the scale loader calls
`directive_refresh_deadlines` once after its bulk inserts.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from procurement.inventory import workflow
from procurement.inventory.enums import (
    AgencyType,
    Criticality,
    DependencyKind,
    IdentificationMethod,
    Network,
    Role,
    SystemStatus,
)
from procurement.inventory.models import Agency, Contract, Directive, Membership, Product, System, User, Vendor
from procurement.inventory.services import (
    ScopeRuleSpec,
    contract_save,
    directive_refresh_deadlines,
    directive_revise,
    system_save,
    system_transition,
)

# Published on purpose: it is printed by `loaddemo` and must never guard real data.
DEMO_PASSWORD = "phaseout-demo-2026"
DEMO_SEED = 20260227
ISSUED_ON = datetime.date(2026, 2, 27)
DIRECTIVE_SHORT_NAME = "AI-2026-01"

VENDOR_NAME = "Covered AI Inc."
VENDOR_UEI = "CVA7K2M9Q41X"  # made up; real UEIs are 12 characters without I or O
VENDOR_CAGE = "7CVA2"  # made up
PRODUCT_NAMES = ("Chat Model API", "Enterprise Assistant", "Coding Assistant", "Embeddings Model")

INITIAL_SCOPE = (
    ScopeRuleSpec(description="All agencies: cease use immediately", removal_offset_days=0),
    ScopeRuleSpec(
        description="Defense systems embedding the vendor in a third-party product: six months",
        removal_offset_days=181,
        agency_type=AgencyType.DEFENSE,
        dependency_kind=DependencyKind.EMBEDDED,
    ),
    ScopeRuleSpec(
        description="Defense national security systems on a cloud platform (classified networks): six months",
        removal_offset_days=181,
        agency_type=AgencyType.DEFENSE,
        dependency_kind=DependencyKind.CLOUD_PLATFORM,
        national_security_system=True,
    ),
)


# --- Agencies --------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencySpec:
    """A demo department or component, with what its systems are named after."""

    name: str
    abbreviation: str
    agency_type: str
    email_domain: str
    system_prefix: str  # how the agency names its systems, e.g. "Army"
    office_code: str  # made-up contracting office code used in order numbers
    system_count: int
    mission_areas: tuple[str, ...]
    parent: str = ""  # abbreviation of the department; blank for a department


CIV, DEF, INTEL = AgencyType.CIVILIAN, AgencyType.DEFENSE, AgencyType.INTELLIGENCE

AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec(
        "Department of Defense",
        "DOD",
        DEF,
        "dod.example.mil",
        "DoD",
        "HQ0034",
        4,
        ("Acquisition Policy", "Personnel Readiness", "Budget Justification", "Policy Research"),
    ),
    AgencySpec(
        "Department of the Army",
        "ARMY",
        DEF,
        "army.example.mil",
        "Army",
        "W91QUZ",
        16,
        (
            "Logistics",
            "Maintenance",
            "Personnel",
            "Training",
            "Recruiting",
            "Intelligence Analysis",
            "Contracting",
            "Medical Readiness",
        ),
        parent="DOD",
    ),
    AgencySpec(
        "Department of the Navy",
        "NAVY",
        DEF,
        "navy.example.mil",
        "Navy",
        "N00039",
        14,
        (
            "Fleet Maintenance",
            "Shipyard Scheduling",
            "Supply Chain",
            "Sailor Career",
            "Maritime Intelligence",
            "Aviation Readiness",
        ),
        parent="DOD",
    ),
    AgencySpec(
        "Department of the Air Force",
        "USAF",
        DEF,
        "af.example.mil",
        "Air Force",
        "FA8771",
        14,
        (
            "Flight Operations",
            "Aircraft Sustainment",
            "Space Domain Awareness",
            "Airman Personnel",
            "Mission Planning",
            "Installation Management",
        ),
        parent="DOD",
    ),
    AgencySpec(
        "Defense Information Systems Agency",
        "DISA",
        DEF,
        "disa.example.mil",
        "DISA",
        "HC1028",
        6,
        ("Network Operations", "Service Desk", "Cyber Defense", "Cloud Brokering"),
        parent="DOD",
    ),
    AgencySpec(
        "Department of the Treasury",
        "TREAS",
        CIV,
        "treasury.example.gov",
        "Treasury",
        "2032H5",
        3,
        ("Policy Analysis", "Sanctions Research", "Financial Management"),
    ),
    AgencySpec(
        "Internal Revenue Service",
        "IRS",
        CIV,
        "irs.example.gov",
        "IRS",
        "2032H8",
        14,
        (
            "Taxpayer Correspondence",
            "Examination",
            "Collections",
            "Taxpayer Assistance",
            "Fraud Detection",
            "Chief Counsel Research",
            "Return Processing",
        ),
        parent="TREAS",
    ),
    AgencySpec(
        "Bureau of the Fiscal Service",
        "BFS",
        CIV,
        "fiscal.treasury.example.gov",
        "Fiscal Service",
        "20342F",
        5,
        ("Payment Integrity", "Debt Management", "Financial Reporting"),
        parent="TREAS",
    ),
    AgencySpec(
        "Department of Health and Human Services",
        "HHS",
        CIV,
        "hhs.example.gov",
        "HHS",
        "75P001",
        3,
        ("Grants Management", "Regulatory Drafting", "Public Inquiries"),
    ),
    AgencySpec(
        "Centers for Disease Control and Prevention",
        "CDC",
        CIV,
        "cdc.example.gov",
        "CDC",
        "75D301",
        7,
        ("Outbreak Surveillance", "Health Communications", "Laboratory Informatics", "Data Modernization"),
        parent="HHS",
    ),
    AgencySpec(
        "National Institutes of Health",
        "NIH",
        CIV,
        "nih.example.gov",
        "NIH",
        "75N980",
        9,
        ("Grant Review", "Literature Mining", "Clinical Research", "Biomedical Imaging", "Scientific Writing"),
        parent="HHS",
    ),
    AgencySpec(
        "Centers for Medicare & Medicaid Services",
        "CMS",
        CIV,
        "cms.example.gov",
        "CMS",
        "75FCMC",
        8,
        ("Claims Processing", "Beneficiary Contact Center", "Program Integrity", "Provider Enrollment"),
        parent="HHS",
    ),
    AgencySpec(
        "General Services Administration",
        "GSA",
        CIV,
        "gsa.example.gov",
        "GSA",
        "47HAA0",
        3,
        ("Acquisition Workforce", "Real Property", "Policy Management"),
    ),
    AgencySpec(
        "Federal Acquisition Service",
        "FAS",
        CIV,
        "gsa.example.gov",
        "FAS",
        "47QFCA",
        5,
        ("Contract Writing", "Schedules Pricing", "Vendor Support", "Market Research"),
        parent="GSA",
    ),
    AgencySpec(
        "Technology Transformation Services",
        "TTS",
        CIV,
        "gsa.example.gov",
        "TTS",
        "47QFHA",
        6,
        ("Login Support", "Digital Services", "Site Search", "Cloud Platform Operations"),
        parent="GSA",
    ),
    AgencySpec(
        "Department of Homeland Security",
        "DHS",
        CIV,
        "dhs.example.gov",
        "DHS",
        "70RDAD",
        3,
        ("Policy Research", "Management Directorate", "Intelligence and Analysis"),
    ),
    AgencySpec(
        "U.S. Secret Service",
        "USSS",
        CIV,
        "secretservice.example.gov",
        "Secret Service",
        "70US09",
        5,
        ("Protective Intelligence", "Financial Crimes", "Investigative Support"),
        parent="DHS",
    ),
    AgencySpec(
        "Cybersecurity and Infrastructure Security Agency",
        "CISA",
        CIV,
        "cisa.example.gov",
        "CISA",
        "70RCSA",
        8,
        (
            "Vulnerability Management",
            "Threat Hunting",
            "Incident Response",
            "Advisory Drafting",
            "Infrastructure Assessments",
        ),
        parent="DHS",
    ),
    AgencySpec(
        "U.S. Customs and Border Protection",
        "CBP",
        CIV,
        "cbp.example.gov",
        "CBP",
        "70B04C",
        7,
        ("Trade Entry Review", "Traveler Processing", "Cargo Targeting", "Border Operations"),
        parent="DHS",
    ),
    AgencySpec(
        "Office of the Director of National Intelligence",
        "ODNI",
        INTEL,
        "odni.example.gov",
        "ODNI",
        "2031JW",
        6,
        ("Open Source Analysis", "Intelligence Community Policy", "Analytic Tradecraft", "Translation"),
    ),
    AgencySpec(
        "National Counterterrorism Center",
        "NCTC",
        INTEL,
        "nctc.example.gov",
        "NCTC",
        "2031JX",
        4,
        ("Terrorist Identities", "Threat Reporting", "Watchlisting"),
        parent="ODNI",
    ),
)
AGENCY_BY_ABBREVIATION = {spec.abbreviation: spec for spec in AGENCIES}


def department_of(spec: AgencySpec) -> AgencySpec:
    return AGENCY_BY_ABBREVIATION[spec.parent] if spec.parent else spec


# --- People ----------------------------------------------------------------------------

FIRST_NAMES = (
    "Alicia",
    "Marcus",
    "Priya",
    "Daniel",
    "Keisha",
    "Robert",
    "Mei",
    "Jamal",
    "Laura",
    "Victor",
    "Sofia",
    "Brian",
    "Aisha",
    "Thomas",
    "Carmen",
    "Kevin",
    "Nadia",
    "Gregory",
    "Hannah",
    "Luis",
    "Rachel",
    "Andre",
    "Diane",
    "Samuel",
    "Grace",
    "Omar",
    "Julia",
    "Patrick",
    "Renee",
    "Tyrone",
)
LAST_NAMES = (
    "Alvarez",
    "Bennett",
    "Chen",
    "Dawson",
    "Ellis",
    "Fitzgerald",
    "Garcia",
    "Harper",
    "Iqbal",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Mitchell",
    "Nguyen",
    "Okafor",
    "Patel",
    "Quinn",
    "Ramirez",
    "Sullivan",
    "Thompson",
    "Underwood",
    "Vasquez",
    "Washington",
    "Xu",
    "Young",
    "Zimmerman",
    "Brooks",
    "Castillo",
    "Delaney",
    "Foster",
)


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    def contact_line(self, role: str) -> str:
        return f"{role}: {self.name} <{self.email}>"


def random_person(rng: random.Random, email_domain: str) -> Person:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return Person(f"{first} {last}", f"{first.lower()}.{last.lower()}@{email_domain}")


# --- Systems ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UseCase:
    """A kind of AI use an agency builds on the covered products."""

    label: str
    purpose: str  # "{area}" is replaced by the mission area
    product: str
    dependency_kinds: tuple[str, ...]


D = DependencyKind
USE_CASES = (
    UseCase(
        "Chat Assistant",
        "Answers staff questions about {area} policy and procedures",
        "Enterprise Assistant",
        (D.DIRECT_API, D.CLOUD_PLATFORM, D.EMBEDDED),
    ),
    UseCase(
        "Correspondence Summarizer",
        "Summarizes incoming {area} correspondence and drafts replies",
        "Chat Model API",
        (D.DIRECT_API, D.CLOUD_PLATFORM),
    ),
    UseCase(
        "Document Triage",
        "Classifies and routes {area} documents to the right office",
        "Chat Model API",
        (D.CLOUD_PLATFORM, D.EMBEDDED, D.CUSTOM_MODEL),
    ),
    UseCase(
        "Knowledge Search",
        "Semantic search over {area} records and guidance",
        "Embeddings Model",
        (D.DIRECT_API, D.CLOUD_PLATFORM, D.EMBEDDED),
    ),
    UseCase(
        "Code Assistant",
        "Helps developers of {area} applications write and review code",
        "Coding Assistant",
        (D.DEVELOPER_TOOL,),
    ),
    UseCase(
        "Report Drafting Tool",
        "Drafts {area} reports from structured data",
        "Enterprise Assistant",
        (D.EMBEDDED, D.CLOUD_PLATFORM),
    ),
    UseCase(
        "Analytics Copilot",
        "Explains {area} dashboards and trends in plain language",
        "Chat Model API",
        (D.EMBEDDED, D.CLOUD_PLATFORM),
    ),
    UseCase(
        "Record Classifier",
        "Tags {area} records with a model fine-tuned on agency data",
        "Chat Model API",
        (D.CUSTOM_MODEL,),
    ),
    UseCase(
        "Translation Service",
        "Translates {area} material to and from foreign languages",
        "Chat Model API",
        (D.DIRECT_API, D.CUSTOM_MODEL),
    ),
)

# Defense and intelligence buy AI mostly inside platforms and third-party products.
DEPENDENCY_WEIGHTS = {
    CIV: {D.DIRECT_API: 30, D.CLOUD_PLATFORM: 30, D.EMBEDDED: 20, D.DEVELOPER_TOOL: 10, D.CUSTOM_MODEL: 10},
    DEF: {D.DIRECT_API: 10, D.CLOUD_PLATFORM: 30, D.EMBEDDED: 35, D.DEVELOPER_TOOL: 10, D.CUSTOM_MODEL: 15},
    INTEL: {D.DIRECT_API: 5, D.CLOUD_PLATFORM: 35, D.EMBEDDED: 30, D.DEVELOPER_TOOL: 10, D.CUSTOM_MODEL: 20},
}
NETWORK_WEIGHTS = {
    CIV: {Network.UNCLASSIFIED: 65, Network.CUI: 35},
    DEF: {Network.UNCLASSIFIED: 25, Network.CUI: 35, Network.SECRET: 28, Network.TOP_SECRET: 12},
    INTEL: {Network.CUI: 10, Network.SECRET: 30, Network.TOP_SECRET: 60},
}
CLASSIFIED_NETWORKS = (Network.SECRET, Network.TOP_SECRET)
ENVIRONMENTS = {
    Network.UNCLASSIFIED: (
        "AWS GovCloud (US) tenant",
        "Azure Government tenant",
        "Agency data center",
        "FedRAMP Moderate SaaS",
    ),
    Network.CUI: ("AWS GovCloud (US) tenant", "Azure Government tenant", "FedRAMP High SaaS", "Agency data center"),
    Network.SECRET: ("SIPRNet enclave", "Classified cloud region (Secret)"),
    Network.TOP_SECRET: ("JWICS enclave", "Classified cloud region (Top Secret)"),
}
IDENTIFICATION_WEIGHTS = {
    IdentificationMethod.SELF_REPORT: 30,
    IdentificationMethod.PROCUREMENT_RECORDS: 20,
    IdentificationMethod.SOFTWARE_INVENTORY: 20,
    IdentificationMethod.NETWORK_SCAN: 15,
    IdentificationMethod.CODE_SCAN: 10,
    IdentificationMethod.OTHER: 5,
}
# As of late 2026 most systems are well along; a tail is still being assessed.
STATUS_WEIGHTS = {
    SystemStatus.IDENTIFIED: 10,
    SystemStatus.ASSESSED: 14,
    SystemStatus.PLAN_APPROVED: 16,
    SystemStatus.MIGRATING: 20,
    SystemStatus.CUT_OVER: 14,
    SystemStatus.REMOVED: 15,
    SystemStatus.VERIFIED: 11,
}
REPLACEMENTS = {
    D.DIRECT_API: (
        "Alternate FedRAMP High model API behind the agency model gateway",
        "Agency-hosted open-weight model",
    ),
    D.CLOUD_PLATFORM: (
        "Same platform, alternate model (configuration change)",
        "Alternate model from the cloud provider's catalog",
    ),
    D.EMBEDDED: (
        "Product vendor's release built on an alternate model",
        "Replacement commercial product",
        "AI feature disabled until the product vendor ships an alternate model",
    ),
    D.DEVELOPER_TOOL: ("Alternate approved coding assistant", "Plug-in removed; no replacement needed"),
    D.CUSTOM_MODEL: ("Retrained on an agency-hosted open-weight base model", "Rules-based classifier (AI retired)"),
}
# Removal cost ranges in thousands of dollars: a platform swap is cheap, a product is not.
COST_RANGES = {
    D.DIRECT_API: (40, 400),
    D.CLOUD_PLATFORM: (5, 80),
    D.EMBEDDED: (100, 2500),
    D.DEVELOPER_TOOL: (2, 50),
    D.CUSTOM_MODEL: (150, 1500),
}


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


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    population, cumulative_weights = cumulative(weights)
    return rng.choices(population, cum_weights=cumulative_weights)[0]


@functools.cache
def _cumulative(items: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return [value for value, _ in items], list(itertools.accumulate(weight for _, weight in items))


def cumulative(weights: dict[str, int]) -> tuple[list[str], list[int]]:
    """Population and cumulative weights for `random.choices`, computed once per table."""
    return _cumulative(tuple(weights.items()))


def system_specs(rng: random.Random) -> list[SystemSpec]:
    """All demo systems, agency by agency, with depends-on links inside each department."""
    specs: list[SystemSpec] = []
    by_department: dict[str, list[str]] = {}
    for agency in AGENCIES:
        earlier = by_department.setdefault(department_of(agency).abbreviation, [])
        for spec in agency_system_specs(rng, agency):
            if earlier and rng.random() < 0.2:
                spec.depends_on = (rng.choice(earlier),)
            earlier.append(spec.fisma_id)
            specs.append(spec)
    return specs


def agency_system_specs(rng: random.Random, agency: AgencySpec) -> Iterator[SystemSpec]:
    pairs = [(area, use_case) for area in agency.mission_areas for use_case in USE_CASES]
    rng.shuffle(pairs)
    for number, (area, use_case) in enumerate(pairs[: agency.system_count], start=1):
        yield system_spec(rng, agency, f"{agency.abbreviation}-{number:04d}", area, use_case)


def system_spec(rng: random.Random, agency: AgencySpec, fisma_id: str, area: str, use_case: UseCase) -> SystemSpec:
    kind_weights = DEPENDENCY_WEIGHTS[agency.agency_type]
    kind = weighted(rng, {kind: kind_weights[kind] for kind in use_case.dependency_kinds})
    network = weighted(rng, NETWORK_WEIGHTS[agency.agency_type])
    status = weighted(rng, STATUS_WEIGHTS)
    progress = workflow.STEPS.index(status)
    owner = random_person(rng, agency.email_domain)
    return SystemSpec(
        agency=agency.abbreviation,
        fisma_id=fisma_id,
        name=f"{agency.system_prefix} {area} {use_case.label}",
        mission_function=use_case.purpose.format(area=area.lower()),
        owner=owner,
        contacts=random_person(rng, agency.email_domain).contact_line("ISSO"),
        criticality=system_criticality(rng, network),
        environment=rng.choice(ENVIRONMENTS[network]),
        network=network,
        national_security_system=is_national_security_system(rng, agency, network),
        dependency_kind=kind,
        products=system_products(rng, use_case),
        user_count=system_user_count(rng, kind),
        identification_method=weighted(rng, IDENTIFICATION_WEIGHTS),
        replacement=rng.choice(REPLACEMENTS[kind]) if progress >= 2 or rng.random() < 0.3 else "",
        cost_estimate=system_cost(rng, kind) if progress >= 1 else None,
        status=status,
    )


def system_criticality(rng: random.Random, network: str) -> str:
    if network in CLASSIFIED_NETWORKS:
        weights = {Criticality.LOW: 5, Criticality.MODERATE: 40, Criticality.HIGH: 55}
    else:
        weights = {Criticality.LOW: 25, Criticality.MODERATE: 50, Criticality.HIGH: 25}
    return weighted(rng, weights)


def is_national_security_system(rng: random.Random, agency: AgencySpec, network: str) -> bool:
    """Classified systems are NSS by definition; a few unclassified defense ones too (e.g. C2)."""
    if network in CLASSIFIED_NETWORKS:
        return True
    return agency.agency_type != CIV and rng.random() < 0.1


def system_products(rng: random.Random, use_case: UseCase) -> tuple[str, ...]:
    if use_case.product != "Embeddings Model" or rng.random() < 0.6:
        return (use_case.product,)
    return (use_case.product, "Chat Model API")  # retrieval plus generation


def system_user_count(rng: random.Random, kind: str) -> int:
    if kind == D.DEVELOPER_TOOL:
        return rng.randint(5, 400)
    return max(10, round(10 ** rng.uniform(1.3, 4.7), -1))


def system_cost(rng: random.Random, kind: str) -> Decimal:
    low, high = COST_RANGES[kind]
    return Decimal(rng.randint(low, high) * 1000)


# --- Contracts -------------------------------------------------------------------------

VEHICLE_WEIGHTS = {"GSA MAS": 40, "SEWP V": 25, "OASIS+": 15, "Agency contract": 20}
# Indefinite-delivery contracts that agencies order from (numbers are illustrative).
VEHICLE_CONTRACT_NUMBERS = {"GSA MAS": "47QTCA26D0001", "SEWP V": "NNG15SD27B", "OASIS+": "47QRCA25DU017"}


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


def contract_specs(rng: random.Random, systems: Sequence[SystemSpec]) -> list[ContractSpec]:
    """About one contract per four systems of each agency, each paying for one to three of them."""
    specs = []
    for agency in AGENCIES:
        fisma_ids = [spec.fisma_id for spec in systems if spec.agency == agency.abbreviation]
        for _ in range(max(1, round(len(fisma_ids) / 4))):
            linked = tuple(sorted(rng.sample(fisma_ids, min(len(fisma_ids), rng.randint(1, 3)))))
            specs.append(contract_spec(rng, agency, len(specs) + 1, linked))
    return specs


def contract_spec(rng: random.Random, agency: AgencySpec, sequence: int, systems: tuple[str, ...]) -> ContractSpec:
    vehicle = weighted(rng, VEHICLE_WEIGHTS)
    if vehicle in VEHICLE_CONTRACT_NUMBERS:
        contract_number, order_number = VEHICLE_CONTRACT_NUMBERS[vehicle], f"{agency.office_code}26F{sequence:04d}"
    else:
        contract_number, order_number = f"{agency.office_code}26C{sequence:04d}", ""
    # Options and renewals fall inside the phase-out window or soon after (2026–2027).
    option_date = datetime.date(2026, 3, 1) + datetime.timedelta(days=rng.randint(0, 480))
    end_date = option_date + datetime.timedelta(days=rng.randint(90, 180))
    return ContractSpec(
        agency=agency.abbreviation,
        contract_number=contract_number,
        order_number=order_number,
        vehicle=vehicle,
        value=Decimal(rng.randint(25, 4800) * 1000),
        option_date=option_date,
        end_date=end_date,
        renewal_date=end_date + datetime.timedelta(days=1) if rng.random() < 0.5 else None,
        contracting_officer=random_person(rng, agency.email_domain),
        systems=systems,
    )


# --- Users -----------------------------------------------------------------------------


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


DEMO_USERS = (
    DemoUser(
        "admin",
        "Ada",
        "Admin",
        "admin@phaseout.example.gov",
        "Superuser: Django admin, every agency, directive scope changes",
        is_superuser=True,
    ),
    DemoUser(
        "oversight",
        "Olivia",
        "Overton",
        "oversight@omb.example.gov",
        "Oversight (OMB/CISA): reads every agency, changes nothing",
        is_oversight=True,
    ),
    DemoUser(
        "lead",
        "Leon",
        "Hale",
        "leon.hale@dod.example.mil",
        "Transition lead, Department of Defense and components: edits, approves plans, verifies",
        agency="DOD",
        role=Role.TRANSITION_LEAD,
    ),
    DemoUser(
        "editor",
        "Erin",
        "Diaz",
        "erin.diaz@treasury.example.gov",
        "Editor, Department of the Treasury and components: keeps inventory and contracts current",
        agency="TREAS",
        role=Role.EDITOR,
    ),
    DemoUser(
        "viewer",
        "Vikram",
        "Rao",
        "vikram.rao@treasury.example.gov",
        "Viewer, Department of the Treasury and components: read-only",
        agency="TREAS",
        role=Role.VIEWER,
    ),
)


# --- Loading ---------------------------------------------------------------------------


@dataclass
class DemoSummary:
    """What a load found and created, for the command to print."""

    counts: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    users: tuple[DemoUser, ...] = DEMO_USERS


@transaction.atomic
def load_demo() -> DemoSummary:
    """Loads (or completes) the demo data set; safe to run any number of times."""
    rng = random.Random(DEMO_SEED)
    systems = system_specs(rng)
    contracts = contract_specs(rng, systems)
    summary = DemoSummary()
    products = ensure_vendor_products()
    directive = ensure_directive(products)
    agencies = ensure_agencies()
    users = ensure_demo_users(agencies)
    summary.created["systems"] = ensure_systems(systems, directive, agencies, products, users)
    summary.created["contracts"] = ensure_contracts(contracts, agencies, users["admin"])
    summary.counts = {
        "departments": Agency.objects.filter(parent=None, abbreviation__in=AGENCY_BY_ABBREVIATION).count(),
        "components": Agency.objects.exclude(parent=None).filter(abbreviation__in=AGENCY_BY_ABBREVIATION).count(),
        "systems": System.objects.filter(fisma_id__in=[spec.fisma_id for spec in systems]).count(),
        "contracts": Contract.objects.filter(vendor_name=VENDOR_NAME).count(),
    }
    return summary


def ensure_vendor_products() -> dict[str, Product]:
    vendor, _ = Vendor.objects.get_or_create(name=VENDOR_NAME, defaults={"uei": VENDOR_UEI, "cage_code": VENDOR_CAGE})
    return {name: Product.objects.get_or_create(vendor=vendor, name=name)[0] for name in PRODUCT_NAMES}


def ensure_directive(products: dict[str, Product]) -> Directive:
    directive, _ = Directive.objects.get_or_create(
        short_name=DIRECTIVE_SHORT_NAME,
        defaults={
            "title": f"Cessation of federal use of {VENDOR_NAME} products and services",
            "issuing_authority": "The President",
            "issued_on": ISSUED_ON,
            "identify_offset_days": 30,
            "plan_offset_days": 60,
            "status_report_interval_days": 30,
            "exception_max_days": 365,
            "exception_max_extensions": 1,
        },
    )
    directive.covered_products.add(*products.values())
    if directive.current_revision() is None:
        directive_revise(
            directive=directive,
            user=None,
            effective_on=ISSUED_ON,
            summary="Initial scope as issued: cease use immediately; defense gets six months for embedded "
            "systems and classified cloud-platform integrations.",
            rules=INITIAL_SCOPE,
        )
    return directive


def ensure_agencies() -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}
    for spec in AGENCIES:  # departments come before their components
        rng = random.Random(f"{DEMO_SEED}-{spec.abbreviation}")
        contact, official = random_person(rng, spec.email_domain), random_person(rng, spec.email_domain)
        agencies[spec.abbreviation], _ = Agency.objects.get_or_create(
            abbreviation=spec.abbreviation,
            defaults={
                "name": spec.name,
                "agency_type": spec.agency_type,
                "parent": agencies.get(spec.parent),
                "point_of_contact": contact.name,
                "point_of_contact_email": contact.email,
                "attesting_official": official.name,
                "attesting_official_title": "Chief Information Officer",
            },
        )
    return agencies


def ensure_demo_users(agencies: dict[str, Agency]) -> dict[str, User]:
    """Creates the demo users, or resets their password, flags and memberships."""
    users = {}
    for spec in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=spec.username)
        user.first_name, user.last_name, user.email = spec.first_name, spec.last_name, spec.email
        user.is_active, user.is_oversight = True, spec.is_oversight
        user.is_staff = user.is_superuser = spec.is_superuser
        validate_password(DEMO_PASSWORD, user)
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.memberships.exclude(agency__abbreviation=spec.agency).delete()
        if spec.agency:
            Membership.objects.update_or_create(user=user, agency=agencies[spec.agency], defaults={"role": spec.role})
        users[spec.username] = user
    return users


def ensure_systems(
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
    created = 0
    for spec in specs:
        if spec.fisma_id in existing:
            continue
        system = create_system(spec, directive, agencies[spec.agency], products, users["admin"])
        walk_workflow(system, spec.status, workflow_actor(spec, users))
        created += 1
    return created


def create_system(
    spec: SystemSpec, directive: Directive, agency: Agency, products: dict[str, Product], admin: User
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
    system._history_user = admin  # the "created" history entry names the loader's user
    return system_save(
        user=admin,
        system=system,
        depends_on=list(System.objects.filter(fisma_id__in=spec.depends_on)),
        covered_products=[products[name] for name in spec.products],
    )


def workflow_actor(spec: SystemSpec, users: dict[str, User]) -> User:
    """The defense lead moves defense systems; other departments have no demo lead, so admin does."""
    department = department_of(AGENCY_BY_ABBREVIATION[spec.agency])
    return users["lead"] if department.abbreviation == "DOD" else users["admin"]


def walk_workflow(system: System, status: str, actor: User) -> None:
    """Moves a new system step by step to `status`, recording each change as a user would."""
    for to_status in workflow.STEPS[1 : workflow.STEPS.index(status) + 1]:
        system_transition(user=actor, system=system, to_status=to_status)


def ensure_contracts(specs: Sequence[ContractSpec], agencies: dict[str, Agency], admin: User) -> int:
    created = 0
    for spec in specs:
        agency = agencies[spec.agency]
        if Contract.objects.filter(
            agency=agency, contract_number=spec.contract_number, order_number=spec.order_number
        ).exists():
            continue
        contract_save(
            user=admin, contract=build_contract(spec, agency), systems=System.objects.filter(fisma_id__in=spec.systems)
        )
        created += 1
    return created


def build_contract(spec: ContractSpec, agency: Agency) -> Contract:
    return Contract(
        agency=agency,
        contract_number=spec.contract_number,
        order_number=spec.order_number,
        vehicle=spec.vehicle,
        vendor_name=VENDOR_NAME,
        vendor_uei=VENDOR_UEI,
        vendor_cage=VENDOR_CAGE,
        value=spec.value,
        option_date=spec.option_date,
        renewal_date=spec.renewal_date,
        end_date=spec.end_date,
        contracting_officer=spec.contracting_officer.name,
        contracting_officer_email=spec.contracting_officer.email,
    )


# --- Scale data ------------------------------------------------------------------------

SCALE_PREFIX = "SCALE-"
SCALE_BATCH_SIZE = 5_000
SCALE_MAX_SYSTEMS = 1_000_000


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
    directive = Directive.objects.get(short_name=DIRECTIVE_SHORT_NAME)
    agencies = list(Agency.objects.filter(abbreviation__in=AGENCY_BY_ABBREVIATION).order_by("abbreviation"))
    products = list(directive.covered_products.order_by("name"))
    existing = set(System.objects.filter(fisma_id__startswith=SCALE_PREFIX).values_list("fisma_id", flat=True))
    rng = random.Random(DEMO_SEED)
    created = 0
    for start in range(1, count + 1, SCALE_BATCH_SIZE):
        numbers = range(start, min(start + SCALE_BATCH_SIZE, count + 1))
        # Draw for every number, existing or not, so system N always gets the same values.
        draws = [scale_draw(rng, number, agencies, products) for number in numbers]
        created += insert_scale_batch([draw for draw in draws if draw.fisma_id not in existing], directive)
    directive_refresh_deadlines(directive)
    return created


class ScaleDraw(NamedTuple):
    """The random choices for one synthetic system, cheap to make and to throw away."""

    fisma_id: str
    name: str
    agency: Agency
    network: str
    dependency_kind: str
    criticality: str
    user_count: int
    product: Product


def scale_draw(rng: random.Random, number: int, agencies: Sequence[Agency], products: Sequence[Product]) -> ScaleDraw:
    agency = agencies[number % len(agencies)]
    return ScaleDraw(
        fisma_id=scale_fisma_id(number),
        name=f"Synthetic {rng.choice(USE_CASES).label} {number}",
        agency=agency,
        network=weighted(rng, NETWORK_WEIGHTS[agency.agency_type]),
        dependency_kind=weighted(rng, DEPENDENCY_WEIGHTS[agency.agency_type]),
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
        national_security_system=draw.network in CLASSIFIED_NETWORKS,
        dependency_kind=draw.dependency_kind,
        user_count=draw.user_count,
    )
