from django.contrib import admin

from procurement.discovery.models import Candidate, ColumnMapping, MatchTerm


@admin.register(MatchTerm)
class MatchTermAdmin(admin.ModelAdmin):
    list_display = ("text", "kind", "vendor", "product")
    list_filter = ("vendor", "kind")
    search_fields = ("text",)


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "preset", "updated_at")
    list_filter = ("agency",)


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ("title", "agency", "source_kind", "matched_text", "proposed_kind", "status", "decided_by")
    list_filter = ("status", "source_kind", "proposed_kind")
    search_fields = ("title", "excerpt")
    readonly_fields = [field.name for field in Candidate._meta.fields]
