"""``/api/v1/mail/inbound/``: held and failed e-mails, as the managers' page "Held and failed e-mails".

The list is the page's queue (mail.selectors.review_queue, managers only); one e-mail and its raw
.eml are for whoever may see the original on the page (mail.selectors.may_see_original); release
and reprocess are for its reviewers (mail.selectors.may_review) and call mail.services, as the
page's buttons do.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from api.reads import WorksTickets
from helpdesk.errors import ConflictError
from mail import selectors, services
from mail.models import InboundEmail, InboundStatus

REVIEW_STATUSES = [InboundStatus.HELD.value, InboundStatus.FAILED.value]


class ReviewPagination(PageNumberPagination):
    page_size = selectors.REVIEW_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_field(
    {
        "type": "string",
        "enum": list(InboundStatus.values),
        "description": "received, processed, ignored, held, failed",
    },
    component_name="InboundStatusEnum",
)
class InboundStatusField(serializers.ChoiceField):
    """Its own enum in the schema: tickets and alerts have a "status" with other values."""

    def __init__(self, **kwargs):
        super().__init__(choices=InboundStatus.choices, **kwargs)


class InboundEmailSerializer(serializers.ModelSerializer):
    status = InboundStatusField(read_only=True)
    mailbox_address = serializers.EmailField(source="mailbox.address", read_only=True)
    ticket = serializers.SerializerMethodField(help_text=_("The ticket it went to, by reference."))

    class Meta:
        model = InboundEmail
        fields = [
            "id",
            "mailbox",
            "mailbox_address",
            "message_id",
            "received_at",
            "processed_at",
            "status",
            "reason",
            "sender",
            "subject",
            "ticket",
        ]

    def get_ticket(self, inbound: InboundEmail) -> str | None:
        return inbound.ticket.reference if inbound.ticket_id else None


class HeaderSerializer(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.CharField()


class AttachmentSummarySerializer(serializers.Serializer):
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class InboundEmailDetailSerializer(InboundEmailSerializer):
    headers = HeaderSerializer(many=True, read_only=True, help_text=_("The headers, decoded."))
    text = serializers.CharField(read_only=True, help_text=_("The text of the message."))
    attachments = AttachmentSummarySerializer(many=True, read_only=True)
    problem = serializers.CharField(read_only=True, help_text=_("Why the message could not be read, if it could not."))
    may_review = serializers.BooleanField(read_only=True, help_text=_("Whether you may release or reprocess it."))

    class Meta(InboundEmailSerializer.Meta):
        fields = [*InboundEmailSerializer.Meta.fields, "headers", "text", "attachments", "problem", "may_review"]

    def to_representation(self, inbound: InboundEmail) -> dict:
        data = super().to_representation(inbound)
        original = selectors.original_email(inbound)
        data["headers"] = [{"name": name, "value": value} for name, value in original.headers]
        data["text"] = original.text
        data["attachments"] = AttachmentSummarySerializer(original.attachments, many=True).data
        data["problem"] = original.problem
        data["may_review"] = selectors.may_review(self.context["request"].user, inbound)
        return data


def _original(request: Request, pk: str) -> InboundEmail:
    """The e-mail if the caller may see it as the page shows it; otherwise a 404, as the page."""
    inbound = get_object_or_404(InboundEmail.objects.select_related("mailbox", "ticket"), pk=pk)
    if not selectors.may_see_original(request.user, inbound):
        raise exceptions.NotFound
    return inbound


STATUS_FILTER = OpenApiParameter(
    "status", OpenApiTypes.STR, enum=REVIEW_STATUSES, description=_("Only held or only failed e-mails.")
)


class InboundEmailViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, WorksTickets]
    pagination_class = ReviewPagination
    filter_backends: list = []
    serializer_class = InboundEmailSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return selectors.review_queue(self.request.user).select_related("ticket")

    @extend_schema(summary=_("Held and failed e-mails of your teams (managers)"), parameters=[STATUS_FILTER])
    def list(self, request: Request) -> Response:
        # The page is the managers': agents may see single e-mails of their tickets, not the queue.
        if not request.user.has_role(Role.MANAGER):
            raise exceptions.PermissionDenied
        rows = self.get_queryset()
        status = request.query_params.get("status")
        if status is not None:
            if status not in REVIEW_STATUSES:
                raise exceptions.ValidationError({"status": [_("Choose held or failed.")]})
            rows = rows.filter(status=status)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(InboundEmailSerializer(page, many=True).data)

    @extend_schema(
        summary=_("One e-mail as it arrived: headers, sender, subject, reason, status, ticket"),
        responses={200: InboundEmailDetailSerializer},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        inbound = _original(request, pk)
        return Response(InboundEmailDetailSerializer(inbound, context={"request": request}).data)

    def _reviewable(self, request: Request, pk: str) -> InboundEmail:
        inbound = get_object_or_404(InboundEmail.objects.select_related("mailbox"), pk=pk)
        if not selectors.may_review(request.user, inbound):
            raise exceptions.PermissionDenied
        return inbound

    def _result(self, request: Request, inbound: InboundEmail) -> Response:
        inbound = InboundEmail.objects.select_related("mailbox", "ticket").get(pk=inbound.pk)
        return Response(InboundEmailDetailSerializer(inbound, context={"request": request}).data)

    @extend_schema(
        summary=_("Import a held e-mail after all (its reviewers)"),
        request=None,
        responses={200: InboundEmailDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str) -> Response:
        inbound = self._reviewable(request, pk)
        if inbound.status != InboundStatus.HELD:
            raise ConflictError(_("Only a held e-mail can be released."), extra={"status": inbound.status})
        return self._result(request, services.release(inbound, acting_user=request.user))

    @extend_schema(
        summary=_("Import a failed e-mail again (its reviewers)"),
        request=None,
        responses={200: InboundEmailDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def reprocess(self, request: Request, pk: str) -> Response:
        inbound = self._reviewable(request, pk)
        if inbound.status != InboundStatus.FAILED:
            raise ConflictError(_("Only a failed e-mail can be processed again."), extra={"status": inbound.status})
        return self._result(request, services.reprocess(inbound, acting_user=request.user))


class InboundEmailRawView(APIView):
    """The bytes exactly as received, as the page's download."""

    permission_classes = [IsAuthenticated, WorksTickets]

    @extend_schema(
        operation_id="mail_inbound_raw",
        summary=_("The e-mail as received (.eml)"),
        responses={(200, "message/rfc822"): OpenApiResponse(OpenApiTypes.BINARY, description=_("The raw message."))},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        inbound = _original(request, str(pk))
        response = HttpResponse(bytes(inbound.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="email-{inbound.pk}.eml"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
