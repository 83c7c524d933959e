"""The project base table: common look, column choice and a stable sort for every list.

Exports (`core.exports`) read the same table, so screen and file agree.
"""

import copy
import html
from collections import OrderedDict
from collections.abc import Callable

import django_tables2 as tables
import django_tables2.utils
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case, IntegerField, QuerySet, Subquery, Value, When
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.encoding import force_str
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django_tables2.columns.base import BoundColumn
from django_tables2.rows import BoundRow

from procurement.core.export_columns import YES_NO, ExportColumn

# From this offset on, a page's rows are found by id first (`PhaseoutTable.paginate`).
DEEP_PAGE_OFFSET = 1000


class PhaseoutTable(tables.Table):
    """Common look and column choice for every list.

    `default_columns` are shown when the user has not chosen. `export_columns` says,
    for every column, where an export reads its plain value (`core.export_columns`):
    exports read values, never rendered cells, so every column needs one.
    """

    default_columns: tuple[str, ...] = ()
    export_columns: dict[str, ExportColumn] = {}
    # Columns of the page itself (a row's selection checkbox; every column of a table no file
    # holds, such as a plan's steps): always shown, never chosen or exported.
    page_columns: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.base_columns = ColumnsCopiedOneByOne(cls.base_columns)

    def __init__(self, data=None, order_by=None, **kwargs):
        # Given no sort, django-tables2 reads one back from the queryset's ORDER BY by trying
        # every column's sort against it: half of building a list's table. A queryset without
        # one (sorted by its model's default) has nothing to read back; "no sort" says so.
        if order_by is None and self._meta.order_by is None and isinstance(data, QuerySet) and not data.query.order_by:
            order_by = ()
        super().__init__(data, order_by, **kwargs)

    class Meta:
        template_name = "tables/table.html"
        attrs = {"class": "usa-table usa-table--striped usa-table--compact usa-table--borderless width-full"}
        empty_text = "Nothing matches these filters."

    @property
    def order_by(self):
        return tables.Table.order_by.fget(self)

    @order_by.setter
    def order_by(self, value) -> None:
        """Sorts as asked, then by id, so OFFSET pages neither repeat nor skip rows."""
        tables.Table.order_by.fset(self, value)
        queryset = getattr(self.data, "data", None)
        if queryset is not None and queryset.query.order_by and "pk" not in queryset.query.order_by:
            self.data.data = queryset.order_by(*queryset.query.order_by, "pk")

    def choosable_columns(self) -> list[tuple[str, str]]:
        return [
            (column.name, str(column.header)) for column in self.columns.all() if column.name not in self.page_columns
        ]

    def show_only(self, names: list[str]) -> None:
        # Unknown names are ignored; none left (or "?columns=default") means the defaults.
        choosable = {name for name, _ in self.choosable_columns()}
        chosen = set(names) & choosable or set(self.default_columns)
        for column in self.columns.all():
            if column.name in chosen or column.name in self.page_columns:
                self.columns.show(column.name)
            else:
                self.columns.hide(column.name)

    def paginate(self, *args, **kwargs):
        """Pages as django-tables2 does; a deep page finds its rows' ids before reading the rows.

        With OFFSET, the database reads every skipped row in full (page 400 of 100,000
        systems: 10,000 rows from the table for 25 kept). Picking the page's ids first
        (`id IN (SELECT id ... OFFSET ... LIMIT ...)`, same order) lets it walk only the
        sort's index and read 25 rows.
        """
        super().paginate(*args, **kwargs)
        rows = self.page.object_list  # BoundRows over the sliced queryset
        sliced = getattr(rows, "data", None)
        if isinstance(sliced, QuerySet) and sliced.query.low_mark >= DEEP_PAGE_OFFSET:
            rows.data = self.data.data.filter(pk__in=Subquery(sliced.values("pk")))
        return self

    def prefetch_visible_only(self) -> None:
        """Drops the queryset's prefetches of many-to-many columns that are not shown.

        A list's queryset prefetches every linked column it may show (covered products,
        depends on); each is a query per page, wasted when the column is hidden, as it is
        by default. A prefetch is kept when its first step names a visible column.
        """
        queryset = getattr(self.data, "data", None)
        if queryset is None or not getattr(queryset, "_prefetch_related_lookups", ()):
            return
        visible = {column.name for column in self.columns.all() if column.visible}
        kept = [lookup for lookup in queryset._prefetch_related_lookups if _first_step(lookup) in visible]
        self.data.data = queryset.prefetch_related(None).prefetch_related(*kept)

    def visible_column_names(self) -> list[str]:
        """The chosen columns shown, in order: what exports write and what is remembered."""
        return [column.name for column in self.columns.all() if column.visible and column.name not in self.page_columns]

    # The list template writes the rows this table renders itself (`rendered_rows`).
    renders_rows_itself = True

    def rendered_rows(self) -> list[SafeString]:
        """The page's rows as `<tr>` HTML, equal to what django-tables2's cell rendering gives.

        django-tables2 resolves each cell's accessor twice, looks its model field up and
        inspects its render function's arguments for every cell, then the template loops
        over the cells: most of a list page's time. Columns of the plain kinds below, and
        a table's `render_<name>` taking the value or the record, are worked out once per
        column instead (`_plain_cell`); any other column (many-to-many columns, render
        functions wanting more) goes through django-tables2 as before.
        """
        cells = [self._plain_cell(column) or _library_cell(column.name) for column in self.columns]
        context = Context()  # what the template would escape and localise with
        rows = []
        for row in self.paginated_rows:
            tds = "".join(f"<td>{_cell_html(cell(row), context)}</td>" for cell in cells)
            rows.append(mark_safe(f"<tr>{tds}</tr>"))  # noqa: S308 (every cell is escaped above)
        return rows

    def _plain_cell(self, bound_column: BoundColumn) -> Callable[[BoundRow], object] | None:
        """A cell function for a column of a plain kind that the table does not render itself, else None."""
        column = bound_column.column
        # The column's render, or the table's `render_<name>` when it has one: either is
        # called directly if it asks for no more than the value and the record.
        render = bound_column.render
        wanted = set(django_tables2.utils.signature(render)[0]) - {"self"}
        if type(column) not in PLAIN_COLUMNS or not wanted <= {"value", "record"}:
            return None
        accessor = django_tables2.utils.A(bound_column.accessor)
        path, _, last = accessor.rpartition(accessor.SEPARATOR)
        model_field = accessor.get_field(self.data.model) if hasattr(self.data, "model") else None
        # A choice's label as `get_<field>_display()` gives it, from a table built once per column.
        labels = dict(model_field.flatchoices) if getattr(model_field, "choices", None) else None
        # A plain column of the row's own model is read as an attribute: what the accessor's
        # lookups (a key, an attribute, an index, a call) come to for such a field.
        own_field = not path and labels is None and _is_plain_field(model_field, last)
        default = bound_column.default

        def cell(row: BoundRow):
            value = getattr(row.record, last) if own_field else _plain_value(row.record, accessor, path, last, labels)
            if value in column.empty_values:
                return default
            arguments = {"value": value, "record": row.record}
            content = render(**{name: arguments[name] for name in wanted})
            if bound_column.link:
                content = bound_column.link(content, **row._optional_cell_arguments(bound_column, value))
            return content

        return cell

    def export_column(self, name: str) -> ExportColumn:
        try:
            return self.export_columns[name]
        except KeyError:
            table = type(self).__name__
            raise ImproperlyConfigured(f"{table}.export_columns has no entry for column “{name}”.") from None


class IsoDateColumn(tables.Column):
    """A date written YYYY-MM-DD, on screen and (as a date) in exports.

    django-tables2's DateColumn renders a template for every cell, which cost more
    than all other cells of a list page together.
    """

    def render(self, value) -> str:
        return value.isoformat()

    def value(self, value):
        return value


class YesNoColumn(tables.Column):
    """A boolean as the words "Yes" and "No", on screen and in exports (`export_columns.yes_no`).

    Words rather than ✔/✘: a screen reader reads them as they are, and a file holds the
    same text as the screen (import reads them back, in any case).
    """

    def render(self, value) -> str:
        return YES_NO[bool(value)]


class MoneyColumn(tables.Column):
    """US dollars with cents and thousands separators ("$1,234.50"); exports keep the number."""

    def render(self, value) -> str:
        return f"${value:,.2f}"


class ChoiceColumn(tables.Column):
    """A column of a field with choices, sorted in the choices' own order, not by code.

    Criticality sorts Low < Moderate < High and status in workflow order, as people
    read them; the codes' alphabetical order ("high" < "low" < "moderate") means
    nothing. With `tag=True` each label is a coloured tag (class `phaseout-tag--<code>`,
    colours in phaseout.css). Exports read the queryset this sorts, so files agree.
    """

    def __init__(self, field_name: str, *, tag: bool = False, **kwargs):
        super().__init__(accessor=field_name, **kwargs)
        self.field_name = field_name
        self.tag = tag
        self._tags: dict[str, str] = {}

    def order(self, queryset, is_descending):
        rank = choice_rank(queryset.model, self.field_name)
        return queryset.order_by(rank.desc() if is_descending else rank.asc()), True

    def render(self, value, record):
        if not self.tag:
            return value
        code = getattr(record, self.field_name)
        if code not in self._tags:  # labels are few: each tag is built once, not per cell
            self._tags[code] = mark_safe(  # noqa: S308 (the code and label are escaped)
                f'<span class="usa-tag phaseout-tag phaseout-tag--{escape(code)}">{escape(value)}</span>'
            )
        return self._tags[code]


class ColumnsCopiedOneByOne(OrderedDict):
    """A table class's columns, each copied for a new table without a deep copy of everything it holds.

    django-tables2 deep-copies every column of the class for each table it makes (22
    columns for the systems list, a tenth of the page's time), so that showing or hiding
    a column on one table never touches another. A table changes only a column's own
    attributes (`visible`, `accessor`): a copy of each column and of the dictionaries it
    holds (attributes, cached tags) keeps tables as separate, sharing the rest (names,
    links, functions), which no table changes.
    """

    def __deepcopy__(self, memo) -> OrderedDict:
        return OrderedDict((name, _column_copy(column)) for name, column in self.items())


def _column_copy(column: tables.Column) -> tables.Column:
    copied = copy.copy(column)
    for name, value in vars(column).items():
        if isinstance(value, dict):
            setattr(copied, name, copy.copy(value))
    return copied


def _cell_html(value, context: Context) -> str:
    """A cell's value as the template writes it; most cells are text, or HTML a render made."""
    if type(value) is str:  # nothing to localise: escaped, as the template's autoescape does
        return html.escape(value)
    if type(value) is SafeString:
        return value
    return render_value_in_context(value, context)


def _first_step(lookup) -> str:
    path = getattr(lookup, "prefetch_through", lookup)  # a Prefetch object or a path
    return path.split("__", 1)[0]


def _library_cell(name: str) -> Callable[[BoundRow], object]:
    return lambda row: row.get_cell(name)


def _is_plain_field(model_field, name: str) -> bool:
    """Whether `name` is a concrete field of the model holding a plain value (no relation)."""
    return (
        model_field is not None
        and getattr(model_field, "concrete", False)
        and not model_field.is_relation
        and model_field.attname == name
    )


def _plain_value(record, accessor, path: str, last: str, labels: dict | None):
    """A cell's value as django-tables2 reads it: a choice's label, else the accessor's value."""
    try:
        if labels is not None:
            owner = django_tables2.utils.A(path).resolve(record) if path else record
            value = getattr(owner, last)
            return force_str(labels.get(value, value), strings_only=True)
        return accessor.resolve(record)
    except Exception:  # noqa: BLE001 (django-tables2 shows such a cell as empty, too)
        return None


def choice_rank(model, field_name: str) -> Case:
    """The position of each row's value in the field's choices (unknown values last)."""
    choices = model._meta.get_field(field_name).flatchoices
    whens = [When(**{field_name: value}, then=Value(position)) for position, (value, _) in enumerate(choices)]
    return Case(*whens, default=Value(len(choices)), output_field=IntegerField())


def memoise_render_signatures() -> None:
    """Makes django-tables2 inspect each render function's signature once, not per cell.

    django-tables2 calls `inspect.signature` on a column's render function for every
    cell it renders (225 times for one page of a list), which was a third of the
    table's rendering time. A function's signature never changes, so it is kept per
    function (bound methods are new objects on every access: the key is the function
    underneath, and whether it is bound, which drops `self`). Called once at start-up.
    """
    inspect_signature = django_tables2.utils.signature
    if getattr(inspect_signature, "memoised", False):
        return
    known: dict[tuple[object, bool], tuple] = {}

    def signature(function):
        key = (getattr(function, "__func__", function), hasattr(function, "__self__"))
        if key not in known:
            known[key] = inspect_signature(function)
        return known[key]

    signature.memoised = True
    django_tables2.utils.signature = signature


# Column kinds whose cells `PhaseoutTable.rendered_rows` works out itself: their render
# takes the value (and the record) alone.
PLAIN_COLUMNS = (tables.Column, IsoDateColumn, YesNoColumn, MoneyColumn, ChoiceColumn)
