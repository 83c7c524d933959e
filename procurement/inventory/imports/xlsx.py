"""Reading an XLSX upload: cheap byte checks on its XML parts first, then python-calamine.

A workbook is a zip of XML parts, and a small one can be very expensive to read: a
145 KB file whose styles part holds 780,000 cell formats, a 124 KB file with 2.9 million
shared strings, two cells at XFD1 and A1048576 (calamine's sheet range is dense: 550 GB),
an XML entity bomb, a zip bomb. Each is found by a byte scan of the unpacked parts (C-speed
`bytes.count` and literal-prefix regular expressions, no XML parser) and refused with a
message naming it. Then calamine reads a copy of the workbook holding only the parts that
were checked, so what it parses is exactly what was scanned.

calamine does not report formulas, so the first sheet's XML is searched for <f> elements.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator

from defusedxml import ElementTree
from python_calamine import CalamineError, CalamineWorkbook

from procurement.inventory.imports.sheets import (
    MAX_COLUMNS,
    Limits,
    SpreadsheetError,
    cell_text,
    column_letter,
    too_many_rows,
    values_too_far_right,
)

XLSX_MAGIC = b"PK\x03\x04"
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELATIONSHIPS = "xl/_rels/workbook.xml.rels"
STYLES = "xl/styles.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
# Besides the first sheet, the only parts calamine reads to give a sheet's values.
READ_PARTS = ("[Content_Types].xml", "_rels/.rels", WORKBOOK, WORKBOOK_RELATIONSHIPS, STYLES, SHARED_STRINGS)
# Excel's own limit on the number of cell formats in a workbook.
MAX_CELL_FORMATS = 65_490

ENTITY_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
FORMULA = re.compile(rb"<f[\s/>]")
PREFIXED_FORMULA = re.compile(rb"<[A-Za-z_][\w.-]*:f[\s/>]")
# A cell reference whose column is right of MAX_COLUMNS (BH): BI..BZ, CA..ZZ, AAA..
FAR_COLUMN_REFERENCE = re.compile(rb"r=[\"']((?:[Bb][I-Zi-z]|[C-Zc-z][A-Za-z]|[A-Za-z]{3,})[0-9]+)[\"']")
ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
# Inside a start tag: attribute values may hold ">" (never "<"), so quoted text is skipped whole.
ATTRIBUTES = rb"""(?:[^<>"'/]|/(?!>)|"[^"]*"|'[^']*')*"""
OPEN_ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)\s" + ATTRIBUTES + rb"\Z")
TAG_END = re.compile(ATTRIBUTES + rb"(/?)>")
REFERENCE = re.compile(rb"\sr=[\"']([A-Za-z]*)([0-9]+)[\"']")


def xlsx_rows(content: bytes, limits: Limits) -> Iterator[list[str]]:
    """The first sheet's rows as text, after every check; stops when the caller stops reading."""
    if not content.startswith(XLSX_MAGIC):
        raise SpreadsheetError("The file is not an Excel workbook (.xlsx).")
    parts = _xml_parts(content, limits)
    read = {path: parts[name] for path in READ_PARTS if (name := _part_name(parts, path))}
    sheet_name = _first_sheet_part(parts, read)
    read[sheet_name] = parts[sheet_name]
    del parts
    _check_cell_formats(read.get(STYLES))
    _check_shared_strings(read.get(SHARED_STRINGS), limits)
    _check_sheet(read[sheet_name], limits)
    yield from _calamine_rows(_repack(read))


def _xml_parts(content: bytes, limits: Limits) -> dict[str, bytes]:
    """Every XML part, unpacked by the zip module, which stops at each part's declared size and checks its CRC."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            _check_unzipped_size(members, limits)
            if not any(member.filename.lower() == WORKBOOK for member in members):
                raise SpreadsheetError("The file is not an Excel workbook (.xlsx).")
            parts = {member.filename: archive.read(member) for member in members if _is_xml(member.filename)}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError) as error:
        raise SpreadsheetError(f"The file is not a valid .xlsx workbook (broken zip: {error}).") from error
    for name, data in parts.items():
        _check_xml_declarations(name, data)
    return parts


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _check_unzipped_size(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    unzipped = sum(member.file_size for member in members)
    if unzipped > limits.max_unzipped_bytes:
        raise SpreadsheetError(
            f"The workbook unpacks to {unzipped / 1_048_576:,.0f} MB; the limit is "
            f"{limits.max_unzipped_bytes / 1_048_576:.0f} MB."
        )


def _check_xml_declarations(name: str, data: bytes) -> None:
    """No DTD, hence no entity to expand; and UTF-8 only, so the byte scans see every tag."""
    if b"\x00" in data[:4]:
        raise SpreadsheetError(f"The workbook part {name} is not UTF-8 XML; save the workbook again from Excel.")
    if ENTITY_DECLARATION.search(data):
        raise SpreadsheetError("The workbook declares XML entities (a possible XML bomb); it was not read.")


def _part_name(parts: dict[str, bytes], path: str) -> str | None:
    """A part's name in the zip, matched ignoring case as calamine does; the first of several.

    Names may differ only in case, and calamine then reads the last: the copy given to it
    holds only the one checked, under a single name.
    """
    return next((name for name in parts if name.lower() == path.lower()), None)


def _first_sheet_part(parts: dict[str, bytes], read: dict[str, bytes]) -> str:
    """The first sheet's part name, found as calamine finds it: workbook.xml's first sheet, through its relationship."""
    relationship_id = _first_sheet_relationship(read.get(WORKBOOK, b""))
    relationships = ElementTree.fromstring(read.get(WORKBOOK_RELATIONSHIPS) or b"<none/>", forbid_dtd=True)
    for element in relationships.iter():
        if _local(element.tag) == "Relationship" and element.get("Id") == relationship_id:
            target = element.get("Target", "")
            name = _part_name(parts, target[1:] if target.startswith("/") else posixpath.join("xl", target))
            if name is not None:
                return name
    raise SpreadsheetError("The workbook's first sheet cannot be found; save the workbook again from Excel.")


def _first_sheet_relationship(workbook: bytes) -> str | None:
    for element in ElementTree.fromstring(workbook or b"<none/>", forbid_dtd=True).iter():
        if _local(element.tag) == "sheet":
            return next((value for key, value in element.attrib.items() if _local(key) == "id"), None)
    return None


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _count_elements(data: bytes, name: bytes) -> int:
    """Start tags of one element: in C for the usual unprefixed form, by regex only if a prefix is used."""
    count = data.count(b"<" + name)
    if b":" + name in data:
        prefixed = re.compile(rb"<[A-Za-z_][\w.-]*:" + name + rb"[\s/>]")
        count += sum(1 for _ in prefixed.finditer(data))
    return count


def _check_cell_formats(styles: bytes | None) -> None:
    count = _count_elements(styles or b"", b"xf")
    if count > MAX_CELL_FORMATS:
        raise SpreadsheetError(
            f"The workbook defines {count:,} cell formats; Excel itself allows at most {MAX_CELL_FORMATS:,}. "
            "Copy the data into a new workbook and upload that."
        )


def _check_shared_strings(shared_strings: bytes | None, limits: Limits) -> None:
    """A sheet within the limits has at most rows × columns different texts."""
    most = limits.max_sheet_rows * MAX_COLUMNS
    count = _count_elements(shared_strings or b"", b"si")
    if count > most:
        raise SpreadsheetError(
            f"The workbook holds {count:,} shared strings, more than a sheet within the import limits can use "
            f"({most:,}). Copy the data into a new workbook and upload that."
        )


def _check_sheet(sheet: bytes, limits: Limits) -> None:
    """Cell positions bound calamine's dense sheet range; formulas are refused."""
    _check_far_rows(sheet, limits)
    _check_far_columns(sheet)
    _check_formulas(sheet)


def _check_far_rows(sheet: bytes, limits: Limits) -> None:
    """A row, or a cell, numbered past the row limit; whatever the sheet's own <dimension> claims."""
    pattern = re.compile(rb"r=[\"'][A-Za-z]{0,3}" + numbers_above(limits.max_sheet_rows).encode() + rb"[\"']")
    for match in pattern.finditer(sheet):
        if _enclosing_tag(sheet, match.start()) is not None:
            raise too_many_rows(limits)


def _check_far_columns(sheet: bytes) -> None:
    """A value right of the last column; empty formatted cells there are harmless (calamine skips them)."""
    for match in FAR_COLUMN_REFERENCE.finditer(sheet):
        if _enclosing_tag(sheet, match.start()) == b"c" and _cell_has_content(sheet, match.end()):
            row = int(re.sub(rb"[A-Za-z]", b"", match.group(1)))
            raise values_too_far_right(row)


def _enclosing_tag(sheet: bytes, position: int) -> bytes | None:
    """b"row" or b"c" when position is inside such a start tag, else None (say, text that looks like one)."""
    start = sheet.rfind(b"<", 0, position)
    match = OPEN_ROW_OR_CELL.match(sheet[max(start, 0) : position])
    return match.group(1) if match else None


def _cell_has_content(sheet: bytes, position: int) -> bool:
    """After a cell's start tag: anything but an immediate end tag means a value (or a formula)."""
    tag_end = TAG_END.match(sheet, position)
    if tag_end is None or tag_end.group(1):
        return False
    return not sheet[tag_end.end() : tag_end.end() + 256].lstrip().startswith(b"</")


def _check_formulas(sheet: bytes) -> None:
    match = FORMULA.search(sheet)
    if match is None and b":f" in sheet:
        match = PREFIXED_FORMULA.search(sheet)
    if match is not None:
        row, column = cell_position(sheet, match.start())
        raise SpreadsheetError(
            f"Row {row}, column {column_letter(column)}: formulas are not accepted; paste the values instead."
        )


def cell_position(sheet: bytes, position: int) -> tuple[int, int]:
    """The (row, column) of the cell holding a position, counted as calamine counts them.

    A <row> or <c> without an r attribute is the one after the previous; only used to
    name a refused cell, so it may walk the sheet.
    """
    row = column = 0
    for match in ROW_OR_CELL.finditer(sheet, 0, position):
        reference = REFERENCE.search(match.group(2))
        if match.group(1) == b"row":
            row = int(reference.group(2)) if reference else row + 1
            column = 0
        elif reference and reference.group(1):
            row, column = int(reference.group(2)), _column_number(reference.group(1))
        else:
            column += 1
    return row, column


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number


def numbers_above(limit: int) -> str:
    """A regular expression matching exactly the decimal numbers greater than limit (leading zeros allowed)."""
    digits = str(limit)
    options = [rf"[1-9][0-9]{{{len(digits)},}}"]
    for index, digit in enumerate(digits):
        if digit != "9":
            options.append(rf"{digits[:index]}[{int(digit) + 1}-9][0-9]{{{len(digits) - index - 1}}}")
    return "0*(?:" + "|".join(options) + ")"


def _repack(parts: dict[str, bytes]) -> bytes:
    """The checked parts alone, stored uncompressed: calamine cannot inflate more than was scanned."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _calamine_rows(workbook_bytes: bytes) -> Iterator[list[str]]:
    """Rows from row 1 and cells from column A, as the row and column numbers in messages need."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(workbook_bytes))
        sheet = workbook.get_sheet_by_index(0)
    except CalamineError as error:
        raise SpreadsheetError(
            f"The workbook cannot be read ({error}); save it again from Excel and upload it again."
        ) from error
    first_row, first_column = sheet.start or (0, 0)
    for _ in range(first_row):
        yield []
    padding = [""] * first_column
    for offset, values in enumerate(sheet.iter_rows()):
        yield padding + _row_text(first_row + offset + 1, first_column, values)


def _row_text(row_number: int, first_column: int, values: list) -> list[str]:
    """Text cells as they are (most cells: kept fast), others through cell_text; text formulas refused."""
    texts = [value if value.__class__ is str else cell_text(value) for value in values]
    if "\x00=" in "\x00" + "\x00".join(texts):  # one scan in C finds any cell starting with "="
        column = first_column + next(index for index, text in enumerate(texts, 1) if text.startswith("="))
        raise SpreadsheetError(
            f"Row {row_number}, column {column_letter(column)}: formulas are not accepted; paste the values instead."
        )
    return texts
