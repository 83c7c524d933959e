"""Where an export reads each table column as a plain value, without rendering cells.

A table declares one `ExportColumn` per column (`PhaseoutTable.export_columns`). An
export then reads every row with one `values_list` query of field paths. A many-to-many
column is `LinkedValues`: one query for all of the export's rows, limited to the linked
rows the user may see. A conversion turns each read value into what the screen shows: a
choice's label, yes or no, the days left.

On PostgreSQL a CSV export has each column's field made by the database instead
(`ExportColumn.csv_text`): the same label, words or number as text, neutralised, inner
quotes doubled, so that rows arrive as ready strings and no Python runs per cell. Where
a column's text cannot be made there exactly as Python writes it (date-times, annotated
values), the export reads values as above.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    F,
    Func,
    IntegerField,
    Model,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Coalesce, Left, Replace
from django.db.models.lookups import Exact, In

from procurement.core.formulas import FORMULA_TRIGGERS, NEUTRALISING_PREFIX, neutralise

LINKED_CHUNK_ROWS = 20_000  # links read per round trip: they are short, and held anyway

# Conversions work on a whole column of a chunk of rows at once: mostly `map` over a
# dict's lookup, which runs in C; a function call per cell would cost more than the query.
Convert = Callable[[Sequence[Any]], Sequence[Any]]
# The SQL of a column's CSV field (PostgreSQL), from the context, the model field and the
# column's value; None where the database cannot write what Python writes.
CsvText = Callable[["ExportContext", Any, F], Func | None]


@dataclass(frozen=True)
class ExportContext:
    """What a column may depend on besides its row: who exports, and on which day."""

    user: Any
    today: datetime.date


@dataclass(frozen=True)
class ExportColumn:
    """One column's plain value: a `values()` path or a many-to-many column, then a conversion.

    `source` is a path such as "agency__abbreviation", or a function of the context
    giving a many-to-many column's `LinkedValues`. `convert` is a function of the context
    and the column's model field (None for a function source) giving the conversion of a
    column of values, or None when the values are exported as read. A conversion gives
    the final values: it neutralises any text it produces; values read as they are get
    neutralised if the column may hold text. `text` is the same in SQL, for CSV on
    PostgreSQL (`csv_text`).
    """

    source: str | Callable[[ExportContext], LinkedValues]
    convert: Callable[[ExportContext, Any], Convert | None] | None = None
    is_money: bool = False  # dollars: a number in XLSX's currency format
    text: CsvText | None = None

    def reader(self, context: ExportContext, model: type[Model]) -> tuple[Convert | None, bool]:
        """The conversion of this column's values, and whether values read as they are need neutralising.

        Values read as they are may be text unless the model field says otherwise.
        """
        model_field = model_field_at(model, self.source) if isinstance(self.source, str) else None
        convert = self.convert(context, model_field) if self.convert is not None else None
        if convert is not None:
            return convert, False
        return None, model_field is None or isinstance(model_field, CharField | TextField)

    def csv_text(self, context: ExportContext, model: type[Model]) -> Func | LinkedValues | None:
        """This column's CSV field as PostgreSQL makes it, or None where it cannot make what `reader` gives.

        A path's field is final text (`csv_field`); a many-to-many column is its `LinkedValues`,
        whose `csv_texts` are final.
        """
        if not isinstance(self.source, str):
            return self.source(context)
        model_field = model_field_at(model, self.source)
        if model_field is None or self.text is None:
            return None
        return self.text(context, model_field, F(self.source))


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


def _display_text(context: ExportContext, model_field, value: F) -> Func | None:
    """`_display` in SQL: CASE over the labels, anything else as `_value_text` writes it."""
    as_read = _value_text(context, model_field, value)
    if as_read is None or not model_field.choices:
        return as_read
    choices = model_field.flatchoices
    if any(choice is None for choice, _ in choices):  # NULL equals nothing in SQL
        return None
    labels = [When(Exact(value, choice), then=Value(csv_field(str(label)))) for choice, label in choices]
    return Case(*labels, default=as_read, output_field=TextField())


def _value_text(context: ExportContext, model_field, value: F) -> Func | None:
    """A value read as it is, as text written the way `str` writes it; an empty field for none."""
    if isinstance(model_field, CharField | TextField):
        return Coalesce(sql_csv_field(value), Value(""), output_field=TextField())
    if isinstance(model_field, DateTimeField):  # its text would follow the session's time zone and style
        return None
    if isinstance(model_field, DateField):
        as_text = Func(value, Value("YYYY-MM-DD"), function="TO_CHAR", output_field=TextField())
    elif isinstance(model_field, BooleanField):
        as_text = _words(value, "True", "False")
    elif isinstance(model_field, IntegerField | DecimalField):  # numeric keeps its scale, as Decimal does
        as_text = Cast(value, TextField())
    else:
        return None
    return Coalesce(as_text, Value(""), output_field=TextField())


def _words(value: F, true: str, false: str) -> Func:
    return Case(When(Exact(value, True), then=Value(true)), When(Exact(value, False), then=Value(false)))


def field(path: str) -> ExportColumn:
    """The field's value; for a field with choices, the label the screen shows."""
    return ExportColumn(path, _display, text=_display_text)


YES_NO = {True: "Yes", False: "No"}  # the words the screen shows (core.tables.YesNoColumn)


def _yes_no_text(context: ExportContext, model_field, value: F) -> Func | None:
    if not isinstance(model_field, BooleanField):
        return None
    return Coalesce(_words(value, YES_NO[True], YES_NO[False]), Value(""), output_field=TextField())


def yes_no(path: str) -> ExportColumn:
    return ExportColumn(
        path, lambda context, model_field: lambda values: list(map(YES_NO.get, values)), text=_yes_no_text
    )


def money(path: str) -> ExportColumn:
    """An amount in US dollars: the number as stored (CSV), a number in currency format (XLSX)."""
    return ExportColumn(path, is_money=True, text=_value_text)


def days_until(path: str) -> ExportColumn:
    """Days from the export's day to the date (negative once past); empty without a date."""

    def convert(context: ExportContext, model_field) -> Convert:
        def days(values: Sequence[datetime.date | None]) -> list[int | None]:
            # A list holds few distinct deadlines: each is subtracted once.
            by_day = {day: (day - context.today).days for day in set(values) if day is not None}
            return list(map(by_day.get, values))

        return days

    def text(context: ExportContext, model_field, value: F) -> Func | None:
        if not isinstance(model_field, DateField) or isinstance(model_field, DateTimeField):
            return None
        days = Func(
            value, Value(context.today, output_field=DateField()), arg_joiner=" - ", template="(%(expressions)s)"
        )
        return Coalesce(Cast(days, TextField()), Value(""), output_field=TextField())

    return ExportColumn(path, convert, text=text)


@dataclass(frozen=True)
class LinkedValues:
    """A many-to-many column: each exported row's linked rows as one text, in a fixed order.

    `rows` are the linked rows the user may see; `owner` is the path from one of them
    back to the exported row ("depended_by"); `value` is what the cell names each by. An
    export reads a column's texts for all of its rows with one query before the rows
    (`texts`; for CSV on PostgreSQL `csv_texts`, joined by the database): its cost
    follows the number of links, where a subquery per row, or a query per chunk for the
    chunk's ids, costs an index probe per row (`docs/benchmarks.md`; a LATERAL string_agg
    per row took 1.8 s of 100,000 rows).
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

    def csv_texts(self, owners: QuerySet) -> QuerySet:
        """(owner id, CSV field) for the owners with any: their values joined by PostgreSQL, neutralised, quoted."""
        owner_id = f"{self.owner}__pk"
        found = self.rows.filter(**{f"{self.owner}__in": owners}).order_by().values(owner_id)
        joined = StringAgg(self.value, self.separator, order_by=self.ordering)
        return found.annotate(text=sql_csv_field(joined)).values_list(owner_id, "text")


def linked(build: Callable[[ExportContext], LinkedValues]) -> ExportColumn:
    """A many-to-many column, built for the export's user: see `LinkedValues`."""
    return ExportColumn(build)


# Formula neutralising and quoting in SQL ---------------------------------------------------------


def csv_field(text: str) -> str:
    """A text as the CSV writes its field between the quotes: neutralised, inner quotes doubled."""
    return neutralise(text).replace('"', '""')


def sql_csv_field(text: Func | F) -> Func:
    """`csv_field` in SQL, for a text expression (NULL stays NULL)."""
    starts = [*FORMULA_TRIGGERS, NEUTRALISING_PREFIX]
    prefixed = Func(
        Value(NEUTRALISING_PREFIX), text, arg_joiner=" || ", template="(%(expressions)s)", output_field=TextField()
    )
    neutralised = Case(When(In(Left(text, 1), starts), then=prefixed), default=text, output_field=TextField())
    return Replace(neutralised, Value('"'), Value('""'), output_field=TextField())
