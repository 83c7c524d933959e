"""Set-based statements Django's ORM does not write: INSERT ... SELECT skipping rows a unique
constraint already holds, and UPDATE ... RETURNING."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, connections, models
from django.db.models.sql import UpdateQuery


def insert_from_select(model: type[models.Model], columns: dict[str, str], queryset: models.QuerySet) -> int:
    """Inserts the rows `queryset` selects into `model`'s table; returns how many were new.

    `columns` maps each target column to the queryset annotation that fills it. One
    statement, whatever the row count; `ON CONFLICT DO NOTHING` (PostgreSQL and SQLite)
    makes a re-run insert nothing.
    """
    sql, params = select_sql(queryset, columns.values())
    quote = connection.ops.quote_name
    target = ", ".join(quote(column) for column in columns)
    statement = f"INSERT INTO {quote(model._meta.db_table)} ({target}) {sql} ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def select_sql(queryset: models.QuerySet, names: Iterable[str]) -> tuple[str, tuple]:
    """The SELECT of `queryset`'s fields or annotations `names`, in that order, unordered: to embed in a statement."""
    select = queryset.order_by().values_list(*names)
    return select.query.get_compiler(using=select.db).as_sql()


def update_returning(queryset: models.QuerySet, values: dict, returning: list[str]) -> list[tuple]:
    """`queryset.update(**values)` in one statement that also returns `returning` columns of the rows it changed.

    UPDATE ... RETURNING (PostgreSQL, SQLite 3.35+): the rows a conditional update won,
    without a second read that another worker's update could slip in front of.
    """
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(values)
    sql, params = query.get_compiler(queryset.db).as_sql()
    database = connections[queryset.db]
    columns = ", ".join(database.ops.quote_name(queryset.model._meta.get_field(name).column) for name in returning)
    with database.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {columns}", params)
        return cursor.fetchall()
