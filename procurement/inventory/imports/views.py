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
from procurement.core.uploads import UploadRefusal, limit_upload_size, too_large_message
from procurement.inventory import selectors
from procurement.inventory.enums import Criticality, DependencyKind, IdentificationMethod, ImportKind, Network
from procurement.inventory.imports import selectors as import_selectors
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


def _refused(request, refusal: UploadRefusal, kind: str):
    """An upload over the size limit, answered without reading it (413)."""
    _importer_class(request, kind)
    form = UploadForm(data={}, files={})
    form.errors["file"] = form.error_class([str(refusal)])
    return _upload_page(request, kind, form, status=413)


@limit_upload_size(lambda: settings.IMPORT_MAX_FILE_BYTES, refused=_refused)
def upload(request, kind: str):
    _importer_class(request, kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = import_services.import_batch_upload(
                user=request.user, kind=kind, filename=form.cleaned_data["file"].name, content=_content(form)
            )
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            _tell_discarded(request, created.discarded)
            return redirect("inventory:import-preview", batch_id=created.batch.pk)
    return _upload_page(request, kind, form)


def _content(form: UploadForm) -> bytes:
    """The whole file: the size handler stopped any upload over the limit while it arrived."""
    uploaded = form.cleaned_data["file"]
    if uploaded.size > settings.IMPORT_MAX_FILE_BYTES:
        raise SpreadsheetError(too_large_message(uploaded.size, settings.IMPORT_MAX_FILE_BYTES))
    return uploaded.read()


def _tell_discarded(request, filenames: list[str]) -> None:
    if filenames:
        most = settings.IMPORT_MAX_PENDING_BATCHES
        messages.info(
            request,
            f"You may keep {most} unconfirmed imports; the oldest, {', '.join(filenames)}, "
            f"{'was' if len(filenames) == 1 else 'were'} discarded.",
        )


def _upload_page(request, kind: str, form: UploadForm, status: int = 200):
    context = {
        "form": form,
        "kind": kind,
        "label": ImportKind(kind).label,
        "limits": Limits.from_settings(),
        "pending": import_selectors.import_batches_pending(request.user),
    }
    return render(request, "inventory/import_upload.html", context, status=status)


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
    try:
        batch = selectors.import_batch_get(request.user, batch_id)
    except Http404:
        # Expired, discarded, or another user's: the owner needs to know why it is gone.
        return render(request, "inventory/import_missing.html", _missing_context(), status=404)
    if batch.applied_at:
        messages.info(request, f"{batch.filename} was imported ({batch.applied_count} rows).")
        return redirect(LIST_URL[batch.kind])
    if request.method == "POST" and request.POST.get("action") == "discard":
        return _discard(request, batch)
    if request.method == "POST":
        return _confirm(request, batch)
    try:
        result = import_services.import_batch_preview(batch)
    except SpreadsheetError as error:
        messages.error(request, str(error))
        return redirect("inventory:import-upload", kind=batch.kind)
    return render(request, "inventory/import_preview.html", _preview_context(batch, result))


def _missing_context() -> dict:
    most, kept_for = import_selectors.import_batch_retention()
    return {"most": most, "kept_for": kept_for}


def _discard(request, batch: ImportBatch):
    import_services.import_batch_discard(user=request.user, batch=batch)
    messages.info(request, f"{batch.filename} was discarded; nothing was imported.")
    return redirect("inventory:import-upload", kind=batch.kind)


def _confirm(request, batch: ImportBatch):
    try:
        result = import_services.import_batch_apply(user=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(LIST_URL[batch.kind])
    if result.only_stale:
        # The preview is shown again with today's data; confirming then applies what it shows.
        changed = " ".join(f"Row {problem.row}: {problem.message}" for problem in result.problems[:20])
        messages.error(request, f"Nothing was imported: records changed since your preview. {changed} "
                                "Review the preview below and confirm again.")  # fmt: skip
        return redirect("inventory:import-preview", batch_id=batch.pk)
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
