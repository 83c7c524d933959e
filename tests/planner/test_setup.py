"""Planning set-up in the app: a transition lead edits teams, freezes, templates and a system's
estimates; the next plan's problem (planner.problems.problem_build) changes with them.

Named users (tests/conftest.py): lena leads Treasury (A), victor views it, alice edits it,
bob edits Defense (B), root is an administrator. IRS is Treasury's component.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from planner import services
from planner.calendars import WorkCalendar
from planner.enums import Step, TeamKind
from planner.models import FreezeWindow, Plan, SystemEstimate, Team, TeamCapacityChange, WorkTemplateStep
from planner.models import WorkCalendar as CalendarRow
from planner.problems import item_id, problem_build, team_resource
from planner.setup_services import MAX_HEAD_COUNT
from procurement.inventory.enums import DependencyKind
from procurement.inventory.models import System

START = datetime.date(2026, 11, 23)  # a Monday


def build(agency):
    return problem_build(System.objects.filter(agency=agency), START)


def duration(built, system, step: str) -> int:
    return next(item.duration for item in built.problem.items if item.id == item_id(system.pk, step))


def resource(built, team):
    return next(r for r in built.problem.resources if r.name == team_resource(team.pk))


def setup_url(agency) -> str:
    return reverse("planner:setup", args=[agency.pk])


@pytest.fixture
def engineers(teams_a):
    return teams_a[TeamKind.ENGINEERS]


# --- Who may -----------------------------------------------------------------------------------


def outsider_urls(agency_a, engineers, system_a):
    change = TeamCapacityChange.objects.create(team=engineers, starts_on=START, head_count=3)
    calendar = CalendarRow.objects.create(agency=agency_a, name="TREAS")
    window = FreezeWindow.objects.create(calendar=calendar, starts_on=START, ends_on=START, reason="Filing")
    kind = DependencyKind.DIRECT_API
    return [
        ("get", reverse("planner:setup", args=[agency_a.pk])),
        ("post", reverse("planner:setup-team-add", args=[agency_a.pk])),
        ("post", reverse("planner:setup-freeze-add", args=[agency_a.pk])),
        ("post", reverse("planner:setup-template-save", args=[agency_a.pk, kind])),
        ("post", reverse("planner:setup-template-copy", args=[agency_a.pk, kind])),
        ("post", reverse("planner:setup-template-reset", args=[agency_a.pk, kind])),
        ("post", reverse("planner:setup-team-edit", args=[engineers.pk])),
        ("post", reverse("planner:setup-team-delete", args=[engineers.pk])),
        ("post", reverse("planner:setup-change-add", args=[engineers.pk])),
        ("post", reverse("planner:setup-change-remove", args=[change.pk])),
        ("post", reverse("planner:setup-freeze-remove", args=[window.pk])),
        ("get", reverse("planner:system-estimates", args=[system_a.pk])),
        ("post", reverse("planner:system-estimates", args=[system_a.pk])),
    ]


def test_another_agencys_set_up_is_404_for_every_url(client, bob, agency_a, engineers, system_a):
    client.force_login(bob)
    for method, url in outsider_urls(agency_a, engineers, system_a):
        assert getattr(client, method)(url).status_code == 404, url
    assert TeamCapacityChange.objects.count() == 1 and FreezeWindow.objects.count() == 1


@pytest.mark.parametrize("username", ["victor", "alice"])
def test_others_in_the_agency_see_but_may_not_change(client, request, username, agency_a, engineers, system_a):
    client.force_login(request.getfixturevalue(username))
    page = client.get(setup_url(agency_a))
    assert page.status_code == 200
    assert engineers.name in page.content.decode()
    assert b"Add freeze window" not in page.content and b"Only the agency's transition lead" in page.content
    for method, url in outsider_urls(agency_a, engineers, system_a):
        if method == "post":
            assert client.post(url).status_code == 403, url
    assert client.get(reverse("planner:system-estimates", args=[system_a.pk])).status_code == 200


def test_set_up_list_shows_only_agencies_the_user_may_see(client, lena, agency_a, component_a, agency_b):
    client.force_login(lena)
    page = client.get(reverse("planner:setup-list")).content.decode()
    assert "Department of the Treasury" in page and "Internal Revenue Service" in page
    assert "Department of Defense" not in page
    filtered = client.get(reverse("planner:setup-list"), {"name": "IRS"}).content.decode()
    assert "Internal Revenue Service" in filtered and "Department of the Treasury</a>" not in filtered


# --- Teams -------------------------------------------------------------------------------------


def test_team_head_count_changes_reach_the_next_problem(client, lena, agency_a, component_a, engineers, irs_systems):
    client.force_login(lena)
    response = client.post(
        reverse("planner:setup-change-add", args=[engineers.pk]),
        {f"change-{engineers.pk}-starts_on": "2026-12-07", f"change-{engineers.pk}-head_count": "5"},
    )
    assert response.status_code == 302
    edit = client.post(
        reverse("planner:setup-team-edit", args=[engineers.pk]),
        {
            f"team-{engineers.pk}-name": "Treasury engineers",
            f"team-{engineers.pk}-kind": TeamKind.ENGINEERS,
            f"team-{engineers.pk}-head_count": "3",
            f"team-{engineers.pk}-version": "1",
        },
    )
    assert edit.status_code == 302
    engineers_now = resource(build(component_a), engineers)
    calendar = WorkCalendar(START)
    assert engineers_now.capacity == 3
    assert engineers_now.capacity_changes == ((calendar.units_before(datetime.date(2026, 12, 7)), 5),)


def test_removing_a_head_count_change_restores_the_team(client, lena, component_a, engineers, irs_systems):
    change = TeamCapacityChange.objects.create(team=engineers, starts_on=datetime.date(2026, 12, 7), head_count=0)
    client.force_login(lena)
    assert client.post(reverse("planner:setup-change-remove", args=[change.pk])).status_code == 302
    assert resource(build(component_a), engineers).capacity_changes == ()


def test_a_new_team_is_planned_on(client, lena, agency_a, component_a, irs_systems):
    client.force_login(lena)
    response = client.post(
        reverse("planner:setup-team-add", args=[component_a.pk]),
        {"new-team-name": "IRS engineers", "new-team-kind": TeamKind.ENGINEERS, "new-team-head_count": "4"},
    )
    assert response.status_code == 302
    team = Team.objects.get(name="IRS engineers")
    built = build(component_a)
    assert built.items[item_id(irs_systems[0].pk, Step.BUILD)].team_id == team.pk  # the component's own first
    assert resource(built, team).capacity == 4


@pytest.mark.parametrize(
    ("head_count", "message"),
    [("-1", "Head count must be 0 or more."), (str(MAX_HEAD_COUNT + 1), "the most the planner takes")],
)
def test_head_count_out_of_range_is_refused_naming_the_field(client, lena, agency_a, engineers, head_count, message):
    client.force_login(lena)
    key = f"team-{engineers.pk}"
    response = client.post(
        reverse("planner:setup-team-edit", args=[engineers.pk]),
        {f"{key}-name": engineers.name, f"{key}-kind": engineers.kind, f"{key}-head_count": head_count},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    engineers.refresh_from_db()
    assert engineers.head_count == 2


def test_a_team_name_used_twice_is_refused(client, lena, agency_a, engineers):
    client.force_login(lena)
    response = client.post(
        reverse("planner:setup-team-add", args=[agency_a.pk]),
        {"new-team-name": engineers.name, "new-team-kind": TeamKind.ENGINEERS, "new-team-head_count": "1"},
    )
    assert response.status_code == 400
    assert "Team name: this agency already has a team called" in response.content.decode()


def test_a_stale_team_form_is_refused_with_what_changed(client, lena, root, agency_a, engineers):
    client.force_login(root)
    key = f"team-{engineers.pk}"
    form = {f"{key}-name": engineers.name, f"{key}-kind": engineers.kind, f"{key}-version": "1"}
    assert client.post(reverse("planner:setup-team-edit", args=[engineers.pk]), form | {f"{key}-head_count": "5"})
    client.force_login(lena)
    response = client.post(reverse("planner:setup-team-edit", args=[engineers.pk]), form | {f"{key}-head_count": "7"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "root saved the team" in page and "<strong>head count</strong>: 2 → 5" in page
    engineers.refresh_from_db()
    assert (engineers.head_count, engineers.version) == (5, 2)
    assert f'name="{key}-version" value="2"' in page  # saving again applies lena's 7 knowingly


def test_team_changes_are_in_the_history(client, lena, agency_a, engineers):
    client.force_login(lena)
    key = f"team-{engineers.pk}"
    client.post(
        reverse("planner:setup-team-edit", args=[engineers.pk]),
        {f"{key}-name": engineers.name, f"{key}-kind": engineers.kind, f"{key}-head_count": "3", f"{key}-version": "1"},
    )
    record = engineers.history.latest("history_date")
    assert (record.history_user, record.head_count, record.history_type) == (lena, 3, "~")
    page = client.get(setup_url(agency_a)).content.decode()
    assert "head count: 2 → 3" in page


def test_a_team_with_no_work_is_deleted_with_its_changes_and_kept_in_history(client, lena, agency_a, engineers):
    spare = Team.objects.create(agency=agency_a, kind=TeamKind.ENGINEERS, name="Spare engineers", head_count=4)
    TeamCapacityChange.objects.create(team=spare, starts_on=START, head_count=6)
    client.force_login(lena)
    response = client.post(reverse("planner:setup-team-delete", args=[spare.pk]), follow=True)
    assert "Deleted the team Spare engineers." in response.content.decode()
    assert not Team.objects.filter(pk=spare.pk).exists() and not TeamCapacityChange.objects.filter(team_id=spare.pk)
    record = Team.history.filter(id=spare.pk).latest("history_date")
    assert (record.history_type, record.history_user, record.name) == ("-", lena, "Spare engineers")
    change = TeamCapacityChange.history.filter(team_id=spare.pk).latest("history_date")
    assert (change.history_type, change.history_user) == ("-", lena)
    assert Team.objects.filter(pk=engineers.pk).exists()


def test_a_team_with_steps_in_the_current_plan_is_not_deleted(client, lena, agency_a, engineers, irs_systems):
    plan = services.plan_run_now(
        services.plan_request(user=lena, agency=agency_a, time_limit_seconds=2, queue=False, starts_on=START).pk
    )
    steps = plan.steps.filter(team=engineers).count()
    assert steps
    client.force_login(lena)
    response = client.post(reverse("planner:setup-team-delete", args=[engineers.pk]), follow=True)
    assert f"{engineers.name} has {steps} steps in the current plan, so it cannot be deleted." in (
        response.content.decode()
    )
    assert Team.objects.filter(pk=engineers.pk).exists() and plan.steps.filter(team=engineers).count() == steps


def test_a_team_is_not_deleted_while_a_plan_run_may_still_use_it(client, lena, agency_a, component_a):
    spare = Team.objects.create(agency=component_a, kind=TeamKind.ENGINEERS, name="Spare engineers", head_count=4)
    Plan.objects.create(agency=agency_a, created_by=lena, starts_on=START)  # queued, for the department
    client.force_login(lena)
    response = client.post(reverse("planner:setup-team-delete", args=[spare.pk]), follow=True)
    assert "A plan run covering Spare engineers is queued or running" in response.content.decode()
    assert Team.objects.filter(pk=spare.pk).exists()


# --- Calendar ----------------------------------------------------------------------------------


def test_a_freeze_window_blocks_the_next_problems_steps(client, lena, component_a, irs_systems):
    client.force_login(lena)
    response = client.post(
        reverse("planner:setup-freeze-add", args=[component_a.pk]),
        {"freeze-starts_on": "2026-12-14", "freeze-ends_on": "2026-12-18", "freeze-reason": "Year-end close"},
    )
    assert response.status_code == 302
    calendar = WorkCalendar(START)
    frozen = calendar.blocked_units(datetime.date(2026, 12, 14), datetime.date(2026, 12, 18))
    assert all(item.blocked_periods == (frozen,) for item in build(component_a).problem.items)
    window = FreezeWindow.objects.get()
    assert window.history.get().history_user == lena
    client.post(reverse("planner:setup-freeze-remove", args=[window.pk]))
    assert all(item.blocked_periods == () for item in build(component_a).problem.items)


def test_a_freeze_ending_before_it_starts_is_refused_naming_the_field(client, lena, agency_a):
    client.force_login(lena)
    response = client.post(
        reverse("planner:setup-freeze-add", args=[agency_a.pk]),
        {"freeze-starts_on": "2026-12-14", "freeze-ends_on": "2026-12-13", "freeze-reason": "Backwards"},
    )
    assert response.status_code == 400
    assert "Last frozen day must be on or after the first frozen day (2026-12-14)." in response.content.decode()
    assert not FreezeWindow.objects.exists()


def test_holidays_are_shown(client, victor, agency_a):
    client.force_login(victor)
    page = client.get(setup_url(agency_a)).content.decode()
    assert "Christmas Day" in page and "Thanksgiving" in page


# --- Work templates ----------------------------------------------------------------------------


def template_form(agency, kind, **changes):
    """The posted template form: every step as stored for the agency, with `changes` (step -> effort)."""
    data = {}
    for row in WorkTemplateStep.objects.filter(agency=agency, dependency_kind=kind):
        prefix = f"template-{kind}-{row.step}"
        data |= {
            f"{prefix}-effort": str(changes.get(row.step, row.effort_days)),
            f"{prefix}-team_kind": row.team_kind,
            f"{prefix}-people": str(row.head_count),
            f"{prefix}-version": str(row.version),
        }
    return data


def test_an_agency_template_copies_the_defaults_then_changes_the_next_problem(
    client, lena, agency_a, component_a, irs_systems
):
    api_system, kind = irs_systems[0], DependencyKind.DIRECT_API
    before = duration(build(component_a), api_system, Step.BUILD)
    client.force_login(lena)
    assert client.post(reverse("planner:setup-template-copy", args=[component_a.pk, kind])).status_code == 302
    copied = WorkTemplateStep.objects.filter(agency=component_a, dependency_kind=kind)
    assert copied.count() == 8 and copied.get(step=Step.BUILD).effort_days == Decimal(15)
    assert duration(build(component_a), api_system, Step.BUILD) == before  # a copy changes nothing yet
    form = template_form(component_a, kind, build="40")
    response = client.post(reverse("planner:setup-template-save", args=[component_a.pk, kind]), form)
    assert response.status_code == 302
    assert duration(build(component_a), api_system, Step.BUILD) == 40  # moderate, up to 100 users: unscaled
    assert duration(build(component_a), irs_systems[1], Step.BUILD) == 5  # another kind keeps the default
    assert client.post(reverse("planner:setup-template-reset", args=[component_a.pk, kind])).status_code == 302
    assert duration(build(component_a), api_system, Step.BUILD) == before


def test_template_effort_of_zero_is_refused_naming_the_step(client, lena, agency_a):
    kind = DependencyKind.EMBEDDED
    client.force_login(lena)
    client.post(reverse("planner:setup-template-copy", args=[agency_a.pk, kind]))
    response = client.post(
        reverse("planner:setup-template-save", args=[agency_a.pk, kind]), template_form(agency_a, kind, assess="0")
    )
    assert response.status_code == 400
    assert "Assess: effort (work days) must be more than 0" in response.content.decode()
    assert WorkTemplateStep.objects.get(agency=agency_a, dependency_kind=kind, step=Step.ASSESS).effort_days == 5


def test_a_stale_template_form_is_refused_with_what_changed(client, lena, root, agency_a):
    kind = DependencyKind.EMBEDDED
    client.force_login(lena)
    client.post(reverse("planner:setup-template-copy", args=[agency_a.pk, kind]))
    seen = template_form(agency_a, kind)
    client.force_login(root)
    client.post(
        reverse("planner:setup-template-save", args=[agency_a.pk, kind]), template_form(agency_a, kind, build=12)
    )
    client.force_login(lena)
    stale = seen | {f"template-{kind}-build-effort": "30"}
    response = client.post(reverse("planner:setup-template-save", args=[agency_a.pk, kind]), stale)
    assert response.status_code == 409
    assert "Build and integrate: effort (work days)</strong>: 10.0 → 12.0" in response.content.decode()
    assert WorkTemplateStep.objects.get(agency=agency_a, dependency_kind=kind, step=Step.BUILD).effort_days == 12


# --- A system's own estimates ------------------------------------------------------------------


def estimates_form(system, **efforts):
    versions = dict(SystemEstimate.objects.filter(system=system).values_list("step", "version"))
    data = {"estimates-reason": "Vendor quote"}
    for step in Step.values:
        data[f"estimates-{step}-effort"] = str(efforts.get(step, ""))
        data[f"estimates-{step}-version"] = str(versions.get(step, ""))
    return data


def test_a_systems_own_estimate_changes_its_duration(client, lena, component_a, irs_systems):
    system = irs_systems[0]
    url = reverse("planner:system-estimates", args=[system.pk])
    before = duration(build(component_a), system, Step.BUILD)
    client.force_login(lena)
    assert client.post(url, estimates_form(system, build="22.5")).status_code == 302
    assert duration(build(component_a), system, Step.BUILD) == 23  # rounded up to whole work days
    estimate = SystemEstimate.objects.get(system=system)
    assert (estimate.reason, estimate.history.get().history_user) == ("Vendor quote", lena)
    assert client.post(url, estimates_form(system)).status_code == 302  # blank: the template again
    assert duration(build(component_a), system, Step.BUILD) == before
    assert not SystemEstimate.objects.exists()


def test_an_estimate_of_zero_is_refused_naming_the_step(client, lena, irs_systems):
    system = irs_systems[0]
    client.force_login(lena)
    response = client.post(reverse("planner:system-estimates", args=[system.pk]), estimates_form(system, build="0"))
    assert response.status_code == 400
    assert "Build and integrate: own effort (work days) must be more than 0" in response.content.decode()


def test_a_stale_estimates_form_is_refused_with_what_changed(client, lena, root, irs_systems):
    system = irs_systems[0]
    url = reverse("planner:system-estimates", args=[system.pk])
    seen = estimates_form(system)
    client.force_login(root)
    client.post(url, estimates_form(system, build="9"))
    client.force_login(lena)
    response = client.post(url, seen | {"estimates-build-effort": "30"})
    assert response.status_code == 409
    assert "Build and integrate: effort (work days)</strong>: template → 9.0" in response.content.decode()
    assert SystemEstimate.objects.get(system=system).effort_days == 9


# --- Links -------------------------------------------------------------------------------------


def test_the_plan_page_links_to_the_set_up(client, lena, agency_a):
    plan = Plan.objects.create(agency=agency_a, created_by=lena, starts_on=START)
    client.force_login(lena)
    page = client.get(reverse("planner:plan-detail", args=[plan.pk])).content.decode()
    assert f'href="{setup_url(agency_a)}">Change teams and estimates</a>' in page


def test_the_system_page_links_to_its_estimates(client, victor, system_a):
    client.force_login(victor)
    page = client.get(system_a.get_absolute_url()).content.decode()
    assert reverse("planner:system-estimates", args=[system_a.pk]) in page
    assert "See this system's estimates" in page
