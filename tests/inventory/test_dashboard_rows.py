"""The dashboard's overdue rows (inventory_dashboard.overdue_system_rows): links, escaping, no query per row."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from procurement.inventory.enums import SystemStatus
from tests.factories import SystemFactory


def test_each_overdue_row_links_the_system_and_escapes_what_was_typed(client, olga, component_a, directive):
    system = SystemFactory(agency=component_a, directive=directive, name="<b>Mail & chat</b>")
    system.status = SystemStatus.MIGRATING
    system.removal_deadline = timezone.localdate() - datetime.timedelta(days=3)
    system.save()
    client.force_login(olga)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("inventory:directive-dashboard", args=[directive.pk])).content.decode()
    address = reverse("inventory:system-detail", args=[system.pk])
    assert (
        f'<tr><th scope="row"><a href="{address}">&lt;b&gt;Mail &amp; chat&lt;/b&gt;</a></th>'
        f"<td>{component_a.abbreviation}</td><td>{system.removal_deadline.isoformat()}</td><td>Migrating</td></tr>"
    ) in page
    # The rows read only what they show: no query per row for a deferred field.
    assert not [
        query for query in queries.captured_queries if "inventory_system" in query["sql"] and "LIMIT 1" in query["sql"]
    ]
