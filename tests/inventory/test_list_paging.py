"""The systems list: page size and number from the query string are bounded; counts are shown."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement.core import tables as core_tables
from tests.factories import SystemFactory


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def sixty_systems(component_a, directive):
    return SystemFactory.create_batch(60, agency=component_a, directive=directive)


def listed(client, **params):
    response = client.get(reverse("inventory:system-list"), params)
    assert response.status_code == 200
    return response


def test_page_size_outside_the_choices_falls_back_to_the_default(alice_client, sixty_systems):
    assert len(listed(alice_client, per_page="100000").context["table"].page.object_list) == 25
    assert len(listed(alice_client, per_page="50").context["table"].page.object_list) == 50


@pytest.mark.parametrize("page", ["99999999999999999999999", "4", "3"])
def test_a_page_past_the_end_shows_the_last_page(alice_client, sixty_systems, page):
    response = listed(alice_client, page=page)
    assert response.context["table"].page.number == 3
    assert "Showing 51–60 of 60 systems" in response.content.decode()


def test_malformed_page_shows_the_first(alice_client, sixty_systems):
    for page in ("-1", "abc", "0"):
        assert listed(alice_client, page=page).context["table"].page.number == 1


def test_the_count_covers_the_filtered_rows_only(alice_client, sixty_systems, system_a):
    body = listed(alice_client, q=system_a.name).content.decode()
    assert "Showing 1–1 of 1 system<" in body
    assert "No systems match these filters" in listed(alice_client, q="no-such-system").content.decode()


def test_the_count_is_exact_and_the_last_page_is_offered(alice_client, sixty_systems):
    body = listed(alice_client).content.decode()
    assert "Showing 1–25 of 60 systems" in body and "Page 1 of 3" in body and "Last page" in body


def test_a_deep_page_found_by_ids_first_shows_the_same_rows_in_order(alice_client, sixty_systems, monkeypatch):
    expected = [system.name for system in sorted(sixty_systems, key=lambda system: (system.name, system.pk))]
    shallow = listed(alice_client, page="2", per_page="25").context["table"].page.object_list
    assert [row.record.name for row in shallow] == expected[25:50]
    monkeypatch.setattr(core_tables, "DEEP_PAGE_OFFSET", 25)  # pages 2 and 3 count as deep now
    with CaptureQueriesContext(connection) as queries:
        deep = listed(alice_client, page="2", per_page="25").context["table"].page.object_list
        assert [row.record.name for row in deep] == expected[25:50]
    assert any('"id" IN (SELECT' in query["sql"] for query in queries)
    last = listed(alice_client, page="3", sort="-name").context["table"].page.object_list
    assert [row.record.name for row in last] == list(reversed(expected))[50:]
