"""History rows written in bulk, links included.

simple-history's bulk helpers write a historical row without its many-to-many rows, so
the next entry seemed to add back every link the bulk one had "removed". Here a row's
history is copied from the table itself after a bulk write (one INSERT … SELECT per
table and chunk, so a directive revision moving 100,000 deadlines loads no objects),
and its links with it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.apps import apps
from django.db import connection
from django.db.models import Model

from procurement.core.batching import in_chunks


def history_record_bulk(
    model: type[Model],
    pks: Sequence[int],
    *,
    history_type: str,
    user,
    reason: str,
    date: datetime.datetime,
) -> None:
    """Writes one history entry per row in `pks`, as the row and its links stand now."""
    history_model = model.history.model
    for chunk in in_chunks(list(pks)):
        _copy_rows(model, history_model, chunk, history_type, user, reason, date)
        for field in history_model._history_m2m_fields:
            _copy_links(model, history_model, field, chunk, reason, date)


def _copy_rows(model, history_model, pks, history_type, user, reason, date) -> None:
    quote = connection.ops.quote_name
    columns = [field.column for field in history_model.tracked_fields]
    listed = ", ".join(quote(column) for column in columns)
    marks = ", ".join(["%s"] * len(pks))
    sql = (
        f"INSERT INTO {quote(history_model._meta.db_table)} "
        f"({listed}, history_date, history_change_reason, history_type, history_user_id) "
        f"SELECT {listed}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)} IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [date, reason, history_type, getattr(user, "pk", None), *pks])


def _copy_links(model, history_model, field, pks, reason, date) -> None:
    quote = connection.ops.quote_name
    through = field.remote_field.through
    links_model = apps.get_model(history_model._meta.app_label, f"{history_model.__name__}_{field.name}")
    source, target = field.m2m_column_name(), field.m2m_reverse_name()
    marks = ", ".join(["%s"] * len(pks))
    sql = (
        f"INSERT INTO {quote(links_model._meta.db_table)} (id, {quote(source)}, {quote(target)}, history_id) "
        f"SELECT link.id, link.{quote(source)}, link.{quote(target)}, h.history_id "
        f"FROM {quote(through._meta.db_table)} link "
        f"JOIN {quote(history_model._meta.db_table)} h ON h.{quote(model._meta.pk.column)} = link.{quote(source)} "
        f"WHERE h.history_date = %s AND h.history_change_reason = %s AND link.{quote(source)} IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [date, reason, *pks])
