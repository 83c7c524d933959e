"""Discovery pages. Thin: selectors read, services write."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from procurement.core.uploads import limit_upload_size
from procurement.core.views import FilteredTableView
from procurement.discovery import selectors, services
from procurement.discovery.enums import SourceKind
from procurement.discovery.fields import FieldMap, distinct_values, suggested
from procurement.discovery.forms import AcceptForm, FileForm, MappingForm, RejectForm, SourceUploadForm
from procurement.discovery.presets import preset
from procurement.discovery.sbom import SbomError
from procurement.discovery.tables import CandidateTable
from procurement.inventory.access import Action, can
from procurement.inventory.imports.readers import SpreadsheetError


def _upload_limit() -> int:
    return settings.IMPORT_MAX_FILE_BYTES


def _directive_or_error():
    directive = selectors.current_directive()
    if directive is None:
        raise ValidationError("There is no directive yet: an administrator adds it first.")
    return directive


def _refused_upload(template: str):
    """The answer to an upload over the size limit, given without reading it (413)."""

    def refused(request, refusal, *args, **kwargs):
        form = FileForm(data={}, files={})
        form.errors["file"] = form.error_class([str(refusal)])
        return render(request, template, {"form": form, "refused": True}, status=413)

    return refused


# --- The agency page and its candidates ------------------------------------------------


def discovery_home(request):
    """The agencies whose discovery the user may see; with only one, its page."""
    agencies = list(selectors.agencies_visible(request.user)[:200])
    if len(agencies) == 1:
        return redirect("discovery:agency", pk=agencies[0].pk)
    return render(request, "discovery/home.html", {"agencies": agencies})


def agency_discovery(request, pk: int):
    agency = selectors.agency_get(request.user, pk)
    summary = selectors.discovery_summary(request.user, agency)
    return render(request, "discovery/agency.html", {"summary": summary, "agency": agency})


class CandidateListView(FilteredTableView):
    table_class = CandidateTable
    template_name = "discovery/candidate_list.html"
    item_name, item_name_plural = "candidate", "candidates"
    export_basename = "discovery-candidates"

    def get(self, request, pk: int):
        self.agency = selectors.agency_get(request.user, pk)
        self.title = f"Discovery candidates: {self.agency.name}"
        return super().get(request)

    def filterset(self, request):
        agency = getattr(self, "agency", None) or selectors.agency_get(request.user, self.kwargs["pk"])
        return selectors.candidate_filter(request.user, request.GET, agency)

    def context(self, request, filterset, table, per_page) -> dict:
        return {**super().context(request, filterset, table, per_page), "agency": self.agency}


@require_POST
def systems_scan(request, pk: int):
    agency = selectors.agency_get(request.user, pk, Action.CHANGE)
    try:
        result = services.systems_scan(user=request.user, agency=agency, directive=_directive_or_error())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Scanned {result.rows:,} systems without a covered product: {result.candidates} new candidates.",
        )
    return redirect("discovery:agency", pk=agency.pk)


# --- Inventory files: upload, map, scan or import ----------------------------------------


@limit_upload_size(_upload_limit, refused=_refused_upload("discovery/upload.html"))
def source_upload(request, pk: int):
    agency = selectors.agency_get(request.user, pk, Action.CHANGE)
    mappings = selectors.mappings_for(request.user, agency)
    form = SourceUploadForm(request.POST or None, request.FILES or None, mappings=mappings)
    if request.method == "POST" and form.is_valid():
        layout = form.cleaned_data["layout"]
        preset_key = layout.removeprefix("preset:") if layout.startswith("preset:") else ""
        try:
            source = services.source_upload(
                user=request.user,
                agency=agency,
                filename=form.cleaned_data["file"].name,
                content=form.cleaned_data["file"].read(),
                preset_key=preset_key,
            )
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            services.source_map_set(user=request.user, source=source, **_initial_map(request.user, layout, source))
            return redirect(source)
    return render(request, "discovery/upload.html", {"form": form, "agency": agency})


def _initial_map(user, layout: str, source) -> dict:
    if layout.startswith("preset:"):
        return {"field_map": preset(layout.removeprefix("preset:"))}
    if layout.startswith("mapping:"):
        mapping = selectors.mapping_get(user, int(layout.removeprefix("mapping:")))
        return {"field_map": services.field_map_of(mapping), "mapping": mapping}
    return {"field_map": suggested(services.source_sheet(source).headers)}


def source_detail(request, pk):
    source = selectors.source_get(request.user, pk)
    try:
        sheet = services.source_sheet(source)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("discovery:agency", pk=source.agency_id)
    field_map = FieldMap(**source.working_map) if source.working_map else suggested(sheet.headers)
    form = _mapping_form(request.POST or None, sheet, field_map, source)
    if request.method == "POST":
        selectors.source_get(request.user, pk, Action.CHANGE)
        if form.is_valid():
            return _apply_mapping(request, source, form)
    context = {"source": source, "form": form, "sample": sheet.rows[:5], "headers": sheet.headers}
    return render(request, "discovery/source.html", context)


def _mapping_form(data, sheet, field_map: FieldMap, source) -> MappingForm:
    columns = field_map.column_of(sheet.headers)
    initial = {
        "name": source.mapping.name if source.mapping else "",
        "version": getattr(source.mapping, "version", None),
    }
    return MappingForm(
        data, headers=sheet.headers, field_map=field_map, values=distinct_values(columns, sheet.rows), initial=initial
    )


def _apply_mapping(request, source, form: MappingForm):
    field_map = form.field_map()
    action = request.POST.get("action", "update")
    try:
        mapping = _save_if_named(request, source, form, field_map, action)
        services.source_map_set(user=request.user, source=source, field_map=field_map, mapping=mapping)
        if action == "scan":
            result = services.source_scan(
                user=request.user, source=source, field_map=field_map, directive=_directive_or_error()
            )
            messages.success(request, _scan_message(result))
            return redirect("discovery:candidates", pk=source.agency_id)
        if action == "import":
            created = services.source_import_batch(user=request.user, source=source, field_map=field_map)
            return redirect("inventory:import-preview", batch_id=created.batch.pk)
    except (ValidationError, SpreadsheetError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect(source)


def _save_if_named(request, source, form: MappingForm, field_map: FieldMap, action: str):
    name = form.cleaned_data["name"].strip()
    if action != "save" and not name:
        return None
    if not name:
        raise ValidationError("Give the mapping a name to save it.")
    same = source.mapping and source.mapping.name == name
    mapping = services.mapping_save(
        user=request.user,
        agency=source.agency,
        name=name,
        field_map=field_map,
        preset_key=source.preset,
        expected_version=form.cleaned_data["version"] if same else None,
    )
    if action == "save":
        messages.success(request, f"Mapping “{mapping.name}” saved for {source.agency.abbreviation}.")
    return mapping


def _scan_message(result) -> str:
    kinds = ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in sorted(result.by_kind.items()))
    known = f"; {result.already_decided} already proposed or decided" if result.already_decided else ""
    return f"{result.rows:,} rows read: {result.candidates} new candidates{f' ({kinds})' if kinds else ''}{known}."


# --- Candidates -------------------------------------------------------------------------


def candidate_detail(request, pk: int):
    candidate = selectors.candidate_get(request.user, pk)
    may_decide = candidate.status == "proposed" and can(request.user, Action.CHANGE, candidate.agency_id)
    initial = {
        "dependency_kind": candidate.proposed_kind,
        "fisma_id": services.safe_fisma_id(candidate.values.get("fisma_id", "")),
        "name": candidate.values.get("name", "") or candidate.title[:200],
    }
    context = {
        "candidate": candidate,
        "may_decide": may_decide,
        "accept_form": AcceptForm(initial=initial) if may_decide else None,
        "reject_form": RejectForm() if may_decide else None,
    }
    return render(request, "discovery/candidate.html", context)


@require_POST
def candidate_accept(request, pk: int):
    candidate = selectors.candidate_get(request.user, pk, Action.CHANGE)
    form = AcceptForm(request.POST)
    if form.is_valid():
        acceptance = services.Acceptance(**form.cleaned_data)
        try:
            services.candidate_accept(user=request.user, candidate=candidate, acceptance=acceptance)
        except ValidationError as error:
            messages.error(request, "Not accepted: " + " ".join(error.messages))
        else:
            messages.success(request, "Accepted; the evidence is kept with the record.")
    else:
        messages.error(request, "Not accepted: choose a dependency kind.")
    return redirect(candidate)


@require_POST
def candidate_reject(request, pk: int):
    candidate = selectors.candidate_get(request.user, pk, Action.CHANGE)
    form = RejectForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say why this is not a dependency.")
        services.candidate_reject(user=request.user, candidate=candidate, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, "Not rejected: " + " ".join(error.messages))
    else:
        messages.success(request, "Rejected; this will not be proposed again.")
    return redirect(candidate)


# --- SBOMs and award exports ---------------------------------------------------------------


@limit_upload_size(_upload_limit, refused=_refused_upload("discovery/sbom_upload.html"))
def sbom_upload(request, system_pk: int):
    system = selectors.system_for_change(request.user, system_pk)
    form = FileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.sbom_scan(user=request.user, system=system, filename=upload.name, content=upload.read())
        except SbomError as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, f"{result.rows:,} components read: {result.candidates} flagged as candidates.")
            return redirect(system)
    return render(request, "discovery/sbom_upload.html", {"form": form, "system": system})


@limit_upload_size(_upload_limit, refused=_refused_upload("discovery/awards_upload.html"))
def awards_upload(request, pk: int):
    agency = selectors.agency_get(request.user, pk, Action.CHANGE)
    form = FileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            source = services.source_upload(
                user=request.user, agency=agency, filename=upload.name, content=upload.read(), kind=SourceKind.AWARD
            )
            result = services.awards_scan(user=request.user, source=source, directive=_directive_or_error())
        except (SpreadsheetError, ValidationError) as error:
            form.add_error("file", " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"{result.rows:,} awards read: {result.candidates} new candidate contracts.")
            return redirect("discovery:candidates", pk=agency.pk)
    return render(request, "discovery/awards_upload.html", {"form": form, "agency": agency})
