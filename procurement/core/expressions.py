"""SQL expressions the ORM lacks on every backend Phaseout runs on."""

from __future__ import annotations

from django.db.models import F, QuerySet, Subquery, TextField
from django.db.models.expressions import Combinable


class JoinedText(Subquery):
    """The values a correlated queryset finds, joined into one text in SQL, in a fixed order.

    Lets an export read a many-to-many column as one plain value per row instead of a
    prefetch per chunk. PostgreSQL orders inside STRING_AGG. SQLite before 3.44 has no
    ORDER BY inside GROUP_CONCAT; it aggregates the rows of an ordered subquery in the
    order they come (it never flattens an ordered subquery into an aggregate query). No
    row gives NULL, which exports as an empty cell, as the screen's empty column does.
    """

    output_field = TextField()

    def __init__(self, queryset: QuerySet, value: str | Combinable, ordering: tuple[str, ...], separator: str = "; "):
        if "'" in separator or "%" in separator:
            raise ValueError("The separator is written into the SQL: no quote or percent sign.")
        keys = {f"joined_key{index}": F(key) for index, key in enumerate(ordering)}
        value = F(value) if isinstance(value, str) else value
        inner = queryset.order_by(*ordering).values(joined_value=value, **keys)
        self.key_names = tuple(keys)
        self.separator = separator
        super().__init__(inner)

    def as_sql(self, compiler, connection, template=None, **extra_context):
        connection.ops.check_expression_support(self)
        ordering = ", ".join(f"joined.{key}" for key in self.key_names)
        query = self.query
        if connection.vendor == "postgresql":
            query = query.clone()
            query.clear_ordering(force=True)  # STRING_AGG orders; a sort per row would be wasted
            aggregate = f"STRING_AGG(joined.joined_value, '{self.separator}' ORDER BY {ordering})"
        else:
            aggregate = f"GROUP_CONCAT(joined.joined_value, '{self.separator}')"
        subquery_sql, params = query.as_sql(compiler, connection)  # "(SELECT ...)"
        return f"(SELECT {aggregate} FROM {subquery_sql} joined)", params
