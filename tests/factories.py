"""factory_boy factories for the inventory domain."""

import datetime

import factory

from procurement.inventory.enums import AgencyType, Criticality, DependencyKind, Network, Role
from procurement.inventory.models import Agency, Contract, Directive, Membership, Product, System, User, Vendor
from procurement.inventory.services import ScopeRuleSpec, directive_revise

ISSUED_ON = datetime.date(2026, 2, 27)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.gov")
    password = factory.django.Password("correct horse battery staple")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    abbreviation = factory.Sequence(lambda n: f"AG{n}")
    agency_type = AgencyType.CIVILIAN


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.EDITOR


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor
        django_get_or_create = ("name",)

    name = "Covered AI Inc."


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("vendor", "name")

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Sequence(lambda n: f"Model {n}")


class DirectiveFactory(factory.django.DjangoModelFactory):
    """The Feb 2026 directive: civilian immediately, defense embedded systems at six months."""

    class Meta:
        model = Directive
        django_get_or_create = ("short_name",)
        skip_postgeneration_save = True

    title = "Cessation of use of covered AI vendor products"
    short_name = "AI-2026-01"
    issuing_authority = "The President"
    issued_on = ISSUED_ON

    @factory.post_generation
    def scope(directive, create, extracted, **kwargs):
        if not create or directive.revisions.exists():
            return
        directive_revise(
            directive=directive,
            user=None,
            effective_on=directive.issued_on,
            summary="Initial scope",
            rules=extracted or DEFAULT_RULES,
        )


DEFAULT_RULES = [
    ScopeRuleSpec(description="All agencies: cease use", removal_offset_days=0),
    ScopeRuleSpec(
        description="Defense systems embedding the vendor: six months",
        removal_offset_days=181,
        agency_type=AgencyType.DEFENSE,
        dependency_kind=DependencyKind.EMBEDDED,
    ),
]


class SystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = System

    agency = factory.SubFactory(AgencyFactory)
    directive = factory.SubFactory(DirectiveFactory)
    name = factory.Sequence(lambda n: f"System {n}")
    fisma_id = factory.Sequence(lambda n: f"FISMA-{n:05d}")
    criticality = Criticality.MODERATE
    network = Network.UNCLASSIFIED
    dependency_kind = DependencyKind.DIRECT_API
    owner_email = "owner@example.gov"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from procurement.inventory.services import system_refresh_deadline

        system = model_class(*args, **kwargs)
        system_refresh_deadline(system)
        system.save()
        return system


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    agency = factory.SubFactory(AgencyFactory)
    contract_number = factory.Sequence(lambda n: f"47QTCA26D{n:04d}")
    vendor_name = "Covered AI Inc."
