"""Compliance pages. Thin: selectors read, services write."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from procurement.compliance import calendars, report_files, selectors, services
from procurement.compliance.forms import FeedForm, ReportNarrativeForm, SignForm, WaiverDecisionForm, WaiverRequestForm
from procurement.compliance.tables import ReportTable, WaiverTable
from procurement.core.exports import XLSX_CONTENT_TYPE
from procurement.core.views import FilteredTableView
from procurement.inventory.access import Action, can
from procurement.inventory.selectors import directive_get, system_get, visible_directives

# --- Waivers -------------------------------------------------------------------------


class WaiverListView(FilteredTableView):
    table_class = WaiverTable
    title = "Waivers"
    item_name, item_name_plural = "waiver", "waivers"
    export_basename = "waivers"

    def filterset(self, request):
        return selectors.waiver_filter(request.user, request.GET)


def _error_into(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def waiver_request(request, system_pk: int):
    return _waiver_form(request, _changeable(request.user, system_get(request.user, system_pk)), extends=None)


def waiver_extend(request, pk: int):
    earlier = selectors.waiver_get(request.user, pk)
    return _waiver_form(request, _changeable(request.user, earlier.system), extends=earlier)


def _changeable(user, system):
    """A system the user sees but may not change is a 403, one they cannot see was already a 404."""
    if not can(user, Action.CHANGE, system.agency_id):
        raise PermissionDenied
    return system


def _waiver_form(request, system, extends):
    policy = selectors.policy_for(system.directive)
    form = WaiverRequestForm(request.POST or None, allowed_categories=policy.allowed_categories)
    if request.method == "POST" and form.is_valid():
        try:
            waiver = services.waiver_request(
                user=request.user, system=system, fields=form.cleaned_data, extends=extends
            )
        except ValidationError as error:
            _error_into(form, error)
        else:
            messages.success(request, f"Waiver W-{waiver.pk} requested; the agency head or a designee decides it.")
            return redirect(waiver)
    context = {"form": form, "system": system, "extends": extends, "max_days": system.directive.exception_max_days}
    return render(request, "compliance/waiver_form.html", context)


def waiver_detail(request, pk: int):
    page = selectors.waiver_page(request.user, pk)
    form = WaiverDecisionForm(initial={"version": page.waiver.version}) if page.may_decide else None
    return render(request, "compliance/waiver_detail.html", {"page": page, "waiver": page.waiver, "form": form})


@require_POST
def waiver_decide(request, pk: int):
    waiver = selectors.waiver_get(request.user, pk)
    form = WaiverDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.waiver_decide(
                user=request.user,
                waiver=waiver,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Decision recorded.")
    else:
        messages.error(request, "Choose approve or deny.")
    return redirect(waiver)


@require_POST
def waiver_withdraw(request, pk: int):
    waiver = selectors.waiver_get(request.user, pk)
    try:
        services.waiver_withdraw(user=request.user, waiver=waiver)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Request withdrawn.")
    return redirect(waiver)


# --- Status reports ---------------------------------------------------------------


class ReportListView(FilteredTableView):
    table_class = ReportTable
    title = "Status reports"
    item_name, item_name_plural = "report", "reports"
    export_basename = "status-reports"

    def filterset(self, request):
        return selectors.report_filter(request.user, request.GET)


def report_detail(request, pk: int):
    page = selectors.report_page(request.user, pk, timezone.now())
    report = page.content.report
    context = {
        "page": page,
        "report": report,
        "record": page.content.record,
        "summary": page.content.summary,
        "headers": report_files.HEADERS,
        "rows": [report_files.display_row(row) for row in page.preview_rows],
        "sign_form": SignForm(initial={"version": report.version}) if page.may_sign else None,
        "narrative_form": ReportNarrativeForm(instance=report, initial={"version": report.version})
        if page.may_edit
        else None,
    }
    return render(request, "compliance/report_detail.html", context)


@require_POST
def report_edit(request, pk: int):
    report = selectors.report_get(request.user, pk)
    form = ReportNarrativeForm(request.POST, instance=report)
    if form.is_valid():
        try:
            services.status_report_update(
                user=request.user, report=report, fields=form.cleaned_data, version=form.cleaned_data["version"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Narrative saved.")
    else:
        messages.error(request, " ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()))
    return redirect(report)


@require_POST
def report_refresh(request, pk: int):
    report = selectors.report_get(request.user, pk)
    if report.is_signed or not can(request.user, Action.CHANGE, report.agency_id):
        messages.error(request, "Only a draft's figures are refreshed, by someone who may edit it.")
    else:
        services.status_report_refresh(report)
        messages.success(request, "Figures refreshed from the inventory.")
    return redirect(report)


@require_POST
def report_sign(request, pk: int):
    report = selectors.report_get(request.user, pk)
    form = SignForm(request.POST)
    # Without a version the service still checks who signs first, then refuses the stale form.
    version = form.cleaned_data["version"] if form.is_valid() else -1
    try:
        snapshot = services.status_report_sign(user=request.user, report=report, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Signed and frozen. SHA-256 {snapshot.sha256}.")
    return redirect(report)


def report_verify(request, pk: int):
    report, snapshot = selectors.snapshot_get(request.user, pk)
    return render(
        request,
        "compliance/report_verify.html",
        {"report": report, "snapshot": snapshot, "verifies": selectors.snapshot_verifies(snapshot)},
    )


def report_changes(request, pk: int):
    report, differences, more = selectors.snapshot_differences(request.user, pk, timezone.now())
    return render(
        request, "compliance/report_changes.html", {"report": report, "differences": differences, "more": more}
    )


REPORT_FORMATS = ("csv", "json", "xlsx", "pdf")


def report_export(request, pk: int, file_format: str):
    if file_format not in REPORT_FORMATS:
        raise Http404("Unknown format.")
    report = selectors.report_get(request.user, pk)
    content = selectors.report_content(report, timezone.now())
    basename = f"status-report-{report.agency.abbreviation}-{report.period}"
    if file_format == "csv":
        response = StreamingHttpResponse(report_files.csv_lines(content), content_type="text/csv; charset=utf-8")
    elif file_format == "json":
        response = StreamingHttpResponse(report_files.json_parts(content), content_type="application/json")
    elif file_format == "pdf":
        svg = selectors.report_burndown_svg(report, timezone.localdate())
        response = HttpResponse(report_files.pdf_bytes(content, svg), content_type="application/pdf")
    else:
        if content.summary["total"] > settings.EXPORT_XLSX_IN_REQUEST_MAX_ROWS:
            return redirect(services.report_xlsx_job_create(user=request.user, report=report, basename=basename))
        return _xlsx_response(content, basename)
    response["Content-Disposition"] = f'attachment; filename="{basename}.{file_format}"'
    return response


def _xlsx_response(content, basename: str) -> FileResponse:
    import tempfile

    output = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes and so removes it)
    report_files.xlsx_write(content, output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=f"{basename}.xlsx", content_type=XLSX_CONTENT_TYPE)


# --- Completeness and oversight -----------------------------------------------------


def _directive_from(request):
    directive_id = request.GET.get("directive", "")
    if directive_id.isdigit():
        return directive_get(int(directive_id))
    directive = visible_directives().first()
    if directive is None:
        raise Http404("No directive yet.")
    return directive


def completeness(request):
    directive = _directive_from(request)
    today = timezone.localdate()
    current = selectors.current_period_number(directive, today)
    requested = request.GET.get("period", "")
    number = int(requested) if requested.isdigit() and 1 <= int(requested) <= current else current
    period, rows = selectors.completeness(request.user, directive, number)
    context = {
        "directive": directive,
        "directives": visible_directives(),
        "period": period,
        "periods": range(current, 0, -1),
        "rows": rows,
        "reported": sum(1 for row in rows if row.report and row.report.is_signed),
    }
    return render(request, "compliance/completeness.html", context)


def oversight(request):
    directive = _directive_from(request)
    period, rows = selectors.oversight(request.user, directive, timezone.localdate())
    context = {"directive": directive, "directives": visible_directives(), "period": period, "rows": rows}
    return render(request, "compliance/oversight.html", context)


# --- Calendar feeds ---------------------------------------------------------------


def feed_list(request):
    form = FeedForm(request.POST or None, user=request.user)
    new_url = None
    if request.method == "POST" and form.is_valid():
        feed, token = services.feed_create(
            user=request.user, scope=form.cleaned_data["scope"], agency=form.cleaned_data["agency"]
        )
        new_url = request.build_absolute_uri(reverse_feed(token))
        form = FeedForm(user=request.user)
    return render(
        request,
        "compliance/feeds.html",
        {"form": form, "feeds": selectors.feeds_of(request.user), "new_url": new_url},
    )


def reverse_feed(token: str) -> str:
    from django.urls import reverse

    return reverse("compliance:feed", args=[token])


@require_POST
def feed_revoke(request, pk: int):
    feed = selectors.feed_get(request.user, pk)
    services.feed_revoke(user=request.user, feed=feed)
    messages.success(request, "Feed revoked: calendars using its address get nothing more.")
    return redirect("compliance:feed-list")


@login_not_required
def feed(request, token: str):
    """The calendar itself: the token is the only credential; a revoked one is a 404."""
    feed = selectors.feed_for_token(token)
    body = calendars.ical(feed, timezone.localdate())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="phaseout.ics"'
    return response
