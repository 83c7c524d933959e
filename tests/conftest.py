"""Named users and agencies shared by every test.

Agency A is the Department of the Treasury with one component (IRS); agency B is
another department. alice edits A, victor views A, lena leads A, bob edits B,
olga is oversight, root is staff admin.
"""

import os

import pytest
from hypothesis import settings

from procurement.inventory.enums import AgencyType, Role
from tests.factories import (
    AgencyFactory,
    ContractFactory,
    DirectiveFactory,
    MembershipFactory,
    SystemFactory,
    UserFactory,
)

# Property tests: CI draws the same examples on every run (a green run is not luck);
# a developer's runs draw new ones, and a failure found either way is kept in
# .hypothesis/ and tried first next time.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def directive(db):
    return DirectiveFactory()


@pytest.fixture
def agency_a(db):
    return AgencyFactory(name="Department of the Treasury", abbreviation="TREAS")


@pytest.fixture
def component_a(agency_a):
    return AgencyFactory(name="Internal Revenue Service", abbreviation="IRS", parent=agency_a)


@pytest.fixture
def agency_b(db):
    return AgencyFactory(name="Department of Defense", abbreviation="DOD", agency_type=AgencyType.DEFENSE)


def _member(username, agency, role):
    user = UserFactory(username=username)
    MembershipFactory(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def alice(agency_a):
    return _member("alice", agency_a, Role.EDITOR)


@pytest.fixture
def victor(agency_a):
    return _member("victor", agency_a, Role.VIEWER)


@pytest.fixture
def lena(agency_a):
    return _member("lena", agency_a, Role.TRANSITION_LEAD)


@pytest.fixture
def bob(agency_b):
    return _member("bob", agency_b, Role.EDITOR)


@pytest.fixture
def olga(db):
    return UserFactory(username="olga", is_oversight=True)


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def system_a(component_a, directive):
    return SystemFactory(agency=component_a, directive=directive, name="Taxpayer chat assistant")


@pytest.fixture
def system_b(agency_b, directive):
    return SystemFactory(agency=agency_b, directive=directive, name="Targeting analytics")


@pytest.fixture
def contract_a(component_a, system_a):
    contract = ContractFactory(agency=component_a)
    contract.systems.add(system_a)
    return contract


@pytest.fixture
def contract_b(agency_b, system_b):
    contract = ContractFactory(agency=agency_b)
    contract.systems.add(system_b)
    return contract


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing strength is not under test; the default hasher costs seconds per suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
