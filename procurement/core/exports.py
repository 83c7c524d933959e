"""CSV and XLSX files of exactly the rows and columns a list shows on screen.

An export reads the screen's queryset (filtered, limited to what the user may see,
sorted as on screen) as plain values: one `values_list` query whose columns each table
declares (`PhaseoutTable.export_columns`), read in chunks from a server-side cursor where
the database has one; before it, one query per many-to-many column reads that column's
texts for all of the rows (`export_columns.LinkedValues`). No row goes through the
table's cell rendering. CSV is streamed to the client; XLSX is written by `core.xlsx`, in
the request for small lists and by a worker for large ones (`core.services`). Text that
a spreadsheet would run as a formula is neutralised in both.

A CSV on PostgreSQL reads text instead (`CsvTextQuery`): the database writes each run
of columns between many-to-many ones as the line's fields, quoted and neutralised, and
joins each many-to-many column's values per row; Python only joins those strings into
lines. Python per cell took three times as long as PostgreSQL's COPY of the same rows
(`bench.exports`). SQLite, and columns whose text only Python writes as the screen does,
take the values above.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from itertools import islice, repeat
from typing import IO, NamedTuple

import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connections
from django.db.models import Func, QuerySet, TextField, Value
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from procurement.core.export_columns import LINKED_CHUNK_ROWS, Convert, ExportContext, LinkedValues
from procurement.core.formulas import FORMULA_TRIGGERS as FORMULA_TRIGGERS  # import reads the rule here
from procurement.core.formulas import NEUTRALISING_PREFIX as NEUTRALISING_PREFIX
from procurement.core.formulas import neutralise as neutralise
from procurement.core.formulas import neutralise_column
from procurement.core.quoted_csv import LINE_END, quoted_lines
from procurement.core.tables import PhaseoutTable
from procurement.core.xlsx import SheetWriter

CHUNK_ROWS = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_context(user) -> ExportContext:
    return ExportContext(user=user, today=timezone.localdate())


def export_headers(table: PhaseoutTable) -> list[str]:
    return [str(table.columns[name].header) for name in table.visible_column_names()]


class Chunk(NamedTuple):
    """A run of an export's rows, as columns of final values (converted, neutralised)."""

    rows: int
    columns: list[Sequence[object]]

    def row_tuples(self) -> Iterator[tuple]:
        return zip(*self.columns, strict=True) if self.columns else iter([()] * self.rows)


@dataclass(frozen=True)
class ExportQuery:
    """The one query that reads an export's rows, and how its rows become the file's.

    Each step is, for one visible column: its place in a row, its conversion (or None)
    and whether it may hold text to neutralise. A row is the queryset's values followed
    by the text of each of `linked` for the row's id (at `id_position`), read for all of
    the rows of `owners` before the first row.
    """

    queryset: QuerySet
    steps: tuple[tuple[int, Convert | None, bool], ...]
    linked: tuple[LinkedValues, ...] = ()
    owners: QuerySet | None = None
    id_position: int = 0

    def linked_texts(self) -> list[dict]:
        """For each of `linked`, every owner's text by id."""
        return [linked.texts(self.owners) for linked in self.linked]

    def chunk(self, rows: list[tuple], linked_texts: Sequence[dict] = ()) -> Chunk:
        """Queryset rows as the file's columns, converted a column at a time."""
        read = list(zip(*rows, strict=True))
        if linked_texts:
            ids = read[self.id_position]
            read.extend(list(map(texts.get, ids)) for texts in linked_texts)
        columns = []
        for position, convert, may_hold_text in self.steps:
            values = read[position]
            if convert is not None:
                values = convert(values)
            if may_hold_text:
                values = neutralise_column(values)
            columns.append(values)
        return Chunk(len(rows), columns)


def export_query(table: PhaseoutTable, context: ExportContext) -> ExportQuery:
    """The table's visible columns read from its queryset, in the screen's order of rows."""
    queryset = table.data.data
    linked = {}
    columns = []  # each visible column's key among the values read, conversion, neutralising
    for name in table.visible_column_names():
        column = table.export_column(name)
        key = column.source
        if not isinstance(key, str):
            key = f"export_{name}"
            linked[key] = column.source(context)
        columns.append((key, *column.reader(context, queryset.model)))
    fields = list(dict.fromkeys(key for key, _, _ in columns if key not in linked))
    if (linked or not fields) and "pk" not in fields:
        fields.append("pk")  # linked values are read by id
    positions = {key: position for position, key in enumerate([*fields, *linked])}
    steps = tuple((positions[key], convert, may_hold_text) for key, convert, may_hold_text in columns)
    values = queryset.prefetch_related(None).values_list(*fields)
    if not linked:
        return ExportQuery(values, steps)
    return ExportQuery(values, steps, tuple(linked.values()), queryset.values("pk"), positions["pk"])


FIELD_SEPARATOR = '","'  # between two quoted fields of a line
RUN, LINKED = "run", "linked"  # the kinds of a CSV line's parts (`CsvTextQuery.parts`)


@dataclass(frozen=True)
class CsvTextQuery:
    """A CSV export's lines as PostgreSQL writes them (`export_columns.ExportColumn.csv_text`).

    `queryset` reads, per row, each run of adjacent columns as one text (the fields
    joined, ready to quote), then the row's id when there are `linked` columns. `parts`
    are the line's parts in order: (RUN, the run's place in a row) or (LINKED, the index
    of one of `linked`). Each linked column's texts are read for all of the rows of
    `owners` before the first row, as in `ExportQuery`.
    """

    queryset: QuerySet
    parts: tuple[tuple[str, int], ...]
    linked: tuple[LinkedValues, ...] = ()
    owners: QuerySet | None = None

    def lines(self, rows: list[tuple], linked_texts: Sequence[dict]) -> str:
        """The rows' CSV lines, every field quoted; no Python runs per field, only per chunk."""
        if not self.linked:  # one run
            runs = [row[0] for row in rows]
        else:
            read = list(zip(*rows, strict=True))
            ids = read[-1]
            parts = [
                read[at] if kind == RUN else list(map(linked_texts[at].get, ids, repeat(""))) for kind, at in self.parts
            ]
            runs = map(FIELD_SEPARATOR.join, zip(*parts, strict=True))
        return '"' + f'"{LINE_END}"'.join(runs) + '"' + LINE_END


def csv_text_query(table: PhaseoutTable, context: ExportContext) -> CsvTextQuery | None:
    """The visible columns as CSV text from PostgreSQL; None where Python must write some (`export_query`)."""
    queryset = table.data.data
    if connections[queryset.db].vendor != "postgresql":
        return None
    texts = [table.export_column(name).csv_text(context, queryset.model) for name in table.visible_column_names()]
    if not texts or None in texts:
        return None
    runs: list[list[Func]] = []
    linked: list[LinkedValues] = []
    parts: list[tuple[str, int]] = []
    for text in texts:
        if isinstance(text, LinkedValues):
            parts.append((LINKED, len(linked)))
            linked.append(text)
        elif parts and parts[-1][0] == RUN:
            runs[-1].append(text)
        else:
            parts.append((RUN, len(runs)))
            runs.append([text])
    names = {f"export_run_{index}": _fields_joined(run) for index, run in enumerate(runs)}
    id_field = ["pk"] if linked else []
    values = queryset.prefetch_related(None).annotate(**names).values_list(*names, *id_field)
    return CsvTextQuery(values, tuple(parts), tuple(linked), queryset.values("pk") if linked else None)


def _fields_joined(fields: list[Func]) -> Func:
    """A run of fields as one text with the separator between them (each field is text, never NULL)."""
    if len(fields) == 1:
        return fields[0]
    separated = [fields[0]]
    for field in fields[1:]:
        separated += [Value(FIELD_SEPARATOR), field]
    return Func(*separated, arg_joiner=" || ", template="(%(expressions)s)", output_field=TextField())


def csv_text_chunks(query: CsvTextQuery, chunk_rows: int | None = None) -> Iterator[str]:
    """The export's CSV lines, `chunk_rows` (CHUNK_ROWS) at a time, from one query after the linked columns'."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    linked_texts = [_texts_by_owner(linked.csv_texts(query.owners)) for linked in query.linked]
    for rows in streamed(query.queryset, chunk_rows):
        yield query.lines(rows, linked_texts)


def _texts_by_owner(texts: QuerySet) -> dict:
    shared: dict[str, str] = {}  # many rows link the same rows: equal texts share one string
    return {owner: shared.setdefault(text, text) for rows in streamed(texts) for owner, text in rows}


def streamed(queryset: QuerySet, chunk_rows: int = LINKED_CHUNK_ROWS) -> Iterator[list[tuple]]:
    """A PostgreSQL query's rows, `chunk_rows` at a time, as they arrive.

    A stream rather than a server-side cursor: PostgreSQL sends rows while Python joins
    the earlier ones, where each FETCH would wait for the other side (and Django's
    cursors outside a transaction are WITH HOLD, made whole before the first row).
    """
    connection = connections[queryset.db]
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # `.none()`, as for an invalid filter: no rows, and no query to send
        return
    size = chunk_rows if psycopg.pq.version() >= 170000 else 1  # chunks from libpq 17 on, else rows
    with connection.cursor() as cursor, connection.wrap_database_errors:
        start = time.monotonic()
        # Closed before the cursor, also when the client goes away half-way: the stream
        # cancels the query and reads what was sent, so the connection can be used again.
        with closing(cursor.cursor.stream(sql, params, size=size)) as rows:  # psycopg's own cursor
            while read := list(islice(rows, chunk_rows)):
                yield read
        if connection.queries_logged:  # recorded as Django's debug cursor records a query
            connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - start:.3f}"})


def export_chunks(table: PhaseoutTable, context: ExportContext, chunk_rows: int | None = None) -> Iterator[Chunk]:
    """The export's rows, `chunk_rows` (CHUNK_ROWS) at a time, read from one query."""
    return query_chunks(export_query(table, context), chunk_rows)


def query_chunks(query: ExportQuery, chunk_rows: int | None = None) -> Iterator[Chunk]:
    """Any export query's rows (a list's, a report's), `chunk_rows` at a time, server-side."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    linked_texts = query.linked_texts()
    with _without_jit(query.queryset):
        rows = query.queryset.iterator(chunk_size=chunk_rows)
        while read := list(islice(rows, chunk_rows)):
            yield query.chunk(read, linked_texts)


@contextmanager
def _without_jit(queryset: QuerySet) -> Iterator[None]:
    """Turns PostgreSQL's JIT compilation off while a query with subqueries per row runs.

    A correlated subquery per row (as a report's query has) makes the planner's cost
    estimate large enough for JIT with inlining and optimisation, which took 0.4 to
    1.6 s on 100,000 systems and gained nothing.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or not queryset.query.annotations:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        with suppress(DatabaseError), connection.cursor() as cursor:  # a broken connection has no setting left
            cursor.execute("RESET jit")


def rows_at_most(table: PhaseoutTable, limit: int) -> int:
    """The number of rows, counted no further than `limit` + 1: cheap whatever the list's size."""
    return table.data.data.order_by()[: limit + 1].count()


def csv_response(table: PhaseoutTable, basename: str, context: ExportContext) -> StreamingHttpResponse:
    def lines() -> Iterator[str]:
        header = [[text] for text in export_headers(table)]
        yield "\ufeff" + quoted_lines(header, 1)  # the mark lets Excel open UTF-8 correctly
        text_query = csv_text_query(table, context)
        if text_query is not None:
            yield from csv_text_chunks(text_query)
            return
        for chunk in export_chunks(table, context):
            yield quoted_lines(chunk.columns, chunk.rows)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{basename}.csv"'
    return response


def xlsx_write(
    table: PhaseoutTable,
    context: ExportContext,
    output: str | IO[bytes],
    title: str,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Writes the export as XLSX to `output`; returns the number of rows written.

    `on_progress` is called with the rows written so far after every chunk.
    """
    written = 0
    money_columns = [table.export_column(name).is_money for name in table.visible_column_names()]
    with SheetWriter(output, title, export_headers(table), money_columns) as sheet:
        for chunk in export_chunks(table, context):
            sheet.write_rows(chunk.row_tuples())
            written += chunk.rows
            if on_progress is not None:
                on_progress(written)
    return written


def xlsx_response(table: PhaseoutTable, basename: str, context: ExportContext) -> FileResponse:
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes and so removes it)
    xlsx_write(table, context, output, title=basename)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=f"{basename}.xlsx", content_type=XLSX_CONTENT_TYPE)
