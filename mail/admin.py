from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpdesk.errors import ApplicationError
from mail.models import InboundEmail, InboundStatus, Mailbox
from mail.services import release, reprocess


class MailboxForm(forms.ModelForm):
    # Write-only: the stored password is never sent back to the browser.
    imap_password = forms.CharField(
        label=_("IMAP password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted. Leave empty to keep the current password."),
    )
    clear_imap_password = forms.BooleanField(label=_("Remove the stored password"), required=False)

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "address",
            "team",
            "default_category",
            "default_priority",
            "active",
            "transport",
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_user",
            "imap_folder",
            "imap_after_import",
            "imap_move_to",
        ]

    def save(self, commit=True):
        mailbox = super().save(commit=False)
        if self.cleaned_data.get("clear_imap_password"):
            mailbox.set_imap_password("")
        elif self.cleaned_data.get("imap_password"):
            mailbox.set_imap_password(self.cleaned_data["imap_password"])
        if commit:
            mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "address", "team", "transport", "active", "last_polled_at", "has_error"]
    list_filter = ["transport", "active"]
    search_fields = ["name", "address"]
    readonly_fields = ["password_stored", "last_polled_at", "last_error"]
    fieldsets = [
        (None, {"fields": ["name", "address", "team", "default_category", "default_priority", "active", "transport"]}),
        (
            _("IMAP"),
            {
                "fields": [
                    "imap_host",
                    "imap_port",
                    "imap_security",
                    "imap_user",
                    "imap_password",
                    "password_stored",
                    "clear_imap_password",
                    "imap_folder",
                    "imap_after_import",
                    "imap_move_to",
                ]
            },
        ),
        (_("Status"), {"fields": ["last_polled_at", "last_error"]}),
    ]

    @admin.display(description=_("password stored"), boolean=True)
    def password_stored(self, obj: Mailbox) -> bool:
        return bool(obj.imap_password_encrypted)

    @admin.display(description=_("error"), boolean=True)
    def has_error(self, obj: Mailbox) -> bool:
        return bool(obj.last_error)


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "mailbox", "sender", "subject", "status", "ticket"]
    list_filter = ["status", "mailbox"]
    search_fields = ["sender", "subject", "message_id"]
    exclude = ["raw"]
    readonly_fields = [
        "mailbox",
        "message_id",
        "received_at",
        "status",
        "reason",
        "sender",
        "subject",
        "ticket",
        "ticket_message",
        "processed_at",
    ]
    actions = ["release_held", "reprocess_failed", "download_raw"]

    def has_add_permission(self, request) -> bool:
        return False

    def _run(self, request, queryset, status: str, service) -> None:
        done = 0
        for inbound in queryset.filter(status=status).select_related("mailbox"):
            try:
                service(inbound, acting_user=request.user)
            except PermissionDenied:
                self.message_user(request, _("You may not handle this mailbox's messages."), messages.ERROR)
                continue
            except ApplicationError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
                continue
            done += 1
        self.message_user(
            request,
            ngettext("%(count)d message imported.", "%(count)d messages imported.", done) % {"count": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Release: import the held messages"))
    def release_held(self, request, queryset) -> None:
        self._run(request, queryset, InboundStatus.HELD, release)

    @admin.action(description=_("Import the failed messages again"))
    def reprocess_failed(self, request, queryset) -> None:
        self._run(request, queryset, InboundStatus.FAILED, reprocess)

    @admin.action(description=_("Download the original message (.eml)"))
    def download_raw(self, request, queryset):
        inbound = queryset.first()
        if inbound is None:
            return None
        response = HttpResponse(bytes(inbound.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="inbound-{inbound.pk}.eml"'
        return response
