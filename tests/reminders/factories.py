"""Milestones made directly, as the planner would make them, for the reminder tests."""

import factory

from planner.enums import MilestoneKind
from planner.models import Milestone
from tests.factories import SystemFactory


class MilestoneFactory(factory.django.DjangoModelFactory):
    """A system's cut-over milestone (one per system and kind), in the milestone's agency and directive."""

    class Meta:
        model = Milestone

    system = factory.SubFactory(
        SystemFactory, agency=factory.SelfAttribute("..agency"), directive=factory.SelfAttribute("..directive")
    )
    kind = MilestoneKind.CUT_OVER
    title = factory.Sequence(lambda n: f"Cut over system {n}")
