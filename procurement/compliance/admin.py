"""Django admin for the compliance reference data: policies and agency officials."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from procurement.compliance.models import AgencyOfficial, DirectivePolicy


@admin.register(DirectivePolicy)
class DirectivePolicyAdmin(SimpleHistoryAdmin):
    list_display = ("directive", "report_layout", "begin_removal_offset_days")


@admin.register(AgencyOfficial)
class AgencyOfficialAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "kind", "designated_on")
    list_filter = ("kind",)
    autocomplete_fields = ["agency"]
    search_fields = ("user__username", "agency__name")
