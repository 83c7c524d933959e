"""The dashboard's "my milestones" panel, rendered from the selector for the signed-in user."""

from django import template

from planner.milestone_selectors import my_milestones

register = template.Library()


@register.inclusion_tag("planner/milestones/my_milestones_panel.html", takes_context=True)
def my_milestones_panel(context) -> dict:
    return {"mine": my_milestones(context["request"].user)}
