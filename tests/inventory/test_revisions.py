"""Directive revisions in the app: start from the current rules, preview, confirm losses, save (issue 7, item 2)."""

import datetime

import pytest
from django.urls import reverse

from procurement.inventory.enums import AgencyType, DependencyKind
from procurement.inventory.models import System
from procurement.inventory.selectors import directive_revision_preview
from procurement.inventory.services import ScopeRuleSpec, directive_revise
from tests.factories import ISSUED_ON, AgencyFactory, SystemFactory


@pytest.fixture
def systems(component_a, agency_b, directive):
    """Systems in several scope classes: civilian and defense, direct API and embedded, NSS or not."""
    intelligence = AgencyFactory(name="Intelligence agency", abbreviation="IC", agency_type=AgencyType.INTELLIGENCE)
    made = []
    for agency in (component_a, agency_b, intelligence):
        for kind in (DependencyKind.DIRECT_API, DependencyKind.EMBEDDED, DependencyKind.CLOUD_PLATFORM):
            for nss in (False, True):
                made.append(SystemFactory(agency=agency, directive=directive, dependency_kind=kind,
                                          national_security_system=nss))  # fmt: skip
    return made


def deadlines(directive) -> dict[int, datetime.date | None]:
    return dict(System.objects.filter(directive=directive).values_list("pk", "removal_deadline"))


NEW_RULES = [
    ScopeRuleSpec(description="Civilian: cease use", removal_offset_days=0, agency_type=AgencyType.CIVILIAN),
    ScopeRuleSpec(
        description="Cloud platforms: 90 days", removal_offset_days=90, dependency_kind=DependencyKind.CLOUD_PLATFORM
    ),  # fmt: skip
    ScopeRuleSpec(
        description="Defense embedded: 181 days",
        removal_offset_days=181,
        agency_type=AgencyType.DEFENSE,
        dependency_kind=DependencyKind.EMBEDDED,
    ),  # fmt: skip
]


def preview_then_save(root, directive, rules):
    """The preview of `rules`, and the deadlines saving them changed (gained, lost, moved ids)."""
    before = deadlines(directive)
    preview = directive_revision_preview(directive, rules)
    directive_revise(directive=directive, user=root, effective_on=ISSUED_ON, summary="Change", rules=rules)
    after = deadlines(directive)
    gained = sorted(pk for pk in after if before[pk] is None and after[pk] is not None)
    lost = sorted(pk for pk in after if before[pk] is not None and after[pk] is None)
    moved = sorted(pk for pk in after if None not in (before[pk], after[pk]) and before[pk] != after[pk])
    assert (preview.changes.gained, preview.changes.lost, preview.changes.moved) == (len(gained), len(lost), len(moved))
    assert sorted(move.system_id for move in preview.gained) == gained
    assert sorted(move.system_id for move in preview.lost) == lost
    assert sorted(move.system_id for move in preview.moved) == moved
    assert preview.without_deadline == sum(1 for deadline in after.values() if deadline is None)
    return preview


def test_preview_counts_equal_what_saving_does(root, directive, systems):
    narrower = preview_then_save(root, directive, NEW_RULES)
    assert narrower.changes.lost and narrower.changes.moved  # the case is not trivial
    sooner_cloud = ScopeRuleSpec(description="Cloud: 45 days", removal_offset_days=45,
                                 dependency_kind=DependencyKind.CLOUD_PLATFORM)  # fmt: skip
    everyone = ScopeRuleSpec(description="All", removal_offset_days=30)
    wider = preview_then_save(root, directive, [NEW_RULES[0], sooner_cloud, NEW_RULES[2], everyone])
    assert wider.changes.gained == narrower.changes.lost and wider.changes.moved and wider.without_deadline == 0


def revise_url(directive) -> str:
    return reverse("inventory:directive-revise", args=[directive.pk])


def test_only_administrators_open_the_page(client, lena, olga, directive):
    for user in (lena, olga):
        client.force_login(user)
        assert client.get(revise_url(directive)).status_code == 403
        assert client.post(revise_url(directive), {"action": "save"}).status_code == 403


def test_a_new_revision_starts_from_the_current_rules(client, root, directive):
    client.force_login(root)
    rules = client.get(revise_url(directive)).context["rules"]
    prefilled = [form.initial for form in rules.forms if form.initial]
    assert [(rule["description"], rule["removal_offset_days"]) for rule in prefilled] == [
        ("All agencies: cease use", 0),
        ("Defense systems embedding the vendor: six months", 181),
    ]


def form_data(rules: list[dict], **extra) -> dict:
    data = {"effective_on": "2026-04-01", "summary": "Scope change", "rules-TOTAL_FORMS": str(len(rules)),
            "rules-INITIAL_FORMS": "0", "rules-MIN_NUM_FORMS": "0", "rules-MAX_NUM_FORMS": "50", **extra}  # fmt: skip
    for number, rule in enumerate(rules):
        for name, value in rule.items():
            data[f"rules-{number}-{name}"] = value
    return data


ONLY_DEFENSE = [{"description": "Defense only", "agency_type": "defense", "removal_offset_days": "30"}]


def test_preview_lists_the_systems_and_saving_needs_a_confirmation_for_lost_deadlines(client, root, directive, systems):
    client.force_login(root)
    preview = client.post(revise_url(directive), form_data(ONLY_DEFENSE, action="preview"))
    assert preview.status_code == 200
    result = preview.context["preview"]
    assert result.changes.lost == 12 and result.changes.moved == 6  # civilian and intelligence lose, defense moves
    assert systems[0].fisma_id in preview.content.decode()
    previewed = preview.context["form"]["previewed"].value()
    assert previewed

    unconfirmed = client.post(revise_url(directive), form_data(ONLY_DEFENSE, action="save", previewed=previewed))
    assert "confirm_without_deadline" in unconfirmed.context["form"].errors
    assert directive.current_revision().number == 1

    saved = client.post(
        revise_url(directive),
        form_data(ONLY_DEFENSE, action="save", previewed=previewed, confirm_without_deadline="on"),
        follow=True,
    )
    assert "12 lost one, 6 moved" in saved.content.decode()
    assert directive.current_revision().number == 2
    assert System.objects.filter(directive=directive, removal_deadline__isnull=True).count() == 12


def test_saving_rules_other_than_the_previewed_ones_is_refused(client, root, directive, systems):
    client.force_login(root)
    preview = client.post(revise_url(directive), form_data(ONLY_DEFENSE, action="preview"))
    previewed = preview.context["form"]["previewed"].value()
    edited = [{**ONLY_DEFENSE[0], "removal_offset_days": "60"}]
    response = client.post(revise_url(directive), form_data(edited, action="save", previewed=previewed,
                                                              confirm_without_deadline="on"))  # fmt: skip
    assert directive.current_revision().number == 1
    assert response.context["preview"].changes.moved == 6  # the new rules' preview is shown instead
    assert "differ from the ones previewed" in response.content.decode()


def test_a_revision_that_keeps_every_deadline_needs_no_confirmation(client, root, directive, systems):
    client.force_login(root)
    everyone = [{"description": "Everyone", "removal_offset_days": "0"}]
    preview = client.post(revise_url(directive), form_data(everyone, action="preview"))
    assert preview.context["preview"].without_deadline == 0
    previewed = preview.context["form"]["previewed"].value()
    response = client.post(revise_url(directive), form_data(everyone, action="save", previewed=previewed))
    assert response.status_code == 302
    assert directive.current_revision().summary == "Scope change"
