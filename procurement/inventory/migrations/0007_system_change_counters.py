"""Counters of changes to each agency's systems, kept by triggers, so lists can cache their counts.

`inventory.counts` keys a cached count (and the dashboard's groups) by the sum of the
counters of the agencies the user sees: any committed insert, update or delete of a system
of those agencies changes the sum, so a cached figure is used only while it is still true.
Triggers, not services, keep the counters, so that no write path can forget them.

PostgreSQL: one trigger per statement, reading the statement's changed rows (transition
tables), adds one per agency to a counter row of that agency that no other open
transaction has locked (`FOR UPDATE SKIP LOCKED`), or inserts a new row: writers of the
same agency never wait for each other, even behind a long import.
SQLite: one trigger per row; SQLite lets one writer in at a time anyway.
"""

from django.db import migrations, models

POSTGRESQL_FUNCTIONS = [
    """
CREATE OR REPLACE FUNCTION inventory_system_change_count(changed_agency bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inventory_systemchangecounter SET changes = changes + 1
     WHERE id = (SELECT id FROM inventory_systemchangecounter WHERE agency_id = changed_agency
                  ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED);
    IF NOT FOUND THEN
        INSERT INTO inventory_systemchangecounter (agency_id, changes) VALUES (changed_agency, 1);
    END IF;
END $$
""",
    """
CREATE OR REPLACE FUNCTION inventory_system_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed_agency bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR changed_agency IN SELECT DISTINCT agency_id FROM new_rows ORDER BY 1 LOOP
            PERFORM inventory_system_change_count(changed_agency);
        END LOOP;
    ELSIF TG_OP = 'UPDATE' THEN
        FOR changed_agency IN SELECT agency_id FROM new_rows UNION SELECT agency_id FROM old_rows ORDER BY 1 LOOP
            PERFORM inventory_system_change_count(changed_agency);
        END LOOP;
    ELSE
        FOR changed_agency IN SELECT DISTINCT agency_id FROM old_rows ORDER BY 1 LOOP
            PERFORM inventory_system_change_count(changed_agency);
        END LOOP;
    END IF;
    RETURN NULL;
END $$
""",
]
# PostgreSQL allows transition tables only on single-event triggers: one trigger per event.
POSTGRESQL_TRIGGERS = [
    "CREATE TRIGGER inventory_system_inserted AFTER INSERT ON inventory_system "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION inventory_system_changed()",
    "CREATE TRIGGER inventory_system_updated AFTER UPDATE ON inventory_system "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION inventory_system_changed()",
    "CREATE TRIGGER inventory_system_deleted AFTER DELETE ON inventory_system "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION inventory_system_changed()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS inventory_system_inserted ON inventory_system",
    "DROP TRIGGER IF EXISTS inventory_system_updated ON inventory_system",
    "DROP TRIGGER IF EXISTS inventory_system_deleted ON inventory_system",
    "DROP FUNCTION IF EXISTS inventory_system_changed()",
    "DROP FUNCTION IF EXISTS inventory_system_change_count(bigint)",
]


def sqlite_count(row: str) -> str:
    """The statements that add one to the counter of `row`'s agency (`NEW` or `OLD`)."""
    return (
        "INSERT INTO inventory_systemchangecounter (agency_id, changes) "
        f"SELECT {row}.agency_id, 0 WHERE NOT EXISTS "
        f"(SELECT 1 FROM inventory_systemchangecounter WHERE agency_id = {row}.agency_id); "
        f"UPDATE inventory_systemchangecounter SET changes = changes + 1 WHERE agency_id = {row}.agency_id;"
    )


SQLITE_TRIGGERS = [
    f"CREATE TRIGGER inventory_system_inserted AFTER INSERT ON inventory_system BEGIN {sqlite_count('NEW')} END",
    "CREATE TRIGGER inventory_system_updated AFTER UPDATE ON inventory_system "
    f"BEGIN {sqlite_count('OLD')} {sqlite_count('NEW')} END",
    f"CREATE TRIGGER inventory_system_deleted AFTER DELETE ON inventory_system BEGIN {sqlite_count('OLD')} END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS inventory_system_inserted",
    "DROP TRIGGER IF EXISTS inventory_system_updated",
    "DROP TRIGGER IF EXISTS inventory_system_deleted",
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = POSTGRESQL_FUNCTIONS + POSTGRESQL_TRIGGERS
    elif schema_editor.connection.vendor == "sqlite":
        statements = SQLITE_TRIGGERS
    else:
        raise NotImplementedError(f"No change-counting triggers for {schema_editor.connection.vendor}.")
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    drop = POSTGRESQL_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP
    for statement in drop:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0006_dashboard_indexes_postgresql"),
    ]

    operations = [
        migrations.CreateModel(
            name="SystemChangeCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("agency_id", models.BigIntegerField(db_index=True)),
                ("changes", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
