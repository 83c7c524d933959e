"""Milestone pages: the list, one milestone (mark done, move the due date), its evidence file.

Thin: selectors read, services (planner.milestones) write. Another agency's milestone and its
file are a 404 (milestone_selectors.milestone_get).
"""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from planner import milestone_selectors as selectors
from planner import milestones as services
from planner.milestone_forms import MilestoneDoneForm, MilestoneDueForm
from planner.milestone_tables import MilestoneTable
from procurement.core.uploads import UploadRefusal, limit_upload_size
from procurement.core.views import FilteredTableView


class MilestoneListView(FilteredTableView):
    table_class = MilestoneTable
    template_name = "planner/milestones/milestone_list.html"
    title = "Milestones"
    item_name, item_name_plural = "milestone", "milestones"
    export_basename = "milestones"

    def filterset(self, request):
        return selectors.milestone_filter(request.user, request.GET)


def milestone_detail(request, pk: int, done_form=None, due_form=None, status: int = 200, upload_refused: str = ""):
    milestone = selectors.milestone_get(request.user, pk)
    page = selectors.milestone_page(request.user, milestone)
    initial = {"version": milestone.version}
    context = {
        "page": page,
        "milestone": milestone,
        "done_form": done_form or MilestoneDoneForm(initial=initial),
        "due_form": due_form or MilestoneDueForm(initial={**initial, "due_on": milestone.due_on}),
        "upload_refused": upload_refused,
    }
    return render(request, "planner/milestones/milestone_detail.html", context, status=status)


def _refused(request, refusal: UploadRefusal, pk: int):
    return milestone_detail(request, pk, status=413, upload_refused=f"{refusal} Nothing was saved.")


@limit_upload_size(services.evidence_max_bytes, refused=_refused)
@require_POST
def milestone_done(request, pk: int):
    milestone = selectors.milestone_get(request.user, pk)
    if not services.may_work_on(request.user, milestone):
        raise PermissionDenied("Only the owner, an editor or a transition lead of the agency may close this milestone.")
    form = MilestoneDoneForm(request.POST, request.FILES)
    if not form.is_valid():
        return milestone_detail(request, pk, done_form=form, status=400)
    try:
        services.milestone_mark_done(
            user=request.user,
            milestone=milestone,
            version=form.cleaned_data["version"],
            note=form.cleaned_data["evidence_note"],
            evidence=form.cleaned_data["evidence_file"],
        )
    except (services.StaleMilestone, ValidationError) as error:
        form.add_error(None, error.messages[0] if isinstance(error, ValidationError) else str(error))
        return milestone_detail(request, pk, done_form=form, status=409)
    messages.success(request, f"“{milestone}” is done.")
    return redirect(milestone)


@require_POST
def milestone_move(request, pk: int):
    milestone = selectors.milestone_get(request.user, pk)
    if not services.may_work_on(request.user, milestone):
        raise PermissionDenied("Only the owner, an editor or a transition lead of the agency may move this milestone.")
    form = MilestoneDueForm(request.POST)
    if not form.is_valid():
        return milestone_detail(request, pk, due_form=form, status=400)
    try:
        services.milestone_change_due(
            user=request.user,
            milestone=milestone,
            version=form.cleaned_data["version"],
            due_on=form.cleaned_data["due_on"],
            reason=form.cleaned_data["reason"],
        )
    except (services.StaleMilestone, ValidationError) as error:
        form.add_error(None, error.messages[0] if isinstance(error, ValidationError) else str(error))
        return milestone_detail(request, pk, due_form=form, status=409)
    messages.success(request, f"“{milestone}” is now due {form.cleaned_data['due_on']:%Y-%m-%d}.")
    return redirect(milestone)


def milestone_evidence(request, pk: int):
    """The evidence file, always as a download under its uploaded name, never rendered inline."""
    milestone = selectors.milestone_get(request.user, pk)
    if not milestone.evidence_file:
        messages.info(request, "This milestone has no evidence file.")
        return redirect(milestone)
    content_type = mimetypes.guess_type(milestone.evidence_name)[0] or "application/octet-stream"
    response = FileResponse(
        milestone.evidence_file.open("rb"),
        as_attachment=True,
        filename=milestone.evidence_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
