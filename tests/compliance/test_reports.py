"""Status reports and the attestation roll-up: drafts, negative reports, signing, snapshots."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from procurement.compliance import canonical, selectors, services
from procurement.compliance.enums import ReportState
from procurement.compliance.models import ImmutableError, ReportSnapshot, StatusReport
from procurement.inventory.services import system_transition
from tests.factories import AgencyFactory, SystemFactory


def draft(directive, agency):
    return services.status_report_generate(directive=directive, agency=agency, number=1)


def sign(user, report):
    report.refresh_from_db()
    return services.status_report_sign(user=user, report=report, version=report.version)


def test_a_draft_counts_the_inventory(directive, component_a, system_a, lena):
    SystemFactory(agency=component_a, directive=directive)
    for status in ("assessed", "plan_approved", "migrating", "cut_over", "removed"):
        system_transition(user=lena, system=system_a, to_status=status)
    report = draft(directive, component_a)
    assert report.period_start == datetime.date(2026, 2, 27) and report.period_end == datetime.date(2026, 3, 29)
    summary = report.summary
    assert summary["total"] == 2 and summary["removed"] == 1 and summary["open"] == 1
    assert summary["removed_since_last_report"] == 1
    assert summary["by_status"]["removed"] == 1 and summary["by_status"]["identified"] == 1
    assert summary["none_found"] is False
    assert summary["at_risk"] is None  # no stored plan: "no plan", never 0


def test_a_component_without_systems_gives_an_explicit_negative_report(client, directive, agency_b, bob):
    report = draft(directive, agency_b)
    assert report.summary["none_found"] is True and report.summary["total"] == 0
    client.force_login(bob)
    assert "Negative report: no dependent systems found." in client.get(report.get_absolute_url()).content.decode()


def test_drafts_are_made_for_every_agency_once(directive, agency_a, component_a, agency_b):
    assert services.status_reports_generate(datetime.date(2026, 3, 20)) == 3
    services.status_reports_generate(datetime.date(2026, 3, 21))
    assert StatusReport.objects.count() == 3
    services.status_reports_generate(datetime.date(2026, 3, 30))  # period 2 has begun
    assert StatusReport.objects.filter(period=2).count() == 3


def test_the_department_cannot_sign_before_every_component(directive, agency_a, component_a, system_a, hank, ivy):
    department, component = draft(directive, agency_a), draft(directive, component_a)
    with pytest.raises(ValidationError, match="not yet signed: IRS"):
        sign(hank, department)
    sign(ivy, component)
    snapshot = sign(hank, department)
    assert snapshot.covers_all_subcomponents
    department.refresh_from_db()
    assert department.state == ReportState.SIGNED


def test_a_component_official_cannot_sign_the_department(directive, agency_a, component_a, ivy):
    draft(directive, component_a)
    with pytest.raises(PermissionDenied):
        sign(ivy, draft(directive, agency_a))


def test_an_editor_cannot_sign(directive, component_a, alice):
    with pytest.raises(PermissionDenied):
        sign(alice, draft(directive, component_a))


def test_a_snapshot_verifies_and_a_later_edit_shows_as_a_difference(directive, component_a, system_a, ivy, lena):
    report = draft(directive, component_a)
    snapshot = sign(ivy, report)
    assert selectors.snapshot_verifies(snapshot)
    frozen = bytes(snapshot.content)
    record, rows = canonical.read(frozen)
    assert record["summary"]["total"] == 1 and [row["status"] for row in rows] == ["identified"]

    system_transition(user=lena, system=system_a, to_status="assessed")
    _, differences, more = selectors.snapshot_differences(ivy, report.pk, timezone.now())
    assert (system_a.fisma_id, "status", "identified", "assessed") in {
        (d.key, d.field, d.frozen, d.now) for d in differences
    }
    assert not more
    snapshot.refresh_from_db()
    assert bytes(snapshot.content) == frozen and selectors.snapshot_verifies(snapshot)


def test_a_system_added_after_signing_shows_as_added(directive, component_a, system_a, ivy):
    report = draft(directive, component_a)
    sign(ivy, report)
    added = SystemFactory(agency=component_a, directive=directive)
    _, differences, _ = selectors.snapshot_differences(ivy, report.pk, timezone.now())
    assert (added.fisma_id, "not listed", "listed") in {(d.key, d.frozen, d.now) for d in differences}
    assert ("report", "total", 1, 2) in {(d.key, d.field, d.frozen, d.now) for d in differences}


def test_tampered_content_does_not_verify(directive, component_a, system_a, ivy):
    snapshot = sign(ivy, draft(directive, component_a))
    record, rows = canonical.read(bytes(snapshot.content))
    tampered = canonical.freeze(record, [row | {"status": "removed"} for row in rows])
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(content=tampered.compressed)  # behind the model's back
    snapshot.refresh_from_db()
    assert not selectors.snapshot_verifies(snapshot)


def test_a_snapshot_cannot_be_changed_or_deleted(directive, component_a, ivy):
    snapshot = sign(ivy, draft(directive, component_a))
    snapshot.signer_name = "Someone else"
    with pytest.raises(ImmutableError):
        snapshot.save()
    with pytest.raises(ImmutableError):
        snapshot.delete()


def test_the_canonical_form_is_stable():
    record = {"b": datetime.date(2026, 3, 1), "a": "é"}
    one = canonical.freeze(record, [{"fisma_id": "X", "n": 1}])
    two = canonical.freeze(dict(reversed(record.items())), [{"n": 1, "fisma_id": "X"}])
    assert one.sha256 == two.sha256 == canonical.digest(one.compressed)
    assert list(canonical.lines(one.compressed))[0] == '{"a":"é","b":"2026-03-01"}\n'.encode()


def test_a_signed_report_refuses_narrative_edits(directive, component_a, ivy, alice):
    report = draft(directive, component_a)
    sign(ivy, report)
    report.refresh_from_db()
    with pytest.raises(ValidationError, match="signed"):
        services.status_report_update(user=alice, report=report, fields={"challenges": "x"}, version=report.version)


def test_two_editors_do_not_silently_overwrite_each_other(client, directive, component_a, alice):
    report = draft(directive, component_a)
    version = report.version
    services.status_report_update(user=alice, report=report, fields={"challenges": "First"}, version=version)
    with pytest.raises(ValidationError, match="Someone else changed"):
        services.status_report_update(user=alice, report=report, fields={"challenges": "Second"}, version=version)
    report.refresh_from_db()
    assert report.challenges == "First"


def test_sign_through_the_page(client, directive, component_a, system_a, ivy):
    report = draft(directive, component_a)
    client.force_login(ivy)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Sign as Ivy Designee" in page
    response = client.post(reverse("compliance:report-sign", args=[report.pk]), {"version": report.version})
    assert response.status_code == 302
    snapshot = ReportSnapshot.objects.get(report=report)
    assert "Verified" in client.get(reverse("compliance:report-verify", args=[report.pk])).content.decode()
    assert snapshot.sha256 in client.get(reverse("compliance:report-verify", args=[report.pk])).content.decode()


def test_completeness_shows_who_has_reported(client, directive, agency_a, component_a, ivy, alice):
    draft(directive, agency_a)
    sign(ivy, draft(directive, component_a))
    client.force_login(alice)
    response = client.get(reverse("compliance:completeness"))
    rows = {row.agency.abbreviation: row for row in response.context["rows"]}
    assert set(rows) == {"TREAS", "IRS"}
    assert rows["IRS"].report.is_signed and not rows["TREAS"].report.is_signed
    assert "1 of 2 signed" in response.content.decode()


def test_completeness_hides_other_agencies(client, directive, agency_a, agency_b, bob):
    draft(directive, agency_a)
    client.force_login(bob)
    rows = client.get(reverse("compliance:completeness")).context["rows"]
    assert [row.agency.abbreviation for row in rows] == ["DOD"]


def test_a_deeper_tree_needs_every_level(directive, agency_a, component_a, hank, ivy):
    office = AgencyFactory(name="IRS Office of Chief Counsel", abbreviation="IRS-CC", parent=component_a)
    draft(directive, office)
    with pytest.raises(ValidationError, match="IRS-CC"):
        sign(ivy, draft(directive, component_a))
