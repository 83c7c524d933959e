"""The inventory list costs the same number of queries for 3 rows or 60."""

import pytest
from django.urls import reverse

from tests.factories import ProductFactory, SystemFactory

ALL_COLUMNS = ["name", "agency", "directive", "covered_products", "depends_on", "days_left"]


def fill(component, directive, count):
    product = ProductFactory(name="Chat API")
    systems = SystemFactory.create_batch(count, agency=component, directive=directive)
    for system, other in zip(systems, systems[1:], strict=False):
        system.covered_products.add(product)
        system.depends_on.add(other)


@pytest.mark.parametrize("count", [3, 60])
def test_list_queries_do_not_grow_with_rows(
    client, alice, component_a, directive, count, django_assert_max_num_queries
):
    fill(component_a, directive, count)
    client.force_login(alice)
    # Session, user, access (2), agency choices, count, page, 2 prefetches and a few more for the
    # page itself: saved views, the remembered columns (one upsert), other apps' navigation counts.
    with django_assert_max_num_queries(17):
        response = client.get(
            reverse("inventory:system-list"), {"columns": ALL_COLUMNS, "per_page": 100, "q": "System"}
        )
    assert len(response.context["table"].page.object_list) == count


def test_export_queries_are_chunked_not_per_row(client, alice, component_a, directive, django_assert_max_num_queries):
    fill(component_a, directive, 60)
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("inventory:system-list"), {"columns": ALL_COLUMNS, "export": "csv"})
        lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 61
