from django.contrib import admin

from tickets.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
