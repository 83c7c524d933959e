"""Hostile uploads (issue 8): time and memory to read each file, Phaseout's reader against openpyxl's.

    python -m bench.hostile_uploads [--skip-openpyxl] [--timeout 120]

The files are made as the tests make them (tests/inventory/test_hostile_uploads.py),
plus two legitimate ones at the limits for reference. Each reading runs in a fresh
process of its own, so its peak RSS is its own:

- openpyxl: the reader before issue 8 (openpyxl read-only mode, every row, in the
  web worker), the baseline, measured in the same run;
- phaseout: readers.read_sheet, as an upload calls it: the byte checks and calamine in
  the limited child process. "worker +MB" is the peak RSS growth of the calling process
  (the web worker), "child +MB" the child's peak RSS less what it inherited at fork.

Times are wall-clock seconds of one read; before issue 8 every preview read the file again.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")
django.setup()

from openpyxl import Workbook, load_workbook  # noqa: E402

from procurement.inventory.imports import guard  # noqa: E402
from procurement.inventory.imports.readers import parse_budget, read_sheet  # noqa: E402
from procurement.inventory.imports.sheets import (  # noqa: E402
    MAX_COLUMNS,
    Limits,
    SpreadsheetError,
    cell_text,
    collect,
    sheet_pack,
    sheet_unpack,
)
from tests.inventory import test_hostile_uploads as hostile  # noqa: E402


def billion_laughs() -> bytes:
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10))
    declaration = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'.encode()
    return hostile.with_sheet(
        hostile.workbook_bytes(),
        lambda data: declaration + data.split(b"?>", 1)[-1].replace(b"Refund status bot", b"&a9;"),
    )


def zip_bomb() -> bytes:
    return hostile.rewritten(hostile.workbook_bytes(), lambda name, data: data, {"xl/media/zeros.bin": bytes(60 << 20)})


def claimed_size() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "FISMA system ID"
    workbook.active["XFD1"] = "far right"
    workbook.active["A1048576"] = "far down"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def largest_workbook(rows: int = 20_000) -> bytes:
    """A legitimate workbook at the row limit: 22 columns of text, numbers and dates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([f"Column {number}" for number in range(22)])
    for row in range(rows):
        day = datetime.date(2026, 2, 27) + datetime.timedelta(days=row % 300)
        texts = [f"text {row} {number}" for number in range(14)]
        sheet.append([f"SYS-{row:06d}", f"System {row}", "IRS", "High", "CUI", "Direct API", row * 1.5, day, *texts])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def largest_csv(rows: int = 20_000) -> bytes:
    """A legitimate CSV at the row limit, just under 5 MB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*hostile.HEADERS, "Mission function"])
    for row in range(rows):
        writer.writerow([f"SYS-{row:06d}", f"System {row}", "IRS", "High", "CUI", "Direct API", "x" * 180])
    return buffer.getvalue().encode()


FILES = {
    "styles: 780,000 cell formats": ("xlsx", lambda: hostile.styles_bomb()),
    "shared strings: 2,900,000": ("xlsx", lambda: hostile.shared_strings_bomb()),
    "cell at XFD1048576": ("xlsx", lambda: hostile.far_cells("XFD1048576")),
    "values at XFD3 and XFD20000": ("xlsx", lambda: hostile.far_cells("XFD3", "XFD20000")),
    "size claim XFD1 + A1048576": ("xlsx", claimed_size),
    "entity bomb (billion laughs)": ("xlsx", billion_laughs),
    "zip bomb (60 MB of zeros)": ("xlsx", zip_bomb),
    "legit: 20,000 rows x 22 columns": ("xlsx", largest_workbook),
    "legit: 5 MB CSV": ("csv", largest_csv),
}


def openpyxl_sheet(filename: str, content: bytes):
    """The reader before issue 8, as it was: openpyxl read-only, the sheet's size claim reset."""
    limits = Limits.from_settings()
    if filename.endswith(".csv"):
        return collect(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")), limits)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:  # its zip-bomb check
        if sum(member.file_size for member in archive.infolist()) > limits.max_unzipped_bytes:
            raise SpreadsheetError("The workbook unpacks to more than the limit.")
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()

    def rows():
        for row in sheet.iter_rows(max_col=MAX_COLUMNS + 1):
            if any(cell.data_type == "f" for cell in row):
                raise SpreadsheetError("formulas are not accepted")
            yield [cell_text(cell.value) for cell in row]

    return collect(rows(), limits)


def measure(reader: str, path: str) -> dict:
    """One read in this fresh process: seconds, this process's peak RSS growth, the child's peak."""
    content = Path(path).read_bytes()
    filename = Path(path).name
    resident = _resident_kb()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        sheet = openpyxl_sheet(filename, content) if reader == "openpyxl" else read_sheet(filename, content)
        outcome = f"read {len(sheet.rows):,} rows"
    except Exception as error:  # the baseline fails in many ways; each is a result here
        outcome = " ".join(str(error).split())[:80]
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "worker_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024,
        # A forked child starts with the worker's resident pages: its growth is its peak less those.
        "child_mb": max(0, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss - resident) / 1024,
        "outcome": outcome,
    }
    if reader == "phaseout" and outcome.startswith("read"):
        started = time.perf_counter()
        sheet_unpack(sheet_pack(sheet))
        result["store_and_load_seconds"] = time.perf_counter() - started
    return result


def _resident_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def run_one(reader: str, path: Path, timeout: float) -> dict:
    command = [sys.executable, "-m", "bench.hostile_uploads", "--measure", reader, str(path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"seconds": timeout, "worker_mb": float("nan"), "child_mb": 0, "outcome": f"stopped after {timeout} s"}
    if done.returncode:
        return {
            "seconds": float("nan"),
            "worker_mb": float("nan"),
            "child_mb": 0,
            "outcome": f"died ({done.returncode})",
        }
    return json.loads(done.stdout.strip().splitlines()[-1])


def guard_overhead(runs: int = 20) -> str:
    """Median and worst time to fork the limited child, run nothing, and get the answer back."""
    budget = parse_budget()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        guard.run_limited(budget, int)
        seconds.append(time.perf_counter() - started)
    return f"guard overhead: median {statistics.median(seconds) * 1000:.1f} ms, worst {max(seconds) * 1000:.1f} ms"


def main(skip_openpyxl: bool, timeout: float) -> None:
    print(guard_overhead())
    readers = ["phaseout"] if skip_openpyxl else ["openpyxl", "phaseout"]
    print(f"{'file':34} {'size':>9}  {'reader':9} {'seconds':>8} {'worker +MB':>10} {'child +MB':>9}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for label, (extension, make) in FILES.items():
            path = Path(folder) / f"upload.{extension}"
            path.write_bytes(make())
            for reader in readers:
                result = run_one(reader, path, timeout)
                child = f"{result['child_mb']:9.0f}" if reader == "phaseout" else f"{'':9}"
                extra = (
                    f"; rows stored and loaded in {result['store_and_load_seconds']:.2f} s"
                    if "store_and_load_seconds" in result
                    else ""
                )
                print(
                    f"{label:34} {path.stat().st_size / 1024:7.0f}KB  {reader:9} {result['seconds']:8.2f} "
                    f"{result['worker_mb']:10.0f} {child}  {result['outcome']}{extra}",
                    flush=True,
                )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--skip-openpyxl", action="store_true", help="only Phaseout's reader (the baseline takes a minute)"
    )
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a reading is stopped")
    parser.add_argument("--measure", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(*arguments.measure)))
    else:
        main(arguments.skip_openpyxl, arguments.timeout)
