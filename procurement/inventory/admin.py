"""Django admin for reference data: agencies, people, vendors, products, directives."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from procurement.inventory.models import (
    Agency,
    Directive,
    DirectiveRevision,
    Membership,
    Product,
    ScopeRule,
    User,
    Vendor,
)
from procurement.inventory.services import ScopeRuleSpec, agency_save, directive_refresh_deadlines, directive_revise


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

    def save_model(self, request, obj, form, change) -> None:
        # Through the service: a new agency type moves the agency's deadlines, in history.
        agency_save(user=request.user, agency=obj)


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
        directive_refresh_deadlines(form.instance, user=request.user, reason=f"issue date of {form.instance}")


class ScopeRuleInline(admin.TabularInline):
    model = ScopeRule
    extra = 3
    fields = ("description", "agency_type", "dependency_kind", "national_security_system", "removal_offset_days")


@admin.register(DirectiveRevision)
class DirectiveRevisionAdmin(admin.ModelAdmin):
    """Adding a revision records a scope change; a recorded revision is never edited.

    The add form goes through `services.directive_revise`, which numbers the
    revision and moves every affected deadline.
    """

    list_display = ("directive", "number", "effective_on", "summary", "created_by")
    list_filter = ("directive",)
    inlines = [ScopeRuleInline]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("directive", "effective_on", "summary")
        return ("directive", "number", "effective_on", "summary", "created_by", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        """Saved together with its rules in save_related, through the service."""

    def save_related(self, request, form, formsets, change) -> None:
        rules = [
            ScopeRuleSpec(**{name: rule[name] for name in ScopeRuleInline.fields})
            for formset in formsets
            for rule in formset.cleaned_data
            if rule and not rule.get("DELETE")
        ]
        revision = directive_revise(
            directive=form.cleaned_data["directive"],
            user=request.user,
            effective_on=form.cleaned_data["effective_on"],
            summary=form.cleaned_data["summary"],
            rules=rules,
        )
        form.instance.pk, form.instance.number = revision.pk, revision.number

    def construct_change_message(self, request, form, formsets, add=False):
        # The inline formsets were never saved themselves (the service saved the rules).
        return [{"added": {}}]
