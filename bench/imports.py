"""Bulk import timings: N new systems, each depending on the one before.

Runs the import services the pages use (upload check, preview, confirm) as the
demo editor, then deletes what it added:

    python manage.py loaddemo
    python -m bench.imports [--rows 20000]
"""

import argparse
import csv
import io
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")
django.setup()

from procurement.inventory.imports import services as import_services  # noqa: E402
from procurement.inventory.models import System, User  # noqa: E402

HEADERS = ["FISMA system ID", "Name", "Agency", "Criticality", "Network", "Dependency kind", "Depends on"]


def csv_content(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for number in range(rows):
        previous = f"BENCH-{number - 1:06d}" if number else ""
        writer.writerow(
            [f"BENCH-{number:06d}", f"Imported system {number}", "IRS", "High", "CUI", "Direct API", previous]
        )
    return buffer.getvalue().encode()


def run(rows: int) -> None:
    user = User.objects.get(username="editor")
    content = csv_content(rows)
    start = time.perf_counter()
    batch = import_services.import_batch_create(user=user, kind="systems", filename="bench.csv", content=content)
    preview = import_services.import_batch_preview(batch)
    previewed = time.perf_counter()
    result = import_services.import_batch_apply(user=user, batch=batch)
    applied = time.perf_counter()
    assert not preview.problems and not result.problems, (preview.problems + result.problems)[:5]
    print(
        f"{rows:,} rows ({len(content) / 1e6:.1f} MB): upload and preview {previewed - start:.1f} s, "
        f"confirm {applied - previewed:.1f} s, {result.creates:,} created"
    )
    System.objects.filter(fisma_id__startswith="BENCH-").delete()
    batch.delete()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    run(parser.parse_args().rows)
