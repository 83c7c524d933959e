"""INSERT ... SELECT from a Django queryset, skipping rows a unique constraint already holds."""

from __future__ import annotations

from django.db import connection, models


def insert_from_select(model: type[models.Model], columns: dict[str, str], queryset: models.QuerySet) -> int:
    """Inserts the rows `queryset` selects into `model`'s table; returns how many were new.

    `columns` maps each target column to the queryset annotation that fills it. One
    statement, whatever the row count; `ON CONFLICT DO NOTHING` (PostgreSQL and SQLite)
    makes a re-run insert nothing.
    """
    select = queryset.order_by().values_list(*columns.values())
    sql, params = select.query.get_compiler(using=select.db).as_sql()
    quote = connection.ops.quote_name
    target = ", ".join(quote(column) for column in columns)
    statement = f"INSERT INTO {quote(model._meta.db_table)} ({target}) {sql} ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)
