"""Writes of the compliance app: waivers, status reports, signing, calendar feeds."""

from __future__ import annotations

import datetime
import os
import secrets

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from procurement.compliance import canonical, periods, report_files, selectors, waiver_rules
from procurement.compliance.enums import FeedScope, ReportState, WaiverStatus
from procurement.compliance.models import CalendarFeed, ReportSnapshot, StatusReport, Waiver
from procurement.core.models import ExportJob
from procurement.core.services import export_file_path, export_job_fail, export_progress
from procurement.inventory.access import Action, can
from procurement.inventory.models import Agency, Directive, DirectiveRevision, System
from procurement.inventory.services import directive_refresh_deadlines

STALE_MESSAGE = "Someone else changed this {thing} while you were editing it. Reload it and try again."

# --- Waivers ------------------------------------------------------------------------


def _policy(directive: Directive) -> waiver_rules.Policy:
    policy = selectors.policy_for(directive)
    return waiver_rules.Policy(
        allowed_categories=frozenset(policy.allowed_categories),
        max_days=directive.exception_max_days,
        max_extensions=directive.exception_max_extensions,
    )


@transaction.atomic
def waiver_request(*, user, system: System, fields: dict, extends: Waiver | None = None) -> Waiver:
    """Asks for a waiver for one system (never a blanket one), or for an extension of one.

    `fields` holds category, justification, alternatives_considered,
    compensating_mitigations, phase_out_plan and requested_until.
    """
    if not can(user, Action.CHANGE, system.agency_id):
        raise PermissionDenied("You may not request waivers for this agency.")
    if extends is not None and (extends.system_id != system.pk or extends.status != WaiverStatus.APPROVED):
        raise ValidationError({"extends": "Only an approved waiver of the same system can be extended."})
    today = timezone.localdate()
    starts_on = extends.requested_until if extends is not None else today
    request = waiver_rules.Request(
        category=fields["category"],
        starts_on=starts_on,
        requested_until=fields["requested_until"],
        extension_number=(extends.extension_number + 1) if extends is not None else 0,
    )
    problems = waiver_rules.problems(_policy(system.directive), request)
    for name in ("justification", "alternatives_considered", "compensating_mitigations", "phase_out_plan"):
        if not str(fields.get(name, "")).strip():
            problems[name] = "This is required."
    if problems:
        raise ValidationError(problems)
    waiver = Waiver(
        system=system,
        agency_id=system.agency_id,
        extends=extends,
        extension_number=request.extension_number,
        requested_by=user,
        **{name: fields[name] for name in waiver_rules_fields()},
    )
    try:
        with transaction.atomic():
            waiver.save()
    except IntegrityError:
        raise ValidationError("This system already has a waiver request waiting for a decision.") from None
    return waiver


def waiver_rules_fields() -> tuple[str, ...]:
    return (
        "category",
        "justification",
        "alternatives_considered",
        "compensating_mitigations",
        "phase_out_plan",
        "requested_until",
    )


@transaction.atomic
def waiver_decide(*, user, waiver: Waiver, approve: bool, note: str = "", version: int) -> Waiver:
    """Approves or denies a requested waiver: the agency head or a designee, never the requester."""
    waiver = Waiver.objects.select_for_update().select_related("system", "agency").get(pk=waiver.pk)
    refusal = waiver_rules.may_decide(waiver.requested_by_id, user.pk, selectors.is_official(user, waiver.agency))
    if refusal:
        raise PermissionDenied(refusal)
    if waiver.version != version:
        raise ValidationError(STALE_MESSAGE.format(thing="waiver"))
    if waiver.status != WaiverStatus.REQUESTED:
        raise ValidationError(f"This waiver is already {waiver.get_status_display().lower()}.")
    if not approve and not note.strip():
        raise ValidationError({"note": "Say why the waiver is denied."})
    if approve and waiver.extends_id:
        Waiver.objects.filter(pk=waiver.extends_id, status=WaiverStatus.APPROVED).update(status=WaiverStatus.EXTENDED)
    waiver.status = WaiverStatus.APPROVED if approve else WaiverStatus.DENIED
    waiver.decided_by, waiver.decided_at, waiver.decision_note = user, timezone.now(), note.strip()
    waiver.version += 1
    waiver._history_user = user
    waiver.save()
    if approve:
        _set_waiver_until(waiver.system_id, waiver.requested_until)
    return waiver


def _set_waiver_until(system_id: int, until: datetime.date | None) -> None:
    """System.waiver_until mirrors the approved waiver's end (planning and reports read it)."""
    system = System.objects.select_for_update().get(pk=system_id)
    system.waiver_until = until
    system.save(update_fields=["waiver_until", "updated_at"])


@transaction.atomic
def waiver_withdraw(*, user, waiver: Waiver) -> Waiver:
    if not can(user, Action.CHANGE, waiver.agency_id):
        raise PermissionDenied("You may not withdraw waivers of this agency.")
    waiver = Waiver.objects.select_for_update().get(pk=waiver.pk)
    if waiver.status != WaiverStatus.REQUESTED:
        raise ValidationError("Only a request still waiting for a decision can be withdrawn.")
    waiver.status = WaiverStatus.WITHDRAWN
    waiver.version += 1
    waiver._history_user = user
    waiver.save()
    return waiver


def waivers_expire(today: datetime.date) -> int:
    """Ends approved waivers whose end date has passed; the system must be removed again.

    Each waiver is claimed with a conditional UPDATE (approved → expired), so a sweep
    run twice, or two at once, expires and notifies each waiver once.
    """
    expired = 0
    for waiver_id in Waiver.objects.filter(status=WaiverStatus.APPROVED, requested_until__lt=today).values_list(
        "pk", flat=True
    ):
        expired += waiver_expire(waiver_id)
    return expired


@transaction.atomic
def waiver_expire(waiver_id: int) -> int:
    if not Waiver.objects.filter(pk=waiver_id, status=WaiverStatus.APPROVED).update(status=WaiverStatus.EXPIRED):
        return 0
    waiver = Waiver.objects.select_related("system", "requested_by").get(pk=waiver_id)
    waiver.save(update_fields=["status"])  # the history records the expiry
    _set_waiver_until(waiver.system_id, None)
    transaction.on_commit(lambda: _notify_expiry(waiver))
    return 1


def _notify_expiry(waiver: Waiver) -> None:
    recipient = waiver.system.owner_email or waiver.requested_by.email
    if not recipient:
        return
    context = {"waiver": waiver, "system": waiver.system}
    send_mail(
        subject=f"Waiver ended: {waiver.system.name} must be removed",
        message=render_to_string("compliance/email/waiver_expired.txt", context),
        from_email=None,
        recipient_list=[recipient],
        html_message=render_to_string("compliance/email/waiver_expired.html", context),
    )


# --- Status reports ---------------------------------------------------------------


def status_report_generate(*, directive: Directive, agency: Agency, number: int) -> StatusReport:
    """The agency's draft for the period, made if missing; a draft's figures are refreshed."""
    period = periods.period(directive.issued_on, directive.status_report_interval_days, number)
    report, _ = StatusReport.objects.get_or_create(
        directive=directive,
        agency=agency,
        period=number,
        defaults={"period_start": period.start, "period_end": period.end},
    )
    if report.state == ReportState.DRAFT:
        status_report_refresh(report)
    return report


def status_report_refresh(report: StatusReport) -> None:
    now = timezone.now()
    summary = selectors.report_summary(report, now)
    StatusReport.objects.filter(pk=report.pk, state=ReportState.DRAFT).update(summary=summary, summary_as_of=now)
    report.summary, report.summary_as_of = summary, now


def status_reports_generate(today: datetime.date) -> int:
    """Drafts for the current period of every directive, for every agency and component."""
    made = 0
    agencies = list(Agency.objects.all())
    for directive in Directive.objects.all():
        number = periods.period_number(directive.issued_on, directive.status_report_interval_days, today)
        for agency in agencies:
            status_report_generate(directive=directive, agency=agency, number=number)
            made += 1
    return made


NARRATIVE_FIELDS = ("challenges", "support_needed", "completion_plan", "expected_completion")


@transaction.atomic
def status_report_update(*, user, report: StatusReport, fields: dict, version: int) -> StatusReport:
    """Saves the narrative of a draft; refuses a signed report and a stale edit."""
    if not can(user, Action.CHANGE, report.agency_id):
        raise PermissionDenied("You may not edit this agency's reports.")
    report = StatusReport.objects.select_for_update().get(pk=report.pk)
    if report.is_signed:
        raise ValidationError("This report is signed and can no longer change.")
    if report.version != version:
        raise ValidationError(STALE_MESSAGE.format(thing="report"))
    for name in NARRATIVE_FIELDS:
        if name in fields:
            setattr(report, name, fields[name])
    report.version += 1
    report._history_user = user
    report.save()
    return report


@transaction.atomic
def status_report_sign(*, user, report: StatusReport, version: int) -> ReportSnapshot:
    """Signs the report as its agency's official and freezes it.

    A department signs only when every component below it has signed ("covers all
    subcomponents"). The snapshot holds the canonical content and its SHA-256.
    """
    report = StatusReport.objects.select_for_update().select_related("agency", "directive").get(pk=report.pk)
    if not selectors.is_official(user, report.agency):
        raise PermissionDenied("Only the agency head or a designee signs this agency's report.")
    if report.is_signed:
        raise ValidationError("This report is already signed.")
    if report.version != version:
        raise ValidationError(STALE_MESSAGE.format(thing="report"))
    unsigned = selectors.unsigned_components(report)
    if unsigned:
        names = ", ".join(agency.abbreviation for agency in unsigned)
        raise ValidationError(f"Every component must sign first; not yet signed: {names}.")
    now = timezone.now()
    summary = selectors.report_summary(report, now)
    frozen = canonical.freeze(
        selectors.report_record(report, summary, now) | {"signed_by": _signer_name(user, report.agency)},
        selectors.report_rows(report),
    )
    snapshot = ReportSnapshot.objects.create(
        report=report,
        agency=report.agency,
        as_of=now,
        signed_by=user,
        signer_name=_signer_name(user, report.agency),
        signer_title=report.agency.attesting_official_title,
        covers_all_subcomponents=report.agency.components.exists(),
        content=frozen.compressed,
        row_count=frozen.rows,
        sha256=frozen.sha256,
    )
    report.state, report.summary, report.summary_as_of = ReportState.SIGNED, summary, now
    report.version += 1
    report._history_user = user
    report.save()
    return snapshot


def _signer_name(user, agency: Agency) -> str:
    return user.get_full_name() or user.get_username()


# --- Calendar feeds ---------------------------------------------------------------


def feed_create(*, user, scope: str, agency: Agency | None = None) -> tuple[CalendarFeed, str]:
    """A new feed and its secret token (shown once; only its hash is kept)."""
    if scope == FeedScope.AGENCY and (agency is None or not can(user, Action.VIEW, agency.pk)):
        raise PermissionDenied("You may not follow this agency.")
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        user=user,
        scope=scope,
        agency=agency if scope == FeedScope.AGENCY else None,
        token_hash=selectors.token_hash(token),
    )
    return feed, token


def feed_revoke(*, user, feed: CalendarFeed) -> None:
    CalendarFeed.objects.filter(pk=feed.pk, user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- Large report workbooks, written by a worker ---------------------------------------

REPORT_XLSX_TASK = "procurement.compliance.tasks.report_xlsx_run"


def report_xlsx_job_create(*, user, report: StatusReport, basename: str) -> ExportJob:
    """Records a report workbook for the worker, reusing core's export jobs and their pages.

    The row names the report in its query; the worker reads the report again as the
    user, so access is applied as it stands when it runs.
    """
    job = ExportJob.objects.create(
        user=user, list_name="compliance:report-list", query=f"report={report.pk}", basename=basename
    )
    transaction.on_commit(
        lambda: current_app.send_task(REPORT_XLSX_TASK, args=[str(job.pk)], queue=settings.EXPORT_CELERY_QUEUE)
    )
    return job


def report_xlsx_run(job_id: str) -> None:
    """Writes the job's workbook; claimed pending → running so one worker writes it once."""
    if not ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now(), done_rows=0
    ):
        return
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    final = export_file_path(job.pk)
    partial = final.with_name(final.name + ".part")
    try:
        report = selectors.report_get(job.user, int(job.query.removeprefix("report=")))
        content = selectors.report_content(report, timezone.now())
        ExportJob.objects.filter(pk=job.pk).update(total_rows=content.summary["total"])
        partial.parent.mkdir(parents=True, exist_ok=True)
        written = report_files.xlsx_write(content, str(partial), on_progress=export_progress(job))
        os.replace(partial, final)
    except Http404:
        partial.unlink(missing_ok=True)
        export_job_fail(job.pk, "You can no longer see this report.")
        return
    except BaseException:
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            status=ExportJob.Status.PENDING, started_at=None, done_rows=0
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, done_rows=written, total_rows=written, finished_at=timezone.now()
    )


# --- Directive versions ---------------------------------------------------------------


def directive_revisions_apply(today: datetime.date) -> int:
    """Refreshes deadlines of directives with a revision taking effect today.

    A revision is recorded when an administrator adds it (inventory's directive_revise);
    one dated in the future takes effect on its date: the daily run recomputes the
    deadlines then, so the next report shows them. Running it twice changes nothing.
    """
    directive_ids = set(DirectiveRevision.objects.filter(effective_on=today).values_list("directive_id", flat=True))
    for directive in Directive.objects.filter(pk__in=directive_ids):
        directive_refresh_deadlines(directive)
    return len(directive_ids)
