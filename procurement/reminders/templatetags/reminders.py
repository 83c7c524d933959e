"""Template helpers of the reminders app: the header's notice count and a milestone's reminders."""

from django import template

from procurement.reminders import selectors

register = template.Library()


@register.inclusion_tag("reminders/_milestone_reminders.html", takes_context=True)
def milestone_reminders(context, milestone):
    """The reminders sent and pending for a milestone, on the planner's milestone page."""
    return {"reminders": selectors.reminders_of_milestone(context["request"].user, milestone.pk)}


@register.inclusion_tag("reminders/_header_link.html", takes_context=True)
def notifications_link(context):
    request = context["request"]
    return {
        "unread": selectors.unread_count(request.user) if request.user.is_authenticated else 0,
        # An inclusion tag's template sees only what it is given: the page it is on, to mark the link.
        "current": getattr(request.resolver_match, "url_name", None) == "notifications",
    }
