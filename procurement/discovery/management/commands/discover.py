"""`manage.py discover --agency ABBR --file F [--preset P | --mapping NAME] [--match TERM ...]`

Reads a file as the upload does (same limits, same child process), matches the
directive's terms plus any given with --match, proposes the candidates (never accepts
them; --dry-run stores nothing) and prints one JSON line.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procurement.discovery import selectors, services
from procurement.discovery.fields import suggested
from procurement.discovery.models import ColumnMapping
from procurement.discovery.presets import PRESETS, preset
from procurement.discovery.reading import read_source
from procurement.discovery.terms import matcher_for
from procurement.inventory.imports.readers import SpreadsheetError
from procurement.inventory.models import Agency


class Command(BaseCommand):
    help = "Proposes discovery candidates from an inventory file and prints a JSON summary."

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="The agency's abbreviation.")
        parser.add_argument("--file", required=True, help="A CSV or XLSX file.")
        layout = parser.add_mutually_exclusive_group()
        layout.add_argument("--preset", choices=sorted(PRESETS))
        layout.add_argument("--mapping", help="The name of a mapping the agency saved.")
        parser.add_argument("--match", action="append", default=[], help="An extra term to match (repeatable).")
        parser.add_argument("--dry-run", action="store_true", help="Count the candidates without storing them.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        agency = self._agency(options["agency"])
        directive = selectors.current_directive()
        if directive is None:
            raise CommandError("There is no directive yet.")
        path = Path(options["file"])
        field_map = preset(options["preset"]) if options["preset"] else None
        try:
            parsed = read_source(path.name, path.read_bytes(), field_map.columns if field_map else ())
        except (OSError, SpreadsheetError) as error:
            raise CommandError(str(error)) from error
        if options["mapping"]:
            field_map = services.field_map_of(self._mapping(agency, options["mapping"]))
        field_map = field_map or suggested(parsed.sheet.headers)
        result = services.rows_propose(
            agency=agency,
            directive=directive,
            sheet=parsed.sheet,
            field_map=field_map,
            matcher=matcher_for(directive, options["match"]),
            filename=path.name,
            store=not options["dry_run"],
        )
        result.seconds = time.perf_counter() - started
        self.stdout.write(
            json.dumps({**result.as_dict(), "encoding": parsed.encoding, "header_row": parsed.header_row})
        )

    def _agency(self, abbreviation: str) -> Agency:
        try:
            return Agency.objects.get(abbreviation__iexact=abbreviation)
        except Agency.DoesNotExist:
            raise CommandError(f"No agency with the abbreviation {abbreviation}.") from None

    def _mapping(self, agency: Agency, name: str) -> ColumnMapping:
        mapping = ColumnMapping.objects.filter(agency__in=[agency.pk, agency.parent_id], name=name).first()
        if mapping is None:
            raise CommandError(f"{agency.abbreviation} has no saved mapping named “{name}”.")
        return mapping
