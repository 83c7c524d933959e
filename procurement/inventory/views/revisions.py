"""A directive's scope revision, in the app: start from the current rules, preview the effect, then save.

Administrators only. Saving needs a preview of exactly the rules saved, and an explicit
confirmation when the new rules would leave systems without a removal deadline.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from procurement.inventory import selectors, services
from procurement.inventory.forms import RevisionForm, ScopeRuleForm, ScopeRuleFormSet

WITHOUT_DEADLINE_ERROR = "Some systems would have no removal deadline: tick the box to save anyway."
RULES_CHANGED = "The rules differ from the ones previewed: check this preview, then save."


def directive_revise(request, pk: int):
    if not request.user.is_superuser:
        raise PermissionDenied("Only administrators change a directive's scope.")
    directive = selectors.directive_get(pk)
    if request.method != "POST":
        return _page(request, directive, *_initial_forms(directive))
    form, rules = RevisionForm(request.POST), ScopeRuleFormSet(request.POST, prefix="rules")
    if not (form.is_valid() and rules.is_valid()):
        return _page(request, directive, form, rules)
    specs = _specs(rules)
    preview = selectors.directive_revision_preview(directive, specs)
    if request.POST.get("action") == "save" and _may_save(request, form, specs, preview):
        revision = services.directive_revise(
            directive=directive,
            user=request.user,
            effective_on=form.cleaned_data["effective_on"],
            summary=form.cleaned_data["summary"],
            rules=specs,
        )
        changes = revision.deadline_changes
        messages.success(
            request,
            f"Saved {revision}: {changes.gained} systems gained a deadline, {changes.lost} lost one, "
            f"{changes.moved} moved.",
        )
        return redirect("inventory:directive-dashboard", pk=directive.pk)
    form = _with_previewed(form, specs)
    return _page(request, directive, form, rules, preview)


def _initial_forms(directive) -> tuple[RevisionForm, ScopeRuleFormSet]:
    """A new revision starts from the current rules, every one editable."""
    current = [ScopeRuleForm.initial_for(rule) for rule in selectors.current_scope_rules(directive)]
    return RevisionForm(initial={"effective_on": timezone.localdate()}), ScopeRuleFormSet(
        initial=current, prefix="rules"
    )


def _specs(rules: ScopeRuleFormSet) -> list[services.ScopeRuleSpec]:
    return [
        services.ScopeRuleSpec(**rule.spec_values())
        for rule in rules.forms
        if rule.has_changed() and rule.cleaned_data and not rule.cleaned_data.get("DELETE")
    ]


def _digest(specs: list[services.ScopeRuleSpec]) -> str:
    return hashlib.sha256(repr(sorted(map(repr, specs))).encode()).hexdigest()


def _may_save(request, form: RevisionForm, specs, preview) -> bool:
    if form.cleaned_data["previewed"] != _digest(specs):
        messages.warning(request, RULES_CHANGED)
        return False
    if preview.without_deadline and not form.cleaned_data["confirm_without_deadline"]:
        form.add_error("confirm_without_deadline", WITHOUT_DEADLINE_ERROR)
        return False
    return True


def _with_previewed(form: RevisionForm, specs) -> RevisionForm:
    """The same form, now marked as previewed with these rules (Save is offered next)."""
    data = form.data.copy()
    data["previewed"] = _digest(specs)
    previewed = RevisionForm(data)
    previewed.is_valid()
    for field, errors in form.errors.items():
        for error in errors:
            previewed.add_error(field, error)
    return previewed


def _page(request, directive, form, rules, preview=None):
    context = {
        "directive": directive,
        "form": form,
        "rules": rules,
        "preview": preview,
        "current": directive.current_revision(),
    }
    return render(request, "inventory/directive_revise.html", context)
