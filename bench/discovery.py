"""Discovery (issue 13): matching quality on the labelled sample, and the time to read and match.

    python -m bench.discovery quality
    python -m bench.discovery speed [--rows 3500] [--columns 35]

quality: precision and recall of the matcher (the data file's terms for the demo's
covered vendor) on tests/discovery/data/labelled_use_cases.csv, how often the proposed
dependency kind is the labelled one, and a check that no hit sits inside another word.
No database.

speed: a 3,500-row, 35-column AI use case inventory (CSV and XLSX) read as the upload
reads it (size check, child process, header found), then the preset's mapping and the
scan of every row; then the scan of every existing system (run `manage.py loaddemo
--systems 100000` first; nothing is stored: the systems' candidates are counted only).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")
django.setup()

from openpyxl import Workbook  # noqa: E402

from procurement.discovery.fields import FieldMap  # noqa: E402
from procurement.discovery.matching import Matcher, Term  # noqa: E402
from procurement.discovery.presets import AI_USE_CASE_INVENTORY, preset  # noqa: E402
from procurement.discovery.reading import read_source  # noqa: E402
from procurement.discovery.scanning import scan_sheet  # noqa: E402
from procurement.discovery.terms import _data, file_terms  # noqa: E402

SAMPLE = Path(__file__).parent.parent / "tests" / "discovery" / "data" / "labelled_use_cases.csv"
VENDOR = "Covered AI Inc."


def demo_matcher() -> Matcher:
    terms, ignore = file_terms(VENDOR)
    return Matcher([Term(VENDOR), *terms], ignore, _data()["platforms"]["names"], _data()["model_vendors"]["names"])


def quality() -> None:
    matcher = demo_matcher()
    rows = list(csv.DictReader(SAMPLE.open(encoding="utf-8")))
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    kind_right, inside_words, misses = 0, 0, []
    for row in rows:
        fields = {"Use Case Name": row["use_case_name"], "Vendor": row["vendor"], "Description": row["description"]}
        found = matcher.scan(fields, vendor_text=row["vendor"])
        inside_words += sum(_inside_a_word(fields[hit.field], hit) for hit in (found.hits if found else ()))
        labelled = row["label"] == "1"
        key = ("t" if bool(found) == labelled else "f") + ("p" if found else "n")
        counts[key] += 1
        if found and labelled and found.kind == row["kind"]:
            kind_right += 1
        if bool(found) != labelled:
            what = "false match" if found else "missed"
            misses.append(f"  {row['id']} {what} ({row['note']}): {row['description'][-90:]}")
    precision = counts["tp"] / (counts["tp"] + counts["fp"])
    recall = counts["tp"] / (counts["tp"] + counts["fn"])
    positives = counts["tp"] + counts["fn"]
    others = sum(row["note"] == "names another vendor" for row in rows)
    print(f"{len(rows)} rows, {positives} labelled dependent, {others} naming other vendors")
    print(f"precision {precision:.3f}  recall {recall:.3f}  ({counts})")
    print(f"proposed kind as labelled: {kind_right} of {counts['tp']} true matches")
    print(f"hits inside another word: {inside_words}")
    print("\n".join(misses))


def _inside_a_word(text: str, hit) -> bool:
    before = text[hit.start - 1] if hit.start else " "
    after = text[hit.end] if hit.end < len(text) else " "
    return before.isalnum() or after.isalnum()


def inventory_rows(count: int, columns: int) -> tuple[list[str], list[list[str]]]:
    """An inventory in the M-25-21 layout, padded to `columns`; about 1 row in 230 names the vendor."""
    random.seed(13)
    headers = [h for h in preset(AI_USE_CASE_INVENTORY).columns][:13]
    headers += [f"Question {n}" for n in range(columns - len(headers))]
    rows_out = []
    for number in range(count):
        vendor = random.choice(["OpenAI", "Microsoft", "In-house", "Google", "Esri", "IBM"])
        purpose = "Machine learning model classifies documents and summarizes long reports for analysts. " * 2
        if number % 230 == 0:
            vendor = random.choice(["Covered AI Inc.", "Acme Analytics LLC", "Covered AI; OpenAI"])
            purpose += "It uses Covered AI models for drafting."
        row = [f"UC-{number:05d}", f"Use case {number}", vendor, purpose]
        row += [random.choice(["Yes", "No", "Deployed", "Pilot", "N/A"]) for _ in range(columns - len(row))]
        rows_out.append(row)
    return headers, rows_out


def as_csv(headers, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Agency AI use case inventory"])
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("cp1252")


def as_xlsx(headers, rows) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Inventory")
    sheet.append(["Agency AI use case inventory"])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def speed(row_count: int, column_count: int) -> None:
    headers, rows = inventory_rows(row_count, column_count)
    # Vendor names sit in the "Vendor(s) Name" column of this made-up layout.
    field_map = FieldMap(columns={**preset(AI_USE_CASE_INVENTORY).columns, headers[2]: "vendor_names"})
    matcher = demo_matcher()
    for name, content in (("inventory.csv", as_csv(headers, rows)), ("inventory.xlsx", as_xlsx(headers, rows))):
        started = time.perf_counter()
        source = read_source(name, content, list(field_map.columns))
        read = time.perf_counter()
        findings = scan_sheet(matcher, source.sheet, field_map)
        scanned = time.perf_counter()
        print(
            f"{name}: {len(source.sheet.rows):,} rows × {len(source.sheet.headers)} columns, "
            f"{len(content) / 1e6:.1f} MB ({source.encoding or 'XLSX'}): read {read - started:.2f} s, "
            f"map and match {scanned - read:.2f} s, {len(findings)} candidates; total {scanned - started:.2f} s"
        )
    systems_speed(matcher)


def systems_speed(matcher: Matcher) -> None:
    from procurement.discovery.services import SYSTEM_TEXT_FIELDS
    from procurement.inventory.models import System

    started = time.perf_counter()
    count = found = 0
    for _, *texts in System.objects.values_list("pk", *SYSTEM_TEXT_FIELDS).iterator(chunk_size=2000):
        count += 1
        found += matcher.scan(dict(zip(SYSTEM_TEXT_FIELDS.values(), texts, strict=True))) is not None
    seconds = time.perf_counter() - started
    print(f"existing systems: {count:,} read and matched in {seconds:.2f} s, {found} name the vendor")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["quality", "speed"])
    parser.add_argument("--rows", type=int, default=3_500)
    parser.add_argument("--columns", type=int, default=35)
    arguments = parser.parse_args()
    quality() if arguments.what == "quality" else speed(arguments.rows, arguments.columns)
