"""Planning set-up pages: an agency's teams, calendar and work templates; a system's own estimates.

Thin: setup_selectors read (another agency's set-up is a 404), setup_services write (only the
transition lead or an administrator; anyone else who may see the agency gets a 403).
A refused form is shown again with its messages (400); a form that showed an older version
is shown again with what changed meanwhile (409), the user's values kept and its version
moved on, so saving again applies them knowingly.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from planner import setup_selectors as selectors
from planner import setup_services as services
from planner.setup_filters import SetupAgencyFilter
from planner.setup_forms import CapacityChangeForm, FreezeWindowForm, SystemEstimatesForm, TeamForm, WorkTemplateForm
from planner.setup_tables import SetupAgencyTable
from procurement.core.views import FilteredTableView
from procurement.inventory.enums import DependencyKind
from procurement.inventory.services import EditConflict


class SetupAgencyListView(FilteredTableView):
    table_class = SetupAgencyTable
    title = "Planning set-up"
    item_name, item_name_plural = "agency", "agencies"
    export_basename = "planning-set-up"

    def filterset(self, request) -> SetupAgencyFilter:
        return selectors.setup_agency_filter(request.user, request.GET)


def _require_lead(request, agency_id: int) -> None:
    """A viewer's post is refused before its form is read: no field errors for what they may not do."""
    services.require_lead(request.user, agency_id)


def _setup_url(agency_id: int, section: str = "") -> str:
    return reverse("planner:setup", args=[agency_id]) + (f"#{section}" if section else "")


def setup_detail(request, pk: int, bound: dict | None = None, conflict: EditConflict | None = None, status: int = 200):
    """The set-up page; `bound` holds a refused form by its key, shown in place of a blank one."""
    agency = selectors.setup_agency_get(request.user, pk)
    page = selectors.setup_page(request.user, agency)
    bound = bound or {}
    context = {"page": page, "agency": agency, "conflict": conflict}
    if page.may_edit:
        context |= _forms(page, bound)
    return render(request, "planner/setup_detail.html", context, status=status)


def _forms(page: selectors.SetupPage, bound: dict) -> dict:
    teams = []
    for row in page.teams:
        team = row.team
        initial = {"name": team.name, "kind": team.kind, "head_count": team.head_count, "version": team.version}
        edit = bound.get(f"team-{team.pk}") or TeamForm(initial=initial, prefix=f"team-{team.pk}")
        change = bound.get(f"change-{team.pk}") or CapacityChangeForm(prefix=f"change-{team.pk}")
        teams.append((row, edit, change))
    templates = [
        (template, bound.get(f"template-{template.kind}") or _template_form(template)) for template in page.templates
    ]
    return {
        "team_forms": teams,
        "new_team_form": bound.get("new-team") or TeamForm(prefix="new-team"),
        "freeze_form": bound.get("freeze") or FreezeWindowForm(prefix="freeze"),
        "template_forms": templates,
    }


def _template_form(template, data=None) -> WorkTemplateForm | None:
    """Only the agency's own rows are edited; an inherited template is copied first."""
    return WorkTemplateForm(data, template=template, prefix=f"template-{template.kind}") if template.is_own else None


def _refused(request, agency_id: int, key: str, form, error: ValidationError):
    """Puts a service's refusal on the form: on the field it names, else on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
    return setup_detail(request, agency_id, bound={key: form}, status=400)


# --- Teams ---------------------------------------------------------------------------------


@require_POST
def team_add(request, pk: int):
    agency = selectors.setup_agency_get(request.user, pk)
    _require_lead(request, agency.pk)
    form = TeamForm(request.POST, prefix="new-team")
    if not form.is_valid():
        return setup_detail(request, pk, bound={"new-team": form}, status=400)
    data = form.cleaned_data
    try:
        team = services.team_create(
            user=request.user, agency=agency, kind=data["kind"], name=data["name"], head_count=data["head_count"]
        )
    except ValidationError as error:
        return _refused(request, pk, "new-team", form, error)
    messages.success(request, f"Added the team {team.name} ({team.head_count} people).")
    return redirect(_setup_url(pk, "teams"))


@require_POST
def team_edit(request, pk: int):
    team = selectors.team_get(request.user, pk)
    _require_lead(request, team.agency_id)
    key = f"team-{team.pk}"
    form = TeamForm(request.POST, prefix=key)
    if not form.is_valid():
        return setup_detail(request, team.agency_id, bound={key: form}, status=400)
    data = form.cleaned_data
    try:
        team = services.team_update(
            user=request.user,
            team=team,
            expected_version=data["version"],
            name=data["name"],
            kind=data["kind"],
            head_count=data["head_count"],
        )
    except ValidationError as error:
        return _refused(request, team.agency_id, key, form, error)
    except EditConflict as conflict:
        team.refresh_from_db()
        again = TeamForm(_with_versions(request.POST, {f"{key}-version": team.version}), prefix=key)
        again.is_valid()
        return setup_detail(request, team.agency_id, bound={key: again}, conflict=conflict, status=409)
    messages.success(request, f"Saved the team {team.name} ({team.head_count} people).")
    return redirect(_setup_url(team.agency_id, f"team-{team.pk}"))


@require_POST
def team_delete(request, pk: int):
    team = selectors.team_get(request.user, pk)
    _require_lead(request, team.agency_id)
    try:
        services.team_delete(user=request.user, team=team)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(_setup_url(team.agency_id, f"team-{team.pk}"))
    messages.success(request, f"Deleted the team {team.name}. The history below keeps it.")
    return redirect(_setup_url(team.agency_id, "teams"))


def _with_versions(posted: QueryDict, versions: dict[str, int]) -> QueryDict:
    """The user's posted values with the versions stored now: saving again applies them knowingly."""
    data = posted.copy()
    for name, version in versions.items():
        data[name] = "" if version is None else str(version)
    return data


@require_POST
def capacity_change_add(request, pk: int):
    team = selectors.team_get(request.user, pk)
    _require_lead(request, team.agency_id)
    key = f"change-{team.pk}"
    form = CapacityChangeForm(request.POST, prefix=key)
    if not form.is_valid():
        return setup_detail(request, team.agency_id, bound={key: form}, status=400)
    data = form.cleaned_data
    try:
        services.team_capacity_change_add(
            user=request.user, team=team, starts_on=data["starts_on"], head_count=data["head_count"], note=data["note"]
        )
    except ValidationError as error:
        return _refused(request, team.agency_id, key, form, error)
    messages.success(request, f"{team.name} has {data['head_count']} people from {data['starts_on']:%Y-%m-%d}.")
    return redirect(_setup_url(team.agency_id, f"team-{team.pk}"))


@require_POST
def capacity_change_remove(request, pk: int):
    change = selectors.capacity_change_get(request.user, pk)
    services.team_capacity_change_remove(user=request.user, change=change)
    messages.success(request, f"Removed the change of {change.team.name} on {change.starts_on:%Y-%m-%d}.")
    return redirect(_setup_url(change.team.agency_id, f"team-{change.team_id}"))


# --- Calendar ------------------------------------------------------------------------------


@require_POST
def freeze_add(request, pk: int):
    agency = selectors.setup_agency_get(request.user, pk)
    _require_lead(request, agency.pk)
    form = FreezeWindowForm(request.POST, prefix="freeze")
    if not form.is_valid():
        return setup_detail(request, pk, bound={"freeze": form}, status=400)
    data = form.cleaned_data
    try:
        window = services.freeze_window_add(
            user=request.user,
            agency=agency,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data["reason"],
        )
    except ValidationError as error:
        return _refused(request, pk, "freeze", form, error)
    messages.success(request, f"Added the freeze {window}.")
    return redirect(_setup_url(pk, "calendar"))


@require_POST
def freeze_remove(request, pk: int):
    window = selectors.freeze_window_get(request.user, pk)
    agency_id = window.calendar.agency_id
    services.freeze_window_remove(user=request.user, window=window)
    messages.success(request, f"Removed the freeze {window}.")
    return redirect(_setup_url(agency_id, "calendar"))


# --- Work templates ------------------------------------------------------------------------


def _kind(kind: str) -> str:
    if kind not in DependencyKind.values:
        raise Http404("No such dependency kind.")
    return kind


@require_POST
def template_override(request, pk: int, kind: str):
    agency = selectors.setup_agency_get(request.user, pk)
    copied = services.work_template_override(user=request.user, agency=agency, kind=_kind(kind))
    label = DependencyKind(kind).label
    messages.success(
        request, f"{agency.abbreviation} now has its own template for {label} ({len(copied)} steps copied)."
    )
    return redirect(_setup_url(pk, f"template-{kind}"))


@require_POST
def template_save(request, pk: int, kind: str):
    agency = selectors.setup_agency_get(request.user, pk)
    _require_lead(request, agency.pk)
    template = selectors.effective_template(agency, _kind(kind))
    if not template.is_own:
        messages.info(request, "This template is not the agency's own yet: copy it first.")
        return redirect(_setup_url(pk, f"template-{kind}"))
    key = f"template-{kind}"
    form = _template_form(template, request.POST)
    if not form.is_valid():
        return setup_detail(request, pk, bound={key: form}, status=400)
    try:
        changed = services.work_template_save(user=request.user, agency=agency, kind=kind, edits=form.edits())
    except ValidationError as error:
        return _refused(request, pk, key, form, error)
    except EditConflict as conflict:
        template = selectors.effective_template(agency, kind)
        versions = {f"{key}-{row.step}-version": row.version for row in template.steps}
        again = _template_form(template, _with_versions(request.POST, versions))
        again.is_valid()
        return setup_detail(request, pk, bound={key: again}, conflict=conflict, status=409)
    messages.success(request, f"Saved the template for {template.label}: {changed} step(s) changed.")
    return redirect(_setup_url(pk, key))


@require_POST
def template_reset(request, pk: int, kind: str):
    agency = selectors.setup_agency_get(request.user, pk)
    removed = services.work_template_reset(user=request.user, agency=agency, kind=_kind(kind))
    label = DependencyKind(kind).label
    messages.success(request, f"{label}: back to the inherited template ({removed} own steps removed).")
    return redirect(_setup_url(pk, f"template-{kind}"))


# --- A system's own estimates ----------------------------------------------------------------


def system_estimates(request, pk: int):
    system = selectors.system_get(request.user, pk)
    page = selectors.system_estimates_page(request.user, system)
    if request.method != "POST":
        form = SystemEstimatesForm(rows=page.rows, prefix="estimates") if page.may_edit else None
        return _estimates_page(request, page, form)
    _require_lead(request, system.agency_id)
    form = SystemEstimatesForm(request.POST, rows=page.rows, prefix="estimates")
    if not form.is_valid():
        return _estimates_page(request, page, form, status=400)
    try:
        changed = services.system_estimates_save(
            user=request.user, system=system, edits=form.edits(), reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _estimates_page(request, page, form, status=400)
    except EditConflict as conflict:
        page = selectors.system_estimates_page(request.user, system)
        versions = {f"estimates-{row.step}-version": row.version for row in page.rows}
        again = SystemEstimatesForm(_with_versions(request.POST, versions), rows=page.rows, prefix="estimates")
        again.is_valid()
        return _estimates_page(request, page, again, conflict=conflict, status=409)
    messages.success(request, f"Saved the estimates of {system.fisma_id}: {changed} step(s) changed.")
    return redirect(reverse("planner:system-estimates", args=[system.pk]))


def _estimates_page(request, page, form, conflict=None, status: int = 200):
    context = {"page": page, "system": page.system, "form": form, "conflict": conflict}
    return render(request, "planner/setup_estimates.html", context, status=status)
