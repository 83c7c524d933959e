"""Django admin for reference data: agencies, people, vendors, products, directives."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from procurement.models import (
    Agency,
    Directive,
    DirectiveRevision,
    Membership,
    Product,
    ScopeRule,
    User,
    Vendor,
)
from procurement.services import directive_refresh_deadlines


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["agency"]


@admin.register(User)
class PhaseoutUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Phaseout", {"fields": ("is_oversight",)}),)
    list_display = ("username", "email", "first_name", "last_name", "is_oversight", "is_staff")
    list_filter = UserAdmin.list_filter + ("is_oversight",)
    inlines = [MembershipInline]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "abbreviation", "parent", "agency_type")
    list_filter = ("agency_type",)
    search_fields = ("name", "abbreviation")
    autocomplete_fields = ["parent"]


class ProductInline(admin.TabularInline):
    model = Product
    extra = 1


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ("name", "uei", "cage_code")
    search_fields = ("name",)
    inlines = [ProductInline]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "vendor")
    search_fields = ("name", "vendor__name")


class DirectiveRevisionInline(admin.TabularInline):
    """Revisions are read-only here: a scope change goes through `directive_revise`."""

    model = DirectiveRevision
    extra = 0
    fields = ("number", "effective_on", "summary", "created_by", "created_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Directive)
class DirectiveAdmin(SimpleHistoryAdmin):
    list_display = ("short_name", "title", "issuing_authority", "issued_on")
    search_fields = ("title", "short_name")
    filter_horizontal = ("covered_products",)
    inlines = [DirectiveRevisionInline]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # The issue date moves every deadline under the directive.
        directive_refresh_deadlines(form.instance)


class ScopeRuleInline(admin.TabularInline):
    model = ScopeRule
    extra = 0


@admin.register(DirectiveRevision)
class DirectiveRevisionAdmin(admin.ModelAdmin):
    list_display = ("directive", "number", "effective_on", "summary")
    readonly_fields = ("directive", "number", "effective_on", "summary", "created_by")
    inlines = [ScopeRuleInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
