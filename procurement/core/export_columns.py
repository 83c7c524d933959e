"""Where an export reads each table column as a plain value, without rendering cells.

A table declares one `ExportColumn` per column (`PhaseoutTable.export_columns`). An
export then reads every row with one `values_list` query of field paths (and SQL
expressions built for the user). A many-to-many column is `LinkedValues`: one query for
all of the export's rows, limited to the linked rows the user may see. A conversion
turns each read value into what the screen shows: a choice's label, yes or no, the days
left.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, Model, QuerySet, TextField
from django.db.models.expressions import BaseExpression, Combinable

from procurement.core.formulas import neutralise

LINKED_CHUNK_ROWS = 20_000  # links read per round trip: they are short, and held anyway

# Conversions work on a whole column of a chunk of rows at once: mostly `map` over a
# dict's lookup, which runs in C; a function call per cell would cost more than the query.
Convert = Callable[[Sequence[Any]], Sequence[Any]]


@dataclass(frozen=True)
class ExportContext:
    """What a column may depend on besides its row: who exports, and on which day."""

    user: Any
    today: datetime.date


@dataclass(frozen=True)
class ExportColumn:
    """One column's plain value: a `values()` path or an expression, then a conversion.

    `source` is a path such as "agency__abbreviation", or a function of the context
    giving an SQL expression or a many-to-many column's `LinkedValues`. `convert` is a
    function of the context and the column's model field (None for a function source)
    giving the conversion of a column of values, or None when the values are exported as
    read. A conversion gives the final values: it neutralises any text it produces;
    values read as they are get neutralised if the column may hold text.
    """

    source: str | Callable[[ExportContext], BaseExpression | LinkedValues]
    convert: Callable[[ExportContext, Any], Convert | None] | None = None
    is_money: bool = False  # dollars: a number in XLSX's currency format

    def reader(self, context: ExportContext, model: type[Model]) -> tuple[Convert | None, bool]:
        """The conversion of this column's values, and whether values read as they are need neutralising.

        Values read as they are may be text unless the model field says otherwise.
        """
        model_field = model_field_at(model, self.source) if isinstance(self.source, str) else None
        convert = self.convert(context, model_field) if self.convert is not None else None
        if convert is not None:
            return convert, False
        return None, model_field is None or isinstance(model_field, CharField | TextField)


def model_field_at(model: type[Model], path: str):
    """The model field a `values()` path ends at ("agency__abbreviation" → Agency.abbreviation)."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


class Labels(dict):
    """Neutralised choice labels by value; a value without a label stays as it is, as on screen."""

    def __missing__(self, value):
        return neutralise(value)


def _display(context: ExportContext, model_field) -> Convert | None:
    """A field with choices shows its label on screen (django-tables2 calls get_FOO_display)."""
    if model_field is None or not model_field.choices:
        return None
    labels = Labels((value, neutralise(str(label))) for value, label in model_field.flatchoices)
    return lambda values: list(map(labels.__getitem__, values))


def field(path: str) -> ExportColumn:
    """The field's value; for a field with choices, the label the screen shows."""
    return ExportColumn(path, _display)


YES_NO = {True: "Yes", False: "No"}  # the words the screen shows (core.tables.YesNoColumn)


def yes_no(path: str) -> ExportColumn:
    return ExportColumn(path, lambda context, model_field: lambda values: list(map(YES_NO.get, values)))


def money(path: str) -> ExportColumn:
    """An amount in US dollars: the number as stored (CSV), a number in currency format (XLSX)."""
    return ExportColumn(path, is_money=True)


def days_until(path: str) -> ExportColumn:
    """Days from the export's day to the date (negative once past); empty without a date."""

    def convert(context: ExportContext, model_field) -> Convert:
        def days(values: Sequence[datetime.date | None]) -> list[int | None]:
            # A list holds few distinct deadlines: each is subtracted once.
            by_day = {day: (day - context.today).days for day in set(values) if day is not None}
            return list(map(by_day.get, values))

        return days

    return ExportColumn(path, convert)


@dataclass(frozen=True)
class LinkedValues:
    """A many-to-many column: each exported row's linked rows as one text, in a fixed order.

    `rows` are the linked rows the user may see; `owner` is the path from one of them
    back to the exported row ("depended_by"); `value` is what the cell names each by. An
    export reads a column's texts for all of its rows with one query before the rows
    (`texts`): its cost follows the number of links, where a subquery per row, or a query
    per chunk for the chunk's ids, costs an index probe per row (`docs/benchmarks.md`).
    """

    rows: QuerySet
    owner: str
    value: str | Combinable
    ordering: tuple[str, ...]
    separator: str = "; "

    def values_for(self, owners: QuerySet) -> QuerySet:
        """(owner id, value) of the rows linked to `owners`, in the cells' order."""
        owner_id = f"{self.owner}__pk"
        found = self.rows.filter(**{f"{self.owner}__in": owners})
        return found.order_by(*self.ordering).values_list(owner_id, self.value)

    def texts(self, owners: QuerySet) -> dict[Any, str]:
        """Each owner's linked values joined, for the owners with any (the others: None, an empty cell)."""
        texts: dict[Any, str] = {}
        shared: dict[str, str] = {}  # many rows link the same rows: equal values share one string
        separator = self.separator
        # Read in the cells' order, so each text grows in it. Most rows link one or two
        # rows: a join per extra value costs less than a list per row.
        for owner, value in self.values_for(owners).iterator(chunk_size=LINKED_CHUNK_ROWS):
            text = texts.get(owner)
            texts[owner] = shared.setdefault(value, value) if text is None else f"{text}{separator}{value}"
        return texts


def linked(build: Callable[[ExportContext], LinkedValues]) -> ExportColumn:
    """A many-to-many column, built for the export's user: see `LinkedValues`."""
    return ExportColumn(build)
