"""Template helpers of the directive dashboard."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from procurement.core.addresses import address_for_each
from procurement.inventory.selectors import AgencyBreakdown, AgencyTally

register = template.Library()

ROW = (
    '<tr{}>\n  <th scope="row">{}<a href="{}">{}</a></th>\n'
    '  <td class="text-right">{}</td>\n'
    '  <td class="text-right">{} %</td>\n'
    '  <td class="text-right{}">{}</td>\n'
    '  <td class="text-right">{}</td>\n</tr>\n'
)
COMPONENT_ROW_CLASS = mark_safe(' class="phaseout-component-row"')
COMPONENT_LABEL = mark_safe('<span class="usa-sr-only">Component: </span>')


@register.simple_tag
def agency_breakdown_rows(breakdown: AgencyBreakdown, directive_pk: int, system_list_url: str) -> SafeString:
    """Each department's row followed by its components' rows.

    Written here rather than by a template included per row: with every department
    and component of a directive, the includes were a fifth of the dashboard's time.
    """
    rows = []
    for department in breakdown.departments:
        rows.append((department, False))
        rows.extend((component, True) for component in department.components)
    address = f"{system_list_url}?directive={directive_pk}&agency="
    return format_html_join("", "{}", ((_row(tally, is_component, address),) for tally, is_component in rows))


def _row(tally: AgencyTally, is_component: bool, address: str) -> SafeString:
    agency_address = f"{address}{tally.agency.pk}"
    if tally.overdue:
        overdue = format_html('<a href="{}&amp;overdue=true">{}</a>', agency_address, intcomma(tally.overdue))
    else:
        overdue = "0"
    return format_html(
        ROW,
        COMPONENT_ROW_CLASS if is_component else "",
        COMPONENT_LABEL if is_component else "",
        agency_address,
        tally.agency.name,
        intcomma(tally.systems),
        tally.done_percent,
        " phaseout-overdue" if tally.overdue else "",
        overdue,
        intcomma(tally.at_risk),
    )


OVERDUE_ROW = '<tr><th scope="row"><a href="{}">{}</a></th><td>{}</td><td>{}</td><td>{}</td></tr>'


@register.simple_tag
def overdue_system_rows(systems) -> SafeString:
    """The longest-overdue systems' rows: each system's link, agency, deadline and status.

    Written here rather than by a template loop: 25 rows of five lookups each, and an
    address reversed per row, were a sixth of the dashboard's time.
    """
    address = address_for_each("inventory:system-detail")
    return format_html_join(
        "",
        OVERDUE_ROW,
        (
            (
                address(system.pk),
                system.name,
                system.agency.abbreviation,
                system.removal_deadline.isoformat() if system.removal_deadline else "",
                system.get_status_display(),
            )
            for system in systems
        ),
    )
