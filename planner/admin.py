"""Django admin for planning reference data: work templates, teams, calendars."""

from django.contrib import admin

from planner.models import FreezeWindow, SystemEstimate, Team, TeamCapacityChange, WorkCalendar, WorkTemplateStep


@admin.register(WorkTemplateStep)
class WorkTemplateStepAdmin(admin.ModelAdmin):
    list_display = ("dependency_kind", "step", "agency", "effort_days", "team_kind", "head_count", "scales")
    list_filter = ("dependency_kind", "step", "team_kind")


class TeamCapacityChangeInline(admin.TabularInline):
    model = TeamCapacityChange
    extra = 1


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "kind", "head_count")
    list_filter = ("kind",)
    inlines = [TeamCapacityChangeInline]


class FreezeWindowInline(admin.TabularInline):
    model = FreezeWindow
    extra = 1


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "agency")
    inlines = [FreezeWindowInline]


@admin.register(SystemEstimate)
class SystemEstimateAdmin(admin.ModelAdmin):
    list_display = ("system", "step", "effort_days", "reason")
    raw_id_fields = ("system",)
