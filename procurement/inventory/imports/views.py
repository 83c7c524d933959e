"""Bulk import pages: template download, upload, preview with every problem, confirm."""

from __future__ import annotations

import csv
import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from openpyxl import Workbook

from procurement.core.exports import XLSX_CONTENT_TYPE
from procurement.core.forms import UswdsFormMixin
from procurement.inventory import selectors
from procurement.inventory.enums import Criticality, DependencyKind, IdentificationMethod, ImportKind, Network
from procurement.inventory.imports import services as import_services
from procurement.inventory.imports.importers import IMPORTERS
from procurement.inventory.imports.readers import Limits, SpreadsheetError
from procurement.inventory.models import ImportBatch

LIST_URL = {ImportKind.SYSTEMS: "inventory:system-list", ImportKind.CONTRACTS: "inventory:contract-list"}
PREVIEW_ROWS = 50


class UploadForm(UswdsFormMixin, forms.Form):
    file = forms.FileField(label="CSV or XLSX file", widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))


def _importer_class(request, kind: str):
    if kind not in IMPORTERS:
        raise Http404("Unknown import.")
    if not selectors.can_change_anything(request.user):
        raise PermissionDenied
    return IMPORTERS[kind]


def upload(request, kind: str):
    _importer_class(request, kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            batch = import_services.import_batch_create(
                user=request.user, kind=kind, filename=uploaded.name, content=_read_capped(uploaded)
            )
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            return redirect("inventory:import-preview", batch_id=batch.pk)
    context = {"form": form, "kind": kind, "label": ImportKind(kind).label, "limits": Limits.from_settings()}
    return render(request, "inventory/import_upload.html", context)


def _read_capped(uploaded) -> bytes:
    """Reads at most one byte past the limit, so an oversized upload is never held whole."""
    return uploaded.read(settings.IMPORT_MAX_FILE_BYTES + 1)


def template(request, kind: str, file_format: str):
    headers = _importer_class(request, kind).template_headers()
    if file_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerow(headers)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    elif file_format == "xlsx":
        response = HttpResponse(_xlsx_template(kind, headers), content_type=XLSX_CONTENT_TYPE)
    else:
        raise Http404("Unknown format.")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{file_format}"'
    return response


def _xlsx_template(kind: str, headers: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ImportKind(kind).label
    sheet.append(headers)
    if kind == ImportKind.SYSTEMS:
        allowed = workbook.create_sheet("Allowed values")
        for title, choices in (
            ("Criticality", Criticality),
            ("Network", Network),
            ("Dependency kind", DependencyKind),
            ("Identification method", IdentificationMethod),
        ):
            allowed.append([title, *choices.labels])
        allowed.append(["NSS", "yes", "no"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def preview(request, batch_id):
    batch = selectors.import_batch_get(request.user, batch_id)
    if batch.applied_at:
        messages.info(request, f"{batch.filename} was imported ({batch.applied_count} rows).")
        return redirect(LIST_URL[batch.kind])
    if request.method == "POST":
        return _confirm(request, batch)
    try:
        result = import_services.import_batch_preview(batch)
    except SpreadsheetError as error:
        messages.error(request, str(error))
        return redirect("inventory:import-upload", kind=batch.kind)
    return render(request, "inventory/import_preview.html", _preview_context(batch, result))


def _confirm(request, batch: ImportBatch):
    try:
        result = import_services.import_batch_apply(user=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(LIST_URL[batch.kind])
    if result.problems:
        messages.error(request, "Nothing was imported: the data changed since the preview. See the problems below.")
        return render(request, "inventory/import_preview.html", _preview_context(batch, result))
    counts = f"{result.creates} new, {result.updates} updated, {result.unchanged} unchanged"
    messages.success(request, f"Imported {len(result.rows)} rows: {counts}.")
    return redirect(LIST_URL[batch.kind])


def _preview_context(batch: ImportBatch, result) -> dict:
    return {
        "batch": batch,
        "result": result,
        "sample": result.rows[:PREVIEW_ROWS],
        "label": ImportKind(batch.kind).label,
    }
