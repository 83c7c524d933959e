"""CSV and XLSX files of exactly the rows and columns a list shows on screen.

An export reads the screen's queryset (filtered, limited to what the user may see,
sorted as on screen) as plain values: one `values_list` query whose columns each table
declares (`PhaseoutTable.export_columns`), read in chunks from a server-side cursor where
the database has one; before it, one query per many-to-many column reads that column's
texts for all of the rows (`export_columns.LinkedValues`). No row goes through the
table's cell rendering. CSV is streamed to the client; XLSX is written by `core.xlsx`, in
the request for small lists and by a worker for large ones (`core.services`). Text that
a spreadsheet would run as a formula is neutralised in both.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import islice
from typing import IO, NamedTuple

from django.db import DatabaseError, connections
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from procurement.core.export_columns import Convert, ExportContext, LinkedValues
from procurement.core.formulas import FORMULA_TRIGGERS as FORMULA_TRIGGERS  # import reads the rule here
from procurement.core.formulas import NEUTRALISING_PREFIX as NEUTRALISING_PREFIX
from procurement.core.formulas import neutralise as neutralise
from procurement.core.formulas import neutralise_column
from procurement.core.quoted_csv import quoted_lines
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
    annotations, linked = {}, {}
    columns = []  # each visible column's key among the values read, conversion, neutralising
    for name in table.visible_column_names():
        column = table.export_column(name)
        key = column.source
        if not isinstance(key, str):
            key, built = f"export_{name}", column.source(context)
            (linked if isinstance(built, LinkedValues) else annotations)[key] = built
        columns.append((key, *column.reader(context, queryset.model)))
    fields = list(dict.fromkeys(key for key, _, _ in columns if key not in linked))
    if (linked or not fields) and "pk" not in fields:
        fields.append("pk")  # linked values are read by id
    positions = {key: position for position, key in enumerate([*fields, *linked])}
    steps = tuple((positions[key], convert, may_hold_text) for key, convert, may_hold_text in columns)
    values = queryset.prefetch_related(None).annotate(**annotations).values_list(*fields)
    if not linked:
        return ExportQuery(values, steps)
    return ExportQuery(values, steps, tuple(linked.values()), queryset.values("pk"), positions["pk"])


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

    A correlated subquery per row (an `expression` column) makes the planner's cost
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
