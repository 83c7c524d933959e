"""Two PostgreSQL indexes that let the directive dashboard read 100,000 systems without a table scan.

- `system_dashboard_idx` covers every column the dashboard's one grouped query reads
  (`selectors.system_groups`, per-agency breakdown included), so the query is an
  index-only scan.
- `system_overdue_order_idx` is in the exact order of "most overdue" (`selectors.most_overdue`):
  deadline, then criticality high to low (the CASE that `core.tables.choice_rank` writes for
  Criticality's choices, low = 0, moderate = 1, high = 2, anything else 3), then name and id.
  PostgreSQL then walks it and stops after 25 rows instead of sorting every overdue system.
  The expression must stay the one Django writes (tests/inventory/test_dashboard_breakdown.py
  checks the plan uses it).

SQLite's dashboards are small enough to scan, and it cannot match the CASE anyway.
"""

from django.db import migrations

DASHBOARD_INDEX = (
    "CREATE INDEX IF NOT EXISTS system_dashboard_idx ON inventory_system "
    "(directive_id, agency_id, status, dependency_kind, criticality, removal_deadline)"
)
CRITICALITY_RANK = (
    "CASE WHEN criticality = 'low' THEN 0 WHEN criticality = 'moderate' THEN 1 "
    "WHEN criticality = 'high' THEN 2 ELSE 3 END"
)
OVERDUE_ORDER_INDEX = (
    "CREATE INDEX IF NOT EXISTS system_overdue_order_idx ON inventory_system "
    f"(directive_id, removal_deadline, ({CRITICALITY_RANK}) DESC, name, id)"
)
INDEX_NAMES = ("system_dashboard_idx", "system_overdue_order_idx")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DASHBOARD_INDEX)
        schema_editor.execute(OVERDUE_ORDER_INDEX)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEX_NAMES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0005_trust_versions_and_deadline_rules"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
