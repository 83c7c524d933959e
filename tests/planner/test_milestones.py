"""Milestones from plans and the directive's phases; the list's filters; marking done with
evidence; manual due dates with a reason; another agency's milestones and files are 404."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from planner import milestones as services
from planner import services as plan_services
from planner.enums import MilestoneKind, Step
from planner.milestone_filters import this_week
from planner.models import Milestone, Plan, SystemEstimate
from procurement.inventory.enums import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def evidence_folder(settings, tmp_path):
    settings.MILESTONE_EVIDENCE_DIR = tmp_path / "evidence"
    settings.MILESTONE_EVIDENCE_MAX_BYTES = 1000


def run(user, agency) -> Plan:
    plan = plan_services.plan_request(user=user, agency=agency, time_limit_seconds=2, queue=False, starts_on=MONDAY)
    return plan_services.plan_run_now(plan.pk)


def milestone(agency, directive, *, due, owner=None, system=None, kind=MilestoneKind.STATUS_REPORT, **fields):
    return Milestone.objects.create(
        agency=agency,
        directive=directive,
        system=system,
        kind=kind,
        title=fields.pop("title", f"{kind} {due}"),
        owner=owner,
        due_on=due,
        **fields,
    )


# --- from plans ---------------------------------------------------------------------------


def test_a_plan_gives_each_system_its_milestones_due_its_steps_finish(lena, agency_a, irs_systems, contract_a):
    contract_a.systems.add(irs_systems[0])
    plan = run(lena, agency_a)
    for system in irs_systems:
        finishes = {step.step: step.finishes_on for step in plan.steps.filter(system=system)}
        rows = {row.kind: row for row in Milestone.objects.filter(system=system)}
        assert rows[MilestoneKind.CUT_OVER].due_on == finishes[Step.CUT_OVER]
        assert rows[MilestoneKind.REMOVED].due_on == finishes[Step.DECOMMISSION]
        assert rows[MilestoneKind.VERIFIED].due_on == finishes[Step.VERIFY]
        assert rows[MilestoneKind.REPLACEMENT_SELECTED].due_on == finishes[Step.SELECT_REPLACEMENT]
        assert all(row.plan == plan and row.agency_id == system.agency_id for row in rows.values())
    contract_rows = Milestone.objects.filter(kind=MilestoneKind.CONTRACT_ACTION_DONE)
    assert (
        contract_rows.get(system=irs_systems[0]).due_on
        == plan.steps.get(system=irs_systems[0], step=Step.CONTRACT_ACTION).finishes_on
    )


def test_phase_milestones_come_from_the_directive(lena, agency_a, component_a, irs_systems, directive):
    run(lena, agency_a)
    phases = Milestone.objects.filter(system=None, agency=component_a)
    identify = phases.get(kind=MilestoneKind.PHASE_IDENTIFY)
    assert identify.due_on == directive.issued_on + datetime.timedelta(days=directive.identify_offset_days)
    reports = list(phases.filter(kind=MilestoneKind.STATUS_REPORT).values_list("due_on", flat=True))
    assert reports and all(
        (b - a).days == directive.status_report_interval_days for a, b in zip(reports, reports[1:], strict=False)
    )
    assert identify.owner == lena  # the department's transition lead owns the component's phases


def test_a_replan_moves_the_same_rows_and_keeps_manual_dates(lena, agency_a, irs_systems):
    run(lena, agency_a)
    count = Milestone.objects.exclude(system=None).count()
    manual = Milestone.objects.get(system=irs_systems[1], kind=MilestoneKind.REMOVED)
    services.milestone_change_due(
        user=lena, milestone=manual, version=manual.version, due_on=datetime.date(2027, 1, 4), reason="Vendor slip"
    )
    SystemEstimate.objects.create(system=irs_systems[0], step=Step.BUILD, effort_days=60)
    second = run(lena, agency_a)
    assert Milestone.objects.exclude(system=None).count() == count
    removed = Milestone.objects.get(system=irs_systems[0], kind=MilestoneKind.REMOVED)
    assert removed.due_on == second.steps.get(system=irs_systems[0], step=Step.DECOMMISSION).finishes_on
    assert removed.plan == second and removed.version > 1
    manual.refresh_from_db()
    assert manual.due_on == datetime.date(2027, 1, 4) and manual.plan is None
    assert manual.planned_on == second.steps.get(system=irs_systems[1], step=Step.DECOMMISSION).finishes_on


def test_plan_written_milestones_keep_a_history_entry_per_change(client, lena, agency_a, irs_systems):
    """Written set-based (INSERT ... SELECT), each entry still says which plan set which date."""
    first = run(lena, agency_a)
    SystemEstimate.objects.create(system=irs_systems[0], step=Step.BUILD, effort_days=60)
    second = run(lena, agency_a)
    removed = Milestone.objects.get(system=irs_systems[0], kind=MilestoneKind.REMOVED)
    entries = list(
        removed.history.order_by("history_id").values_list("history_type", "history_change_reason", "due_on")
    )
    first_due = first.steps.get(system=irs_systems[0], step=Step.DECOMMISSION).finishes_on
    assert entries[0] == ("+", f"Due date set by plan #{first.pk}", first_due)
    assert entries[-1] == ("~", f"Due date set by plan #{second.pk}", removed.due_on)
    assert removed.history.latest().version == removed.version and removed.history.latest().plan_id == second.pk
    phase = Milestone.objects.filter(system=None).first()
    assert phase.history.get().history_change_reason == "From the directive's phases"
    client.force_login(lena)
    page = client.get(removed.get_absolute_url()).content.decode()
    assert f"Due date set by plan #{second.pk}" in page and f"Due date set by plan #{first.pk}" in page


def test_the_system_owners_account_owns_its_milestones(lena, alice, agency_a, irs_systems):
    irs_systems[0].owner_email = alice.email.upper()
    irs_systems[0].save()
    run(lena, agency_a)
    assert set(Milestone.objects.filter(system=irs_systems[0]).values_list("owner", flat=True)) == {alice.pk}
    assert set(Milestone.objects.filter(system=irs_systems[1]).values_list("owner", flat=True)) == {lena.pk}


# --- the list -----------------------------------------------------------------------------


def listed(client, **params) -> set[str]:
    response = client.get(reverse("planner:milestone-list"), params)
    assert response.status_code == 200
    return {row.record.title for row in response.context["table"].page.object_list}


def test_the_list_filters_mine_overdue_this_week_and_agency(
    client, alice, lena, agency_a, component_a, agency_b, directive
):
    today = timezone.localdate()
    monday, sunday = this_week(today)
    milestone(agency_a, directive, due=today - datetime.timedelta(days=3), owner=alice, title="late and mine")
    milestone(component_a, directive, due=today - datetime.timedelta(days=3), owner=lena, title="late, lena's")
    milestone(component_a, directive, due=sunday, owner=alice, title="this week")
    milestone(
        component_a, directive, due=monday - datetime.timedelta(days=8), title="done long ago", done_at=timezone.now()
    )
    milestone(agency_a, directive, due=sunday + datetime.timedelta(days=1), title="next week")
    milestone(agency_b, directive, due=today - datetime.timedelta(days=3), title="another agency's")
    client.force_login(alice)
    assert listed(client) == {"late and mine", "late, lena's", "this week", "done long ago", "next week"}
    assert listed(client, mine="true") == {"late and mine", "this week"}
    assert listed(client, state="overdue") == {"late and mine", "late, lena's"}
    assert listed(client, state="done") == {"done long ago"}
    expected_this_week = {"this week"} | ({"late and mine", "late, lena's"} if today.weekday() >= 3 else set())
    assert listed(client, state="this_week") == expected_this_week
    assert listed(client, agency=component_a.pk) == {"late, lena's", "this week", "done long ago"}
    assert listed(client, agency=agency_b.pk) == set()  # not a choice for alice: nothing, not everything
    exported = b"".join(client.get(reverse("planner:milestone-list"), {"export": "csv"}).streaming_content).decode()
    assert "late and mine" in exported and "another agency's" not in exported


def test_the_dashboard_shows_my_milestones(client, alice, agency_a, directive):
    milestone(
        agency_a, directive, due=timezone.localdate() - datetime.timedelta(days=1), owner=alice, title="Mine, late"
    )
    client.force_login(alice)
    page = client.get(reverse("inventory:directive-dashboard", args=[directive.pk])).content.decode()
    assert "My milestones" in page and "Mine, late" in page and "1 overdue" in page


# --- marking done, evidence, due dates ----------------------------------------------------


def pdf(size: int, name: str = "memo.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF" + b"x" * (size - 4), content_type="application/pdf")


def test_done_with_a_file_stores_it_privately_and_serves_it_to_viewers_only(
    client, alice, victor, bob, olga, agency_a, directive, settings
):
    row = milestone(agency_a, directive, due=timezone.localdate(), owner=alice)
    client.force_login(alice)
    response = client.post(
        reverse("planner:milestone-done", args=[row.pk]),
        {"version": row.version, "evidence_note": "Signed memo", "evidence_file": pdf(900)},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.done_at and row.done_by == alice and row.evidence_name == "memo.pdf" and row.evidence_size == 900
    stored = settings.MILESTONE_EVIDENCE_DIR / row.evidence_file.name
    assert stored.exists() and "memo" not in row.evidence_file.name  # a random name, outside MEDIA
    url = reverse("planner:milestone-evidence", args=[row.pk])
    for user in (alice, victor, olga):
        client.force_login(user)
        download = client.get(url)
        assert download.status_code == 200, user
        assert (
            download["Content-Disposition"].startswith("attachment") and download["X-Content-Type-Options"] == "nosniff"
        )
        assert b"".join(download.streaming_content).startswith(b"%PDF")
    client.force_login(bob)
    assert client.get(url).status_code == 404


def test_evidence_limits_size_and_type(client, alice, agency_a, directive):
    row = milestone(agency_a, directive, due=timezone.localdate(), owner=alice)
    client.force_login(alice)
    url = reverse("planner:milestone-done", args=[row.pk])
    for size in (1001, 200_000):  # read and stopped at the limit; refused unread from its length
        too_big = client.post(url, {"version": row.version, "evidence_file": pdf(size)})
        assert too_big.status_code == 413 and "Nothing was saved" in too_big.content.decode(), size
    script = client.post(url, {"version": row.version, "evidence_file": pdf(10, "run.html")})
    assert script.status_code == 400 and "not a file type kept as evidence" in script.content.decode()
    nothing = client.post(url, {"version": row.version, "evidence_note": "  "})
    assert nothing.status_code == 400 and "a note, a file or both" in nothing.content.decode()
    row.refresh_from_db()
    assert row.done_at is None and not row.evidence_file


def test_a_stale_form_is_refused_and_nothing_is_lost(client, alice, lena, agency_a, directive):
    row = milestone(agency_a, directive, due=timezone.localdate(), owner=alice)
    shown = row.version
    services.milestone_change_due(
        user=lena, milestone=row, version=shown, due_on=datetime.date(2027, 3, 1), reason="Agreed with OMB"
    )
    client.force_login(alice)
    response = client.post(
        reverse("planner:milestone-done", args=[row.pk]), {"version": shown, "evidence_note": "done"}
    )
    assert response.status_code == 409 and "Someone changed this milestone" in response.content.decode()
    row.refresh_from_db()
    assert row.done_at is None and row.due_on == datetime.date(2027, 3, 1)


def test_a_manual_due_date_needs_a_reason_and_is_kept_in_history(client, alice, agency_a, directive):
    row = milestone(agency_a, directive, due=datetime.date(2026, 12, 1), owner=alice)
    client.force_login(alice)
    url = reverse("planner:milestone-move", args=[row.pk])
    refused = client.post(url, {"version": row.version, "due_on": "2027-01-15", "reason": ""})
    assert refused.status_code == 400
    assert (
        client.post(url, {"version": row.version, "due_on": "2027-01-15", "reason": "Waiting on the CO"}).status_code
        == 302
    )
    row.refresh_from_db()
    assert row.due_on == datetime.date(2027, 1, 15)
    latest = row.history.latest()
    assert latest.history_change_reason == "Waiting on the CO" and latest.history_user == alice
    assert "Waiting on the CO" in client.get(row.get_absolute_url()).content.decode()


def test_viewers_who_do_not_own_it_cannot_close_or_move_it(client, victor, agency_a, directive):
    row = milestone(agency_a, directive, due=timezone.localdate())
    client.force_login(victor)
    assert (
        client.post(
            reverse("planner:milestone-done", args=[row.pk]), {"version": row.version, "evidence_note": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("planner:milestone-move", args=[row.pk]),
            {"version": row.version, "due_on": "2027-01-01", "reason": "x"},
        ).status_code
        == 403
    )
    row.refresh_from_db()
    assert row.done_at is None and row.version == 1


def test_another_agencys_milestones_are_404_for_every_role(client, agency_a, agency_b, directive):
    row = milestone(agency_a, directive, due=timezone.localdate())
    for role in Role.values:
        outsider = UserFactory(username=f"outsider-{role}")
        MembershipFactory(user=outsider, agency=agency_b, role=role)
        client.force_login(outsider)
        for name in ("milestone-detail", "milestone-evidence"):
            assert client.get(reverse(f"planner:{name}", args=[row.pk])).status_code == 404, (role, name)
        for name in ("milestone-done", "milestone-move"):
            assert client.post(reverse(f"planner:{name}", args=[row.pk]), {"version": 1}).status_code == 404, (
                role,
                name,
            )
        assert row.title not in client.get(reverse("planner:milestone-list")).content.decode()
