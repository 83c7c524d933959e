"""Bulk import of systems and contracts: preview every problem, then apply all or nothing.

The accepted columns are the list tables' columns (procurement/tables.py), so a file
exported from a list imports back unchanged. Derived columns (status, deadline,
days left) are ignored on import: the workflow and the scope rules own them.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Prefetch

from procurement.core.batching import in_chunks
from procurement.core.exports import FORMULA_TRIGGERS, NEUTRALISING_PREFIX
from procurement.core.graphs import find_cycle
from procurement.inventory import selectors, services
from procurement.inventory.access import Action
from procurement.inventory.enums import Criticality, DependencyKind, IdentificationMethod, ImportKind, Network
from procurement.inventory.forms import split_list
from procurement.inventory.imports.readers import Sheet
from procurement.inventory.models import Agency, Contract, Directive, Product, System
from procurement.inventory.tables import ContractTable, PhaseoutTable, SystemTable

TRUE_WORDS = {"yes", "y", "true", "1", "x"}
KEEP = object()  # a blank optional cell: the field keeps its stored or default value
FALSE_WORDS = {"no", "n", "false", "0", ""}


class CellError(ValueError):
    """A value that cannot be read; the message is shown with the row and column."""


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str
    stale: bool = False  # the record changed since the preview: confirming again after a look is the fix

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "File"
        return f"{where}, column “{self.column}”: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ParsedRow:
    """One valid row: the instance with its new values, and its related keys.

    `original` holds an existing record's stored values, so rows that change
    nothing are left alone (no save, no history entry).
    """

    row: int
    instance: Model
    original: dict | None = None
    relations: dict[str, list[str]] = field(default_factory=dict)
    changed: bool = True

    @property
    def is_new(self) -> bool:
        return self.original is None


def field_values(instance: Model) -> dict | None:
    if instance.pk is None:
        return None
    return {
        model_field.attname: getattr(instance, model_field.attname) for model_field in instance._meta.concrete_fields
    }


@dataclass
class Preview:
    """What applying the file would do, or why it cannot be applied."""

    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def creates(self) -> int:
        return sum(1 for row in self.rows if row.is_new)

    @property
    def updates(self) -> int:
        return sum(1 for row in self.rows if not row.is_new and row.changed)

    @property
    def unchanged(self) -> int:
        return sum(1 for row in self.rows if not row.changed)

    @property
    def only_stale(self) -> bool:
        return bool(self.problems) and all(problem.stale for problem in self.problems)

    def versions(self, key) -> dict[str, int]:
        """Record key → version of every row's record as this preview saw it (0: not there yet)."""
        return {key(row.instance): 0 if row.is_new else row.original["version"] for row in self.rows}


def clean_text(value: str) -> str:
    """Undoes the export's formula neutralisation so a round trip changes nothing."""
    value = value.strip()
    if value.startswith(NEUTRALISING_PREFIX) and value[1:].startswith((*FORMULA_TRIGGERS, NEUTRALISING_PREFIX)):
        return value[1:]
    return value


def choice_parser(choices) -> Callable[[str], str]:
    accepted = {}
    for value, label in choices:
        accepted[value.lower()] = value
        accepted[str(label).lower()] = value

    def parse(text: str) -> str:
        if not text:
            return KEEP
        try:
            return accepted[text.lower()]
        except KeyError:
            allowed = ", ".join(str(label) for _, label in choices)
            raise CellError(f"“{text}” is not one of: {allowed}.") from None

    return parse


def parse_bool(text: str) -> bool:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(f"“{text}” is not yes or no.")


def parse_count(text: str) -> int:
    if not text:
        return KEEP
    try:
        value = int(text.replace(",", ""))
    except ValueError:
        raise CellError(f"“{text}” is not a whole number.") from None
    if value < 0:
        raise CellError("Must be zero or more.")
    return value


def parse_money(text: str) -> decimal.Decimal | None:
    if not text:
        return None
    try:
        return decimal.Decimal(text.replace(",", "").replace("$", ""))
    except decimal.InvalidOperation:
        raise CellError(f"“{text}” is not an amount in dollars.") from None


def parse_date(text: str) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        raise CellError(f"“{text}” is not a date (use YYYY-MM-DD).") from None


class Importer:
    """Shared machinery: header matching, lookups, problems, all-or-nothing apply."""

    kind: str
    table_class: type[PhaseoutTable]
    required: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    relation_columns: tuple[str, ...] = ()
    looked_up: tuple[str, ...] = ("agency",)

    def __init__(self, user):
        self.user = user
        self.agencies = self._agency_lookup()

    def _agency_lookup(self) -> dict[str, Agency]:
        lookup = {}
        for agency in Agency.objects.for_user(self.user, Action.CHANGE):
            lookup[agency.abbreviation.lower()] = agency
            lookup[agency.name.lower()] = agency
        return lookup

    @classmethod
    def headers(cls) -> dict[str, str]:
        """Column name → header text, in table order (built once per importer class)."""
        if "_headers" not in cls.__dict__:
            table = cls.table_class(cls.table_class._meta.model.objects.none())
            # Page-only columns (the bulk selection checkbox) are not data: not in files.
            cls._headers = {
                column.name: str(column.header)
                for column in table.columns.all()
                if column.name not in table.page_columns
            }
        return cls._headers

    @classmethod
    def template_headers(cls) -> list[str]:
        return [header for name, header in cls.headers().items() if name not in cls.ignored]

    def preview(self, sheet: Sheet) -> Preview:
        preview = Preview()
        columns = self._match_headers(sheet.headers, preview)
        if preview.problems:
            return preview
        self.prepare(sheet, columns)
        for row_number, cells in sheet.rows:
            values = {name: clean_text(cells[index]) if index < len(cells) else "" for name, index in columns.items()}
            self._parse_row(row_number, values, preview)
        self.check_relations(preview)
        return preview

    def _match_headers(self, headers: list[str], preview: Preview) -> dict[str, int]:
        by_text = {text.lower(): name for name, text in self.headers().items()}
        columns: dict[str, int] = {}
        for index, header in enumerate(headers):
            name = by_text.get(header.lower())
            if not header:
                continue
            if name is None:
                preview.problems.append(Problem(1, header, "Unknown column. Download the template for the columns."))
            elif name in columns:
                preview.problems.append(Problem(1, header, "The column appears twice."))
            elif name not in self.ignored:
                columns[name] = index
        for name in self.required:
            if name not in columns:
                preview.problems.append(Problem(1, self.headers()[name], "This required column is missing."))
        return columns

    def _parse_row(self, row_number: int, values: dict[str, str], preview: Preview) -> None:
        problems_before = len(preview.problems)
        try:
            parsed = self.parse_row(row_number, values, preview)
        except CellError as error:  # a problem that makes the rest of the row meaningless
            preview.problems.append(Problem(row_number, "", str(error)))
            return
        if parsed is None or len(preview.problems) > problems_before:
            return
        self._validate_model(parsed, preview)
        parsed.changed = self._has_changes(parsed)
        preview.rows.append(parsed)

    def _has_changes(self, parsed: ParsedRow) -> bool:
        if parsed.original is None:
            return True
        if parsed.original != field_values(parsed.instance):
            return True
        current = self.current_relations(parsed.instance)
        return any({key.lower() for key in keys} != current[name] for name, keys in parsed.relations.items())

    def _validate_model(self, parsed: ParsedRow, preview: Preview) -> None:
        headers = self.headers()
        try:
            # Foreign keys come from the lookups above, so checking they exist again
            # would cost two queries a row.
            parsed.instance.full_clean(exclude=self.relation_columns + self.looked_up, validate_unique=False)
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                column = headers.get(field_name, field_name if field_name != "__all__" else "")
                for message in messages:
                    preview.problems.append(Problem(parsed.row, column, message))

    def set_fields(self, row: int, instance: Model, values: dict[str, str], parsers: dict, preview: Preview) -> None:
        for name, parse in parsers.items():
            if name not in values:
                continue
            try:
                value = parse(values[name])
            except CellError as error:
                preview.problems.append(Problem(row, self.headers()[name], str(error)))
            else:
                if value is not KEEP:
                    setattr(instance, name, value)

    def lookup_agency(self, text: str) -> Agency:
        agency = self.agencies.get(text.lower())
        if agency is None:
            raise CellError(f"Unknown agency “{text}” (or not one you may change).")
        return agency

    @transaction.atomic
    def apply(self, sheet: Sheet, previewed_versions: dict[str, int] | None = None, reason: str = "") -> Preview:
        """Validates again and applies every row, or nothing if any row has a problem.

        A record changed by someone else since the preview (`previewed_versions`) is a
        problem too: the user confirmed what the preview showed, not what is there now.
        """
        preview = self.preview(sheet)
        if not preview.problems and previewed_versions:
            self._check_unchanged_since_preview(preview, previewed_versions)
        if preview.problems:
            return preview
        self.save_all([row for row in preview.rows if row.changed], reason=reason)
        return preview

    def record_key(self, instance: Model) -> str:
        raise NotImplementedError

    def _check_unchanged_since_preview(self, preview: Preview, previewed_versions: dict[str, int]) -> None:
        for parsed in preview.rows:
            key = self.record_key(parsed.instance)
            seen = previewed_versions.get(key)
            now = 0 if parsed.is_new else parsed.original["version"]
            if seen is None or seen == now:
                continue
            message = self._change_since_preview(parsed, seen)
            if message:
                preview.problems.append(Problem(parsed.row, "", message, stale=True))

    def _change_since_preview(self, parsed: ParsedRow, seen: int) -> str:
        key = str(parsed.instance)
        if seen == 0:
            return f"{key} was added by someone else after your preview; this row would now update it."
        if parsed.is_new:
            return f"{key} was deleted after your preview."
        changes = selectors.edits_since(self.user, parsed.instance, seen)
        if changes == []:
            return ""  # only its status or deadline moved: nothing this row would undo
        editors = selectors.editors_since(parsed.instance, seen) or "someone else"
        what = "; ".join(
            f"{change.field}: {change.old or '+'.join(change.added)} → {change.new or '−'.join(change.removed)}"
            for change in changes or []
        )
        return f"{key} was changed by {editors} after your preview{f' ({what})' if what else ''}."

    # Hooks for each kind.
    def prepare(self, sheet: Sheet, columns: dict[str, int]) -> None: ...

    def parse_row(self, row: int, values: dict[str, str], preview: Preview) -> ParsedRow | None:
        raise NotImplementedError

    def check_relations(self, preview: Preview) -> None: ...

    def current_relations(self, instance: Model) -> dict[str, set[str]]:
        """Stored related keys, lower-cased, named like the relation columns."""
        return {}

    def save_all(self, rows: list[ParsedRow], reason: str = "") -> None:
        raise NotImplementedError


class SystemImporter(Importer):
    """Rows keyed by FISMA system ID: an existing ID updates that system."""

    kind = ImportKind.SYSTEMS
    table_class = SystemTable
    required = ("fisma_id", "name", "agency", "criticality", "network", "dependency_kind")
    ignored = ("status", "removal_deadline", "days_left")
    relation_columns = ("covered_products", "depends_on")
    looked_up = ("agency", "directive", "deadline_rule")  # the rule comes from the scope, not a cell
    parsers = {
        "name": str,
        "owner_name": str,
        "owner_email": str,
        "contacts": str,
        "mission_function": str,
        "environment": str,
        "replacement": str,
        "criticality": choice_parser(Criticality.choices),
        "network": choice_parser(Network.choices),
        "dependency_kind": choice_parser(DependencyKind.choices),
        "identification_method": choice_parser(IdentificationMethod.choices),
        "national_security_system": parse_bool,
        "user_count": parse_count,
        "cost_estimate": parse_money,
    }

    def __init__(self, user):
        super().__init__(user)
        self.directives = {directive.short_name.lower(): directive for directive in Directive.objects.all()}
        self.products = {}
        for product in Product.objects.select_related("vendor"):
            self.products[str(product).lower()] = product
            self.products[product.name.lower()] = product
        self.existing: dict[str, System] = {}
        self.first_row_of: dict[str, int] = {}

    def prepare(self, sheet: Sheet, columns: dict[str, int]) -> None:
        index = columns["fisma_id"]
        fisma_ids = [cells[index].strip() for _, cells in sheet.rows if index < len(cells)]
        for chunk in in_chunks(fisma_ids):
            existing = System.objects.filter(fisma_id__in=chunk).select_related("agency")
            # Links as this user sees them, fetched once, for spotting unchanged rows.
            existing = existing.prefetch_related(
                "covered_products__vendor", Prefetch("depends_on", System.objects.for_user(self.user))
            )
            for system in existing:
                self.existing[system.fisma_id] = system
        self.visible_ids = set()
        dependency_ids = [
            fisma_id
            for _, cells in sheet.rows
            if "depends_on" in columns and columns["depends_on"] < len(cells)
            for fisma_id in split_list(cells[columns["depends_on"]])
        ]
        for chunk in in_chunks(dependency_ids):
            visible = System.objects.for_user(self.user).filter(fisma_id__in=chunk)
            self.visible_ids.update(visible.values_list("fisma_id", flat=True))

    def parse_row(self, row: int, values: dict[str, str], preview: Preview) -> ParsedRow | None:
        fisma_id = values["fisma_id"]
        header = self.headers()["fisma_id"]
        if not fisma_id:
            preview.problems.append(Problem(row, header, "This field is required."))
            return None
        if fisma_id in self.first_row_of:
            preview.problems.append(
                Problem(row, header, f"{fisma_id} also appears in row {self.first_row_of[fisma_id]}.")
            )
            return None
        self.first_row_of[fisma_id] = row
        system = self._system_for(row, fisma_id, preview)
        if system is None:
            return None
        parsed = ParsedRow(row, system, original=field_values(system))
        self._set_references(row, system, values, preview)
        self.set_fields(row, system, values, self.parsers, preview)
        self._collect_relations(row, parsed, values, preview)
        return parsed

    def _system_for(self, row: int, fisma_id: str, preview: Preview) -> System | None:
        system = self.existing.get(fisma_id)
        if system is None:
            return System(fisma_id=fisma_id)
        if system.agency.abbreviation.lower() not in self.agencies:
            preview.problems.append(
                Problem(row, self.headers()["fisma_id"], f"{fisma_id} is already used by a system you cannot change.")
            )
            return None
        return system

    def _set_references(self, row: int, system: System, values: dict[str, str], preview: Preview) -> None:
        try:
            system.agency = self.lookup_agency(values["agency"])
        except CellError as error:
            preview.problems.append(Problem(row, self.headers()["agency"], str(error)))
        self._set_directive(row, system, values.get("directive", ""), preview)

    def _set_directive(self, row: int, system: System, text: str, preview: Preview) -> None:
        """A blank cell keeps an existing system's directive; a new one needs it unless only one exists."""
        header = self.headers()["directive"]
        if text:
            if text.lower() in self.directives:
                system.directive = self.directives[text.lower()]
            else:
                preview.problems.append(Problem(row, header, f"Unknown directive “{text}”."))
        elif system.directive_id is None:
            if len(self.directives) == 1:
                system.directive = next(iter(self.directives.values()))
            else:
                preview.problems.append(
                    Problem(row, header, "Required for a new system (there are several directives).")
                )

    def _collect_relations(self, row: int, parsed: ParsedRow, values: dict[str, str], preview: Preview) -> None:
        if "covered_products" in values:
            names = [name.strip() for name in values["covered_products"].split(";") if name.strip()]
            unknown = [name for name in names if name.lower() not in self.products]
            if unknown:
                preview.problems.append(
                    Problem(row, self.headers()["covered_products"], f"Unknown product {', '.join(unknown)}.")
                )
            parsed.relations["covered_products"] = [
                str(self.products[name.lower()]) for name in names if name.lower() in self.products
            ]
        if "depends_on" in values:
            parsed.relations["depends_on"] = split_list(values["depends_on"])

    def check_relations(self, preview: Preview) -> None:
        known = self.visible_ids | set(self.first_row_of)
        header = self.headers()["depends_on"]
        for parsed in preview.rows:
            targets = parsed.relations.get("depends_on", [])
            unknown = [fisma_id for fisma_id in targets if fisma_id not in known]
            if unknown:
                preview.problems.append(Problem(parsed.row, header, f"Unknown system {', '.join(unknown)}."))
        if not preview.problems:
            self._check_cycles(preview)

    def _check_cycles(self, preview: Preview) -> None:
        """The file's links with the stored ones must not make a system wait on itself."""
        edges = selectors.dependency_edges("from_system__fisma_id", "to_system__fisma_id")
        for parsed in preview.rows:
            if "depends_on" in parsed.relations:
                fisma_id = parsed.instance.fisma_id
                seen = {other.fisma_id for other in parsed.instance.depends_on.all()} if parsed.instance.pk else set()
                hidden = [target for target in edges.get(fisma_id, []) if target not in seen]
                edges[fisma_id] = parsed.relations["depends_on"] + hidden
        row_of = {parsed.instance.fisma_id: parsed.row for parsed in preview.rows}
        cycle = find_cycle(edges, list(row_of))
        if cycle:
            visible = System.objects.for_user(self.user).filter(fisma_id__in=cycle).values_list("fisma_id", flat=True)
            names = {fisma_id: fisma_id for fisma_id in [*visible, *row_of]}
            row = min(row_of[fisma_id] for fisma_id in cycle if fisma_id in row_of)
            message = f"Depends-on links would form a cycle: {selectors.describe_path(cycle, names)}."
            preview.problems.append(Problem(row, self.headers()["depends_on"], message))

    def current_relations(self, instance: System) -> dict[str, set[str]]:
        return {
            "covered_products": {str(product).lower() for product in instance.covered_products.all()},
            "depends_on": {other.fisma_id.lower() for other in instance.depends_on.all()},
        }

    def record_key(self, instance: System) -> str:
        return instance.fisma_id

    def save_all(self, rows: list[ParsedRow], reason: str = "") -> None:
        writes = [self._write(parsed) for parsed in rows]
        services.system_bulk_save(user=self.user, writes=writes, reason=reason)

    def _write(self, parsed: ParsedRow) -> services.SystemWrite:
        products = None
        if "covered_products" in parsed.relations:
            products = [self.products[name.lower()] for name in parsed.relations["covered_products"]]
        expected = None if parsed.is_new else parsed.original["version"]  # as read in this transaction
        return services.SystemWrite(parsed.instance, products, parsed.relations.get("depends_on"), expected)


class ContractImporter(Importer):
    """Rows keyed by agency, contract number and order number."""

    kind = ImportKind.CONTRACTS
    table_class = ContractTable
    required = ("contract_number", "agency", "vendor_name")
    relation_columns = ("systems",)
    parsers = {
        "vehicle": str,
        "vendor_name": str,
        "vendor_uei": str,
        "vendor_cage": str,
        "contracting_officer": str,
        "contracting_officer_email": str,
        "value": parse_money,
        "option_date": parse_date,
        "renewal_date": parse_date,
        "end_date": parse_date,
    }

    def __init__(self, user):
        super().__init__(user)
        self.seen: dict[tuple, int] = {}
        self.changeable_systems: set[str] = set()

    def prepare(self, sheet: Sheet, columns: dict[str, int]) -> None:
        # An agency's contracts number in the hundreds: read them all at once, with the
        # links this user may change (the only ones an import replaces).
        contracts = Contract.objects.filter(agency__in=set(self.agencies.values())).prefetch_related(
            Prefetch("systems", System.objects.for_user(self.user, Action.CHANGE))
        )
        self.existing = {(c.agency_id, c.contract_number, c.order_number): c for c in contracts}
        if "systems" not in columns:
            return
        fisma_ids = [
            fisma_id
            for _, cells in sheet.rows
            if columns["systems"] < len(cells)
            for fisma_id in split_list(cells[columns["systems"]])
        ]
        for chunk in in_chunks(fisma_ids):
            changeable = System.objects.for_user(self.user, Action.CHANGE).filter(fisma_id__in=chunk)
            self.changeable_systems.update(changeable.values_list("fisma_id", flat=True))

    def parse_row(self, row: int, values: dict[str, str], preview: Preview) -> ParsedRow | None:
        try:
            agency = self.lookup_agency(values["agency"])
        except CellError as error:
            preview.problems.append(Problem(row, self.headers()["agency"], str(error)))
            return None
        key = (agency.pk, values["contract_number"], values.get("order_number", ""))
        if key in self.seen:
            preview.problems.append(
                Problem(
                    row, self.headers()["contract_number"], f"The same contract and order are in row {self.seen[key]}."
                )
            )
            return None
        self.seen[key] = row
        contract = self.existing.get(key) or Contract(agency=agency, contract_number=key[1], order_number=key[2])
        parsed = ParsedRow(row, contract, original=field_values(contract))
        self.set_fields(row, contract, values, self.parsers, preview)
        if "systems" in values:
            parsed.relations["systems"] = split_list(values["systems"])
            unknown = [f for f in parsed.relations["systems"] if f not in self.changeable_systems]
            if unknown:
                preview.problems.append(
                    Problem(
                        row,
                        self.headers()["systems"],
                        f"Unknown system {', '.join(unknown)} (or not one you may change).",
                    )
                )
        return parsed

    def current_relations(self, instance: Contract) -> dict[str, set[str]]:
        return {"systems": {system.fisma_id.lower() for system in instance.systems.all()}}

    def record_key(self, instance: Contract) -> str:
        return f"{instance.agency_id}:{instance}"

    def save_all(self, rows: list[ParsedRow], reason: str = "") -> None:
        """Contracts number in the hundreds per agency, so each is saved on its own."""
        for parsed in rows:
            self._save(parsed, reason)

    def _save(self, parsed: ParsedRow, reason: str) -> Contract:
        systems = None
        if "systems" in parsed.relations:
            systems = System.objects.filter(fisma_id__in=parsed.relations["systems"])
        expected = None if parsed.is_new else parsed.original["version"]
        return services.contract_save(
            user=self.user, contract=parsed.instance, systems=systems, expected_version=expected, reason=reason
        )


IMPORTERS: dict[str, type[Importer]] = {ImportKind.SYSTEMS: SystemImporter, ImportKind.CONTRACTS: ContractImporter}
