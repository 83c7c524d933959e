"""Template helpers of the reminders app: the header's notice count and a milestone's reminders."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from procurement.core.addresses import fixed_address
from procurement.core.templatetags.navigation import Page, primary_item
from procurement.reminders import selectors

UNREAD_LABEL = (
    'Notifications <span class="usa-tag phaseout-notice-count">{}<span class="usa-sr-only"> unread</span></span>'
)

register = template.Library()


@register.inclusion_tag("reminders/_milestone_reminders.html", takes_context=True)
def milestone_reminders(context, milestone):
    """The reminders sent and pending for a milestone, on the planner's milestone page."""
    return {"reminders": selectors.reminders_of_milestone(context["request"].user, milestone.pk)}


@register.simple_tag(takes_context=True)
def notifications_link(context) -> SafeString:
    """The header's link to one's notices, with how many are unread: a link of core's navigation, on every page."""
    request = context["request"]
    unread = selectors.unread_count(request.user) if request.user.is_authenticated else 0
    label = format_html(UNREAD_LABEL, unread) if unread else "Notifications"
    current = Page.of(request).url_name == "notifications"
    return primary_item(fixed_address("reminders:notifications"), label, current=current)
