"""Every URL pattern, every role: anonymous → login; outsiders → 404; viewers cannot write.

The sweep walks the URL configuration itself, so a new page is covered the day it
is added: a pattern without an entry in OBJECT_KWARGS makes the test fail.
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from planner.models import Plan
from procurement.core.models import ExportJob, SavedView
from procurement.inventory.models import ImportBatch

SKIPPED_NAMESPACES = {"admin"}  # Django's admin has its own staff-only login
PUBLIC = {"login", "compliance:feed"}  # a calendar feed's token is its credential (tests/compliance/test_feeds.py)
PUBLIC |= {"reminders:unsubscribe"}  # a signed one-click link from an email (tests/reminders/test_pages.py)


def named_patterns(resolver=None, namespace=None):
    """(namespaced name, whether the route takes arguments) of every named URL."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            yield from named_patterns(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = pattern.name if namespace is None else f"{namespace}:{pattern.name}"
            yield name, bool(pattern.pattern.converters)


@pytest.fixture
def batch_a(alice):
    return ImportBatch.objects.create(user=alice, kind="systems", filename="a.csv")


@pytest.fixture
def export_job_a(alice):
    return ExportJob.objects.create(user=alice, list_name="inventory:system-list", basename="systems")


@pytest.fixture
def saved_view_a(alice):
    return SavedView.objects.create(user=alice, list_name="inventory:system-list", name="Mine", query="sort=name")


@pytest.fixture
def plan_a(lena, agency_a):
    return Plan.objects.create(agency=agency_a, created_by=lena, starts_on="2026-11-23")


@pytest.fixture
def setup_a(agency_a):
    """Agency A's planning set-up: a team with a dated head-count change, a calendar with a freeze."""
    from planner.models import FreezeWindow, Team, TeamCapacityChange, WorkCalendar

    team = Team.objects.create(agency=agency_a, kind="engineers", name="Engineers", head_count=2)
    change = TeamCapacityChange.objects.create(team=team, starts_on="2027-06-01", head_count=4)
    calendar = WorkCalendar.objects.create(agency=agency_a, name="Defense")
    freeze = FreezeWindow.objects.create(
        calendar=calendar, starts_on="2027-04-01", ends_on="2027-04-15", reason="Audit"
    )
    return {"agency": agency_a.pk, "team": team.pk, "change": change.pk, "freeze": freeze.pk}


@pytest.fixture
def compliance_a(alice, system_a, component_a, directive):
    """A waiver, a signed status report and a calendar feed of agency A (compliance URLs)."""
    from django.utils import timezone

    from procurement.compliance import services as compliance
    from procurement.compliance.models import AgencyOfficial

    waiver = compliance.waiver_request(
        user=alice,
        system=system_a,
        fields={
            "category": "no_alternative",
            "justification": "j",
            "alternatives_considered": "a",
            "compensating_mitigations": "m",
            "phase_out_plan": "p",
            "requested_until": timezone.localdate() + datetime.timedelta(days=30),
        },
    )
    report = compliance.status_report_generate(directive=directive, agency=component_a, number=1)
    official = AgencyOfficial.objects.create(user=alice, agency=component_a, kind="designee").user
    compliance.status_report_sign(user=official, report=report, version=report.version)
    AgencyOfficial.objects.filter(user=alice).delete()
    feed, _ = compliance.feed_create(user=alice, scope="user")
    return {"waiver": waiver.pk, "report": report.pk, "feed": feed.pk, "system": system_a.pk}


@pytest.fixture
def milestone_a(component_a, directive, alice):
    from planner.models import Milestone

    return Milestone.objects.create(
        agency=component_a, directive=directive, kind="status_report", title="Report", owner=alice, due_on="2026-12-01"
    )


@pytest.fixture
def discovery_a(alice, agency_a, system_a, directive):
    """A file and a candidate of agency A (discovery URLs)."""
    from procurement.discovery.models import Candidate, SourceFile

    source = SourceFile.objects.create(agency=agency_a, user=alice, filename="a.csv")
    candidate = Candidate.objects.create(
        agency=agency_a,
        directive=directive,
        source_kind="file_row",
        fingerprint="a",
        title="A",
        matched_text="A",
        proposed_kind="direct_api",
    )
    return {
        "discovery:agency": {"pk": agency_a.pk},
        "discovery:candidates": {"pk": agency_a.pk},
        "discovery:source-upload": {"pk": agency_a.pk},
        "discovery:awards-upload": {"pk": agency_a.pk},
        "discovery:systems-scan": {"pk": agency_a.pk},
        "discovery:source-detail": {"pk": source.pk},
        "discovery:candidate-detail": {"pk": candidate.pk},
        "discovery:candidate-accept": {"pk": candidate.pk},
        "discovery:candidate-reject": {"pk": candidate.pk},
        "discovery:sbom-upload": {"system_pk": system_a.pk},
    }


DISCOVERY_URLS = {
    f"discovery:{name}"
    for name in ("agency", "candidates", "source-upload", "awards-upload", "systems-scan", "source-detail")
} | {f"discovery:{name}" for name in ("candidate-detail", "candidate-accept", "candidate-reject", "sbom-upload")}
DISCOVERY_POST_ONLY = {"discovery:systems-scan", "discovery:candidate-accept", "discovery:candidate-reject"}
DISCOVERY_WRITE_URLS = DISCOVERY_URLS - {"discovery:agency", "discovery:candidates", "discovery:candidate-detail"}


# Charts, baselines and what-ifs of a plan, and a milestone's pages (planner/ui_urls.py).
PLAN_CHART_URLS = {"plan-gantt", "plan-gantt-data", "plan-load", "plan-scenarios", "plan-scenario-run", "plan-baseline"}
MILESTONE_URLS = {"milestone-detail", "milestone-done", "milestone-move", "milestone-evidence"}
PLANNER_UI_WRITES = {
    f"planner:{name}" for name in ("plan-scenario-run", "plan-baseline", "milestone-done", "milestone-move")
}
# Planning set-up (planner/setup_views.py): every write is a POST; the page and a system's estimates are GET too.
SETUP_POST_ONLY = {
    f"planner:{name}"
    for name in (
        "setup-team-add",
        "setup-freeze-add",
        "setup-template-save",
        "setup-template-copy",
        "setup-template-reset",
        "setup-team-edit",
        "setup-team-delete",
        "setup-change-add",
        "setup-change-remove",
        "setup-freeze-remove",
    )
}
SETUP_URLS = {"planner:setup", "planner:system-estimates", *SETUP_POST_ONLY}


@pytest.fixture
def objects_of_a(
    compliance_a,
    system_a,
    contract_a,
    directive,
    batch_a,
    export_job_a,
    plan_a,
    saved_view_a,
    milestone_a,
    discovery_a,
    setup_a,
):
    """URL kwargs that point at agency A's objects, per URL name."""
    kind = {"kind": "direct_api"}
    return {
        **discovery_a,
        "planner:setup": {"pk": setup_a["agency"]},
        "planner:setup-team-add": {"pk": setup_a["agency"]},
        "planner:setup-freeze-add": {"pk": setup_a["agency"]},
        "planner:setup-template-save": {"pk": setup_a["agency"], **kind},
        "planner:setup-template-copy": {"pk": setup_a["agency"], **kind},
        "planner:setup-template-reset": {"pk": setup_a["agency"], **kind},
        "planner:setup-team-edit": {"pk": setup_a["team"]},
        "planner:setup-team-delete": {"pk": setup_a["team"]},
        "planner:setup-change-add": {"pk": setup_a["team"]},
        "planner:setup-change-remove": {"pk": setup_a["change"]},
        "planner:setup-freeze-remove": {"pk": setup_a["freeze"]},
        "planner:system-estimates": {"pk": system_a.pk},
        "reminders:milestone": {"pk": milestone_a.pk},
        "reminders:policy": {"pk": directive.pk},
        "reminders:queue": {},
        "reminders:unsubscribe": {"token": "not-a-token"},
        "inventory:system-detail": {"pk": system_a.pk},
        "inventory:system-edit": {"pk": system_a.pk},
        "inventory:system-transition": {"pk": system_a.pk},
        "inventory:contract-detail": {"pk": contract_a.pk},
        "inventory:contract-edit": {"pk": contract_a.pk},
        "inventory:import-preview": {"batch_id": batch_a.pk},
        "inventory:directive-dashboard": {"pk": directive.pk},
        "inventory:directive-revise": {"pk": directive.pk},
        "inventory:import-upload": {"kind": "systems"},
        "inventory:import-template": {"kind": "systems", "file_format": "csv"},
        "core:export-job": {"pk": export_job_a.pk},
        "core:export-progress": {"pk": export_job_a.pk},
        "core:export-download": {"pk": export_job_a.pk},
        "core:saved-view-delete": {"pk": saved_view_a.pk},
        "planner:plan-detail": {"pk": plan_a.pk},
        "planner:plan-progress": {"pk": plan_a.pk},
        "planner:plan-cancel": {"pk": plan_a.pk},
        "planner:plan-at-risk": {"pk": plan_a.pk},
        **{f"planner:{name}": {"pk": plan_a.pk} for name in PLAN_CHART_URLS},
        "planner:plan-gantt-system": {"pk": plan_a.pk, "system_id": system_a.pk},
        **{f"planner:{name}": {"pk": milestone_a.pk} for name in MILESTONE_URLS},
        "compliance:waiver-detail": {"pk": compliance_a["waiver"]},
        "compliance:waiver-decide": {"pk": compliance_a["waiver"]},
        "compliance:waiver-withdraw": {"pk": compliance_a["waiver"]},
        "compliance:waiver-extend": {"pk": compliance_a["waiver"]},
        "compliance:waiver-request": {"system_pk": compliance_a["system"]},
        "compliance:report-detail": {"pk": compliance_a["report"]},
        "compliance:report-edit": {"pk": compliance_a["report"]},
        "compliance:report-refresh": {"pk": compliance_a["report"]},
        "compliance:report-sign": {"pk": compliance_a["report"]},
        "compliance:report-verify": {"pk": compliance_a["report"]},
        "compliance:report-changes": {"pk": compliance_a["report"]},
        "compliance:report-export": {"pk": compliance_a["report"], "file_format": "csv"},
        "compliance:feed-revoke": {"pk": compliance_a["feed"]},
        "compliance:feed": {"token": "not-a-token"},
    }


# URLs that name one agency's object: outsiders must get 404 there.
AGENCY_OBJECT_URLS = {
    *(DISCOVERY_URLS - {"discovery:candidates"}),  # a list: GET is a 404 (tests/discovery), POST a 405
    *(f"compliance:{name}" for name in ("waiver-detail", "waiver-decide", "waiver-withdraw", "waiver-extend")),
    *(f"compliance:{name}" for name in ("waiver-request", "report-detail", "report-edit", "report-refresh")),
    *(f"compliance:{name}" for name in ("report-sign", "report-verify", "report-changes", "report-export")),
    "compliance:feed-revoke",  # a feed belongs to the user who made it
    "inventory:system-detail",
    "inventory:system-edit",
    "inventory:system-transition",
    "inventory:contract-detail",
    "inventory:contract-edit",
    "inventory:import-preview",
    "core:export-job",  # an export belongs to the user who asked for it
    "core:export-progress",
    "core:export-download",
    "core:saved-view-delete",  # a saved view belongs to the user who saved it
    "planner:plan-detail",
    "planner:plan-progress",
    "planner:plan-cancel",
    "planner:plan-at-risk",
    "planner:plan-gantt-system",
    *(f"planner:{name}" for name in PLAN_CHART_URLS | MILESTONE_URLS),
    *SETUP_URLS,
    "reminders:milestone",
}
COMPLIANCE_POST_ONLY = {
    f"compliance:{name}"
    for name in ("waiver-decide", "waiver-withdraw", "report-edit", "report-refresh", "report-sign", "feed-revoke")
}
# A GET there says "method not allowed" before any lookup.
POST_ONLY = {
    *DISCOVERY_POST_ONLY,
    "inventory:system-transition",
    "logout",
    "core:saved-view-save",
    "core:saved-view-delete",
    "inventory:system-bulk-preview",
    "inventory:system-bulk-apply",
    "planner:plan-run",
    "planner:plan-cancel",
    *PLANNER_UI_WRITES,
    *SETUP_POST_ONLY,
    "reminders:notifications-read",
    *COMPLIANCE_POST_ONLY,
}
ADMIN_ONLY = {
    "inventory:directive-revise",
    "reminders:policy",
    "reminders:queue",
}  # reference data: administrators change it, others get 403
WRITE_URLS = {
    *DISCOVERY_WRITE_URLS,
    *ADMIN_ONLY,
    *(f"compliance:{name}" for name in ("waiver-request", "waiver-decide", "waiver-withdraw", "waiver-extend")),
    "compliance:report-edit",
    "compliance:report-sign",
    "inventory:system-create",
    "inventory:system-edit",
    "inventory:system-transition",
    "inventory:system-bulk-apply",
    "inventory:contract-create",
    "inventory:contract-edit",
    "planner:plan-run",
    "planner:plan-cancel",
    *PLANNER_UI_WRITES,
    *SETUP_POST_ONLY,
    "planner:system-estimates",
}


def urls(objects_of_a):
    for name, _ in named_patterns():
        yield name, reverse(name, kwargs=objects_of_a.get(name, {}))


def test_every_pattern_is_known(objects_of_a):
    """Fails when a page is added without deciding which objects it shows."""
    for name, takes_arguments in named_patterns():
        assert not takes_arguments or name in objects_of_a, f"add {name} to objects_of_a"


def test_anonymous_is_sent_to_login(client, objects_of_a):
    for name, url in urls(objects_of_a):
        if name in PUBLIC:
            continue
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, (name, method)
            assert response.url.startswith(reverse("login")), name


def test_another_agency_gets_404_on_every_object(client, bob, objects_of_a):
    client.force_login(bob)
    for name, url in urls(objects_of_a):
        if name in AGENCY_OBJECT_URLS:
            assert client.get(url).status_code == (405 if name in POST_ONLY else 404), name
            assert client.post(url, {"to_status": "assessed", "name": "x"}).status_code == 404, name


def test_viewer_cannot_write(client, victor, objects_of_a, system_a, contract_a):
    client.force_login(victor)
    for name, url in urls(objects_of_a):
        if name in WRITE_URLS:
            assert client.post(url, {"to_status": "assessed", "name": "x"}).status_code in (403, 302), name
    system_a.refresh_from_db()
    assert system_a.status == "identified" and system_a.name == "Taxpayer chat assistant"
    assert not system_a.status_changes.exists()
    assert client.get(reverse("inventory:system-edit", args=[system_a.pk])).status_code == 403
    assert client.get(reverse("inventory:contract-edit", args=[contract_a.pk])).status_code == 403


def test_every_page_renders_for_its_owner(client, alice, objects_of_a):
    client.force_login(alice)
    for name, url in urls(objects_of_a):
        if name in PUBLIC or name in POST_ONLY:
            continue
        response = client.get(url)
        assert response.status_code == (403 if name in ADMIN_ONLY else 200) or response.status_code == 302, name


def test_admin_pages_render_for_administrators(client, root, objects_of_a):
    client.force_login(root)
    for name in ADMIN_ONLY:
        assert client.get(reverse(name, kwargs=objects_of_a[name])).status_code == 200, name


def test_lists_and_exports_hide_other_agencies(client, bob, system_a, contract_a):
    client.force_login(bob)
    for url_name in ("inventory:system-list", "inventory:contract-list"):
        page = client.get(reverse(url_name)).content.decode()
        assert system_a.fisma_id not in page
        exported = b"".join(client.get(reverse(url_name), {"export": "csv"}).streaming_content).decode()
        assert system_a.fisma_id not in exported and contract_a.contract_number not in exported


def test_filter_choices_hide_other_agencies(client, bob, agency_a, component_a):
    client.force_login(bob)
    form = client.get(reverse("inventory:system-list")).context["filter"].form
    names = [agency.name for agency in form.fields["agency"].queryset]
    assert names == ["Department of Defense"]
    assert client.get(reverse("inventory:system-list"), {"agency": agency_a.pk}).context["filter"].errors


def test_department_membership_covers_components(client, alice, system_a):
    client.force_login(alice)  # alice is a member of the department; system_a is in its component
    assert client.get(system_a.get_absolute_url()).status_code == 200
