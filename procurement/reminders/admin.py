from django.contrib import admin

from procurement.reminders.models import AgencyTimeZone, BeatLease, Digest, Reminder, ReminderPolicy, ReminderPreference


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = ["directive", "offsets", "overdue_repeat_days", "lead_escalation_after_days", "oversight_email"]


@admin.register(AgencyTimeZone)
class AgencyTimeZoneAdmin(admin.ModelAdmin):
    list_display = ["agency", "time_zone"]


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "digest_hour", "digest_opt_out"]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["pk", "recipient_email", "status", "was_in_doubt", "attempts", "swept_at", "last_error"]
    list_filter = ["status", "was_in_doubt"]
    readonly_fields = [field.name for field in Digest._meta.fields]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["pk", "milestone", "recipient_key", "kind", "due_on", "notice_on", "status"]
    list_filter = ["kind", "status"]
    readonly_fields = [field.name for field in Reminder._meta.fields]


admin.site.register(BeatLease)
