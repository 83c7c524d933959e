"""Saved views (filters + columns + sort under a name) and columns remembered per user."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from procurement.core.models import SavedView
from tests.factories import SystemFactory

SYSTEMS = "inventory:system-list"


def save(client, name: str, query: str, list_name: str = SYSTEMS):
    return client.post(reverse("core:saved-view-save"), {"list_name": list_name, "name": name, "query": query})


def shown(client, url: str):
    return client.get(url).context["table"]


def test_a_saved_view_gives_back_its_filter_columns_and_sort(client, alice, component_a, directive):
    SystemFactory(agency=component_a, directive=directive, name="Low one", criticality="low")
    SystemFactory(agency=component_a, directive=directive, name="High one", criticality="high")
    SystemFactory(agency=component_a, directive=directive, name="Moderate one", criticality="moderate")
    client.force_login(alice)
    query = "criticality=high&criticality=low&columns=name&columns=criticality&sort=-criticality&page=2&export=csv"
    response = save(client, "Urgent", query)
    view = SavedView.objects.get(user=alice)
    assert response.status_code == 302 and response.url == view.get_absolute_url()
    assert "page" not in parse_qs(urlsplit(response.url).query) and "export" not in response.url
    table = shown(client, response.url)
    assert [row.record.name for row in table.rows] == ["High one", "Low one"]
    assert table.visible_column_names() == ["name", "criticality"]
    listed = client.get(reverse(SYSTEMS)).content.decode()
    assert ">Urgent</a>" in listed


def test_saving_the_same_name_replaces_it_and_others_do_not_see_it(client, alice, bob):
    client.force_login(alice)
    save(client, "Mine", "sort=name")
    save(client, "Mine", "sort=-name")
    assert list(SavedView.objects.values_list("name", "query")) == [("Mine", "sort=-name")]
    view = SavedView.objects.get()
    client.force_login(bob)
    assert ">Mine</a>" not in client.get(reverse(SYSTEMS)).content.decode()
    response = client.post(reverse("core:saved-view-delete", args=[view.pk]), {"list_name": SYSTEMS})
    assert response.status_code == 404 and SavedView.objects.exists()
    client.force_login(alice)
    client.post(reverse("core:saved-view-delete", args=[view.pk]), {"list_name": SYSTEMS})
    assert not SavedView.objects.exists()


@pytest.mark.parametrize(
    ("name", "list_name", "message"),
    [
        ("", SYSTEMS, "Give the view a name."),
        ("x" * 81, SYSTEMS, "too long"),
        ("Admin", "admin:index", "no saved views"),
    ],
)
def test_bad_saved_views_are_refused_with_a_reason(client, alice, name, list_name, message):
    client.force_login(alice)
    response = save(client, name, "sort=name", list_name=list_name)
    assert response.status_code == 302
    assert message in client.get(response.url, follow=True).content.decode()
    assert not SavedView.objects.exists()


def test_saved_views_are_posted_only(client, alice):
    client.force_login(alice)
    assert client.get(reverse("core:saved-view-save")).status_code == 405


def test_the_chosen_columns_are_remembered_per_user(client, alice, victor, system_a):
    client.force_login(alice)
    client.get(reverse(SYSTEMS), {"columns": ["name", "owner_email", "not-a-column"]})
    assert shown(client, reverse(SYSTEMS)).visible_column_names() == ["name", "owner_email"]
    client.force_login(victor)  # someone else: still the defaults
    assert "owner_email" not in shown(client, reverse(SYSTEMS)).visible_column_names()
    client.force_login(alice)
    assert "days_left" in shown(client, reverse(SYSTEMS) + "?columns=default").visible_column_names()
    assert "owner_email" not in shown(client, reverse(SYSTEMS)).visible_column_names()
