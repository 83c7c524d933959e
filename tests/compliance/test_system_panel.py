"""The system page shows its waivers and a way to request one, through compliance's panel."""

from django.urls import reverse

from tests.compliance.test_waivers import approve, request


def test_an_editor_sees_the_waiver_in_force_and_may_request_one(client, alice, hank, system_a, policy):
    approve(hank, request(alice, system_a))
    client.force_login(alice)
    page = client.get(system_a.get_absolute_url()).content.decode()
    assert "Waivers" in page and "A waiver is in force until" in page
    assert reverse("compliance:waiver-request", kwargs={"system_pk": system_a.pk}) in page


def test_a_viewer_sees_waivers_but_no_request_link(client, alice, victor, system_a, policy):
    request(alice, system_a)
    client.force_login(victor)
    page = client.get(system_a.get_absolute_url()).content.decode()
    assert "Requested" in page
    assert reverse("compliance:waiver-request", kwargs={"system_pk": system_a.pk}) not in page
