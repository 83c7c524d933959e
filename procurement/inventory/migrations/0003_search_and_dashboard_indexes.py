"""Status changes remember their agency; indexes for the dashboard and, on PostgreSQL, for search.

Search filters with `icontains`, which PostgreSQL runs as UPPER(column) LIKE '%TEXT%':
trigram indexes on those expressions turn a scan of every system into an index lookup.
SQLite has no trigram indexes; its lists are small enough to scan.
"""

import django.db.models.deletion
from django.db import migrations, models

SEARCH_COLUMNS = ("name", "fisma_id", "owner_name", "mission_function", "replacement")


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    expressions = ", ".join(f"(UPPER({column}::text)) gin_trgm_ops" for column in SEARCH_COLUMNS)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX system_search_trgm_idx ON inventory_system USING gin ({expressions})")


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS system_search_trgm_idx")


def record_agencies(apps, schema_editor):
    StatusChange = apps.get_model("inventory", "StatusChange")
    System = apps.get_model("inventory", "System")
    StatusChange.objects.update(
        agency_id=models.Subquery(System.objects.filter(pk=models.OuterRef("system_id")).values("agency_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0002_import_batch_parsed"),
    ]

    operations = [
        migrations.AddField(
            model_name="statuschange",
            name="agency",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="inventory.agency"
            ),
        ),
        migrations.RunPython(record_agencies, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="statuschange",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="inventory.agency"
            ),
        ),
        migrations.RemoveIndex(model_name="system", name="inventory_s_directi_5b6bed_idx"),
        migrations.AddIndex(
            model_name="system",
            index=models.Index(
                fields=["directive", "status", "dependency_kind", "criticality", "removal_deadline"],
                name="system_breakdown_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="system",
            index=models.Index(fields=["removal_deadline", "name", "id"], name="system_deadline_order_idx"),
        ),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
