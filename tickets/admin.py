from django import forms
from django.contrib import admin

from tickets.models import Category, Vendor
from tickets.sla.models import BusinessCalendar, Holiday, SlaPolicy, WorkingInterval
from tickets.sla.working_hours import working_hours_problems


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "name_zh_hans", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_zh_hans"]


class WorkingHoursFormSet(forms.BaseInlineFormSet):
    """Checks the intervals together, as the services do: overlaps and "at least one interval"."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        intervals = [
            form.instance.as_interval()
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        problems = working_hours_problems(self.instance.is_24x7, intervals)
        if problems:
            raise forms.ValidationError(problems)


class WorkingIntervalInline(admin.TabularInline):
    model = WorkingInterval
    formset = WorkingHoursFormSet
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "name_zh_hans", "time_zone", "is_24x7", "updated_at"]
    list_filter = ["is_24x7"]
    search_fields = ["name", "name_zh_hans"]
    readonly_fields = ["updated_at"]
    inlines = [WorkingIntervalInline, HolidayInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    """Read-only: policies change through /manage/sla-policies/, whose services keep ticket clocks
    and the per-process policy cache in step; a save here would do neither."""

    list_display = [
        "name",
        "name_zh_hans",
        "position",
        "is_active",
        "calendar",
        "first_response_minutes",
        "resolution_minutes",
        "warning_percent",
        "updated_at",
    ]
    list_filter = ["is_active", "calendar"]
    search_fields = ["name", "name_zh_hans"]
    ordering = ["position", "id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    """Vendors are plain reference data (who to call, under which contract): edited here."""

    list_display = ["name", "contact_name", "contact_email", "contact_phone", "contract_reference", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "contact_name", "contract_reference"]
