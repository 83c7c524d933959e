"""`manage.py export_report --agency ABBR --format xlsx|pdf|csv|json --out FILE [--as-of DATE]`."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from procurement.compliance import report_files, selectors, services
from procurement.inventory.models import Agency, Directive

FORMATS = ("xlsx", "pdf", "csv", "json")


class Command(BaseCommand):
    help = "Writes an agency's status report for the period holding --as-of (today by default)."

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="The agency's abbreviation, e.g. TREAS.")
        parser.add_argument("--format", required=True, choices=FORMATS, dest="file_format")
        parser.add_argument("--out", required=True, help="The file to write.")
        parser.add_argument("--as-of", type=datetime.date.fromisoformat, help="YYYY-MM-DD; today if left out.")
        parser.add_argument("--directive", help="The directive's short name; the latest one if left out.")

    def handle(self, *args, agency, file_format, out, as_of=None, directive=None, **options):
        found = Agency.objects.filter(abbreviation=agency).first()
        if found is None:
            raise CommandError(f"No agency has the abbreviation {agency!r}.")
        chosen = Directive.objects.filter(short_name=directive).first() if directive else Directive.objects.first()
        if chosen is None:
            raise CommandError("No such directive." if directive else "There is no directive yet.")
        day = as_of or timezone.localdate()
        number = selectors.current_period_number(chosen, day)
        # A signed report is read from its snapshot; a draft is made or refreshed from the inventory.
        report = services.status_report_generate(directive=chosen, agency=found, number=number)
        content = selectors.report_content(report, timezone.now())
        self._write(content, report, file_format, out)
        state = "signed" if report.is_signed else "draft"
        self.stdout.write(
            f"Wrote {out}: {found.abbreviation} period {number} ({state}), {content.summary['total']} systems."
        )

    def _write(self, content, report, file_format: str, out: str) -> None:
        if file_format == "xlsx":
            report_files.xlsx_write(content, out)
            return
        if file_format == "pdf":
            svg = selectors.report_burndown_svg(report, timezone.localdate())
            with open(out, "wb") as output:
                output.write(report_files.pdf_bytes(content, svg))
            return
        parts = report_files.csv_lines(content) if file_format == "csv" else report_files.json_parts(content)
        with open(out, "w", encoding="utf-8", newline="") as output:
            for part in parts:
                output.write(part)
