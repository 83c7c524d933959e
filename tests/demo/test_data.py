"""The demo data file is read strictly: a typo, a missing key or an unknown key stops the load.

The reader is tested on a small, complete document below (two agencies, one use case, two
users) edited one line at a time; only the last tests read the shipped `data/demo.toml`.
Reading and drawing are plain Python; only the command test touches the database.
"""

import random
import tomllib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from procurement.demo import services
from procurement.demo.data import DemoData, DemoDataError, demo_data, parse_demo_data, read_demo_data
from procurement.inventory.enums import AgencyType, DependencyKind, Network, Role

SMALL = """
seed = 1
password = "not-a-real-password"

[directive]
short_name = "D-1"
title = "A directive"
issuing_authority = "Someone"
issued_on = 2026-02-27
identify_offset_days = 30
plan_offset_days = 60
status_report_interval_days = 30
exception_max_days = 365
exception_max_extensions = 1
revision_summary = "As issued"

[[directive.scope_rules]]
description = "Everyone: now"
removal_offset_days = 0

[[directive.scope_rules]]
description = "Defense embedded: later"
removal_offset_days = 181
agency_type = "defense"
dependency_kind = "embedded"

[vendor]
name = "Vendor"
uei = "UEI"
cage_code = "CAGE"
products = ["Chat", "Search"]

[people]
first_names = ["Ada", "Alan"]
last_names = ["Lovelace", "Turing"]
attesting_official_title = "CIO"
system_contact_role = "ISSO"

[[agencies]]
name = "Department"
abbreviation = "DEP"
agency_type = "defense"
email_domain = "dep.example.mil"
system_prefix = "Dep"
office_code = "D1"
system_count = 2
mission_areas = ["Logistics", "Budget"]

[[agencies]]
name = "Component"
abbreviation = "COM"
parent = "DEP"
agency_type = "defense"
email_domain = "com.example.mil"
system_prefix = "Com"
office_code = "C1"
system_count = 3
mission_areas = ["Training", "Maintenance", "Recruiting"]

[[use_cases]]
label = "Assistant"
purpose = "Answers {area} questions"
product = "Search"
dependency_kinds = ["direct_api", "embedded"]
paired_product = "Chat"

[systems]
classified_networks = ["secret"]
depends_on_share = 0.5
unclassified_national_security_share = 0.1
early_replacement_share = 0.3
single_product_share = 0.6
developer_tool_user_count = [5, 400]
user_count_exponent = [1.3, 4.7]
dependency_weights.defense = { direct_api = 1, embedded = 2 }
network_weights.defense = { unclassified = 1, secret = 1 }
criticality_weights.classified = { high = 1 }
criticality_weights.unclassified = { low = 1, moderate = 1 }
environments = { unclassified = ["Cloud"], secret = ["Enclave"] }
identification_weights = { self_report = 1 }
status_weights = { identified = 1, verified = 1 }
replacements = { direct_api = ["Other API"], embedded = ["Other product"] }
cost_ranges = { direct_api = [1, 2], embedded = [3, 4] }

[contracts]
systems_per_contract = 2
max_systems = 2
value_thousands = [1, 10]
first_option_date = 2026-03-01
option_window_days = 30
term_days = [10, 20]
renewal_share = 0.5
order_number = "{office_code}F{sequence:04d}"
contract_number = "{office_code}C{sequence:04d}"
vehicle_weights = { "GSA MAS" = 1, "Agency contract" = 1 }
vehicle_contract_numbers = { "GSA MAS" = "47Q" }

[[users]]
username = "admin"
first_name = "Ada"
last_name = "Admin"
email = "admin@example.gov"
can_do = "Everything"
is_superuser = true

[[users]]
username = "lead"
first_name = "Leo"
last_name = "Lead"
email = "lead@example.mil"
can_do = "Leads the department"
agency = "DEP"
role = "lead"
"""


def read(text: str = SMALL) -> DemoData:
    return parse_demo_data(text, source="demo.toml")


def edited(old: str, new: str) -> str:
    """SMALL with one line changed; the line must be there once, or the test would prove nothing."""
    assert SMALL.count(old) == 1, old
    return SMALL.replace(old, new)


def error_of(text: str) -> str:
    with pytest.raises(DemoDataError) as raised:
        read(text)
    return str(raised.value)


def test_small_document_reads_through_the_enums():
    data = read()
    assert [agency.agency_type for agency in data.agencies] == [AgencyType.DEFENSE, AgencyType.DEFENSE]
    assert data.use_cases[0].dependency_kinds == (DependencyKind.DIRECT_API, DependencyKind.EMBEDDED)
    assert list(data.systems.network_weights["defense"]) == [Network.UNCLASSIFIED, Network.SECRET]
    assert data.directive.scope_rules[0].agency_type == ""  # absent: the rule covers every agency type
    assert data.directive.scope_rules[1].dependency_kind == DependencyKind.EMBEDDED
    assert data.users[1].role == Role.TRANSITION_LEAD
    assert data.superuser.username == "admin"
    assert data.transition_lead_of("DEP") == data.users[1]


def test_a_dict_reads_like_text():
    assert read_demo_data(tomllib.loads(SMALL)) == read()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'abbreviation = "COM"\nparent = "DEP"\nagency_type = "defense"',
            'abbreviation = "COM"\nparent = "DEP"\nagency_type = "defence"',
            'demo.toml: agencies[1].agency_type: "defence" is not one of civilian, defense, intelligence',
        ),
        (
            'dependency_kinds = ["direct_api", "embedded"]',
            'dependency_kinds = ["direct_api", "embeded"]',
            'demo.toml: use_cases[0].dependency_kinds[1]: "embeded" is not one of '
            "direct_api, cloud_platform, embedded, developer_tool, custom_model",
        ),
        (
            'dependency_kind = "embedded"',
            'dependency_kind = "Embedded"',
            'demo.toml: directive.scope_rules[1].dependency_kind: "Embedded" is not one of '
            "direct_api, cloud_platform, embedded, developer_tool, custom_model",
        ),
        (
            "network_weights.defense = { unclassified = 1, secret = 1 }",
            "network_weights.defense = { unclassified = 1, secrett = 1 }",
            'demo.toml: systems.network_weights.defense: key "secrett" is not one of '
            "unclassified, cui, secret, top_secret",
        ),
        (
            "status_weights = { identified = 1, verified = 1 }",
            "status_weights = { identified = 1, verifed = 1 }",
            'demo.toml: systems.status_weights: key "verifed" is not one of '
            "identified, assessed, plan_approved, migrating, cut_over, removed, verified",
        ),
        (
            'role = "lead"',
            'role = "transition_lead"',
            'demo.toml: users[1].role: "transition_lead" is not one of viewer, editor, lead',
        ),
    ],
)
def test_a_typo_in_a_choice_names_the_path_the_value_and_the_choices(old, new, message):
    assert error_of(edited(old, new)) == message


def test_a_missing_key_is_named_with_its_table():
    text = edited('email_domain = "com.example.mil"\n', "")
    assert error_of(text) == 'demo.toml: agencies[1]: missing required key "email_domain"'


def test_a_missing_table_is_named():
    text = edited("[vendor]", "[vendors]")
    assert error_of(text).startswith('demo.toml: top level: missing required key "vendor"')


def test_an_unknown_key_is_named_with_the_known_ones():
    # A misspelt optional key would otherwise be ignored: this system would lose its pairing.
    text = edited('paired_product = "Chat"', 'paired_prodcut = "Chat"')
    assert error_of(text) == (
        'demo.toml: use_cases[0]: unknown key "paired_prodcut" '
        "(known keys: label, purpose, product, dependency_kinds, paired_product)"
    )


def test_an_unknown_top_level_table_is_named():
    assert error_of(SMALL + "\n[extras]\nanything = 1\n").startswith('demo.toml: top level: unknown key "extras"')


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("system_count = 3", 'system_count = "3"', 'demo.toml: agencies[1].system_count: expected an integer, got "3"'),
        ("depends_on_share = 0.5", "depends_on_share = 5", "expected a share between 0 and 1, got 5"),
        ("term_days = [10, 20]", "term_days = [20, 10]", "demo.toml: contracts.term_days: expected [low, high]"),
        (
            "issued_on = 2026-02-27",
            'issued_on = "2026-02-27"',
            'directive.issued_on: expected a date, got "2026-02-27"',
        ),
        ('purpose = "Answers {area} questions"', 'purpose = "Answers {aera} questions"', "use_cases[0].purpose"),
        (
            'vehicle_weights = { "GSA MAS" = 1,',
            'vehicle_weights = { "GSA MAS" = "1",',
            'demo.toml: contracts.vehicle_weights."GSA MAS": expected an integer, got "1"',
        ),
    ],
)
def test_a_value_of_the_wrong_shape_is_named(old, new, message):
    assert message in error_of(edited(old, new))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('parent = "DEP"', 'parent = "DEPT"', 'demo.toml: agencies[1].parent: "DEPT" is not an earlier department'),
        ('paired_product = "Chat"', 'paired_product = "Chatt"', 'use_cases[0].paired_product: "Chatt" is not one'),
        ("system_count = 3", "system_count = 4", "agencies[1].system_count: 4 is more than its mission areas"),
        ('agency = "DEP"', 'agency = "COMP"', 'demo.toml: users[1].agency: "COMP" is not one of DEP, COM'),
        ("is_superuser = true", "is_superuser = false", "demo.toml: users: one user needs `is_superuser = true`"),
        ("embedded = [3, 4] }", "custom_model = [3, 4] }", 'systems.cost_ranges: missing required key "embedded"'),
    ],
)
def test_a_reference_to_nothing_is_named(old, new, message):
    assert message in error_of(edited(old, new))


def test_invalid_toml_names_the_file():
    assert error_of("seed = \n").startswith("demo.toml: not valid TOML: ")


def test_systems_and_contracts_are_drawn_from_any_valid_data():
    data = read()
    systems = services.system_specs(random.Random(data.seed), data)
    assert [spec.fisma_id for spec in systems] == ["DEP-0001", "DEP-0002", "COM-0001", "COM-0002", "COM-0003"]
    assert {spec.dependency_kind for spec in systems} <= {DependencyKind.DIRECT_API, DependencyKind.EMBEDDED}
    contracts = services.contract_specs(random.Random(data.seed), data, systems)
    assert {contract.agency for contract in contracts} == {"DEP", "COM"}


def test_the_shipped_file_loads():
    data = demo_data()
    departments = [agency for agency in data.agencies if not agency.parent]
    assert len(departments) == 6 and len(data.agencies) == 21
    assert sum(agency.system_count for agency in data.agencies) == 150
    assert data.directive.short_name == services.DIRECTIVE_SHORT_NAME == "AI-2026-01"
    assert data.password == services.DEMO_PASSWORD


def test_the_shipped_file_draws_the_same_demo_every_time():
    data = demo_data()
    first, second = random.Random(data.seed), random.Random(data.seed)
    systems = services.system_specs(first, data)
    assert systems == services.system_specs(second, data)
    assert len(services.contract_specs(first, data, systems)) == 41


@pytest.mark.django_db
def test_loaddemo_reports_a_mistake_in_the_file(monkeypatch):
    def broken() -> DemoData:
        return read(
            edited('agency_type = "defense"\nemail_domain = "com', 'agency_type = "defence"\nemail_domain = "com')
        )

    monkeypatch.setattr(services, "demo_data", broken)
    with pytest.raises(CommandError, match=r'agencies\[1\]\.agency_type: "defence" is not one of'):
        call_command("loaddemo", "--force", stdout=StringIO())
