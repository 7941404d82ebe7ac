"""``/api/v1/alerts/``: monitoring systems post alerts here with their source token."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.authentication import AlertSourceAuthentication, IsAlertSource
from monitoring.serializers import AlertmanagerSerializer, IntakeResultSerializer, PlainAlertSerializer
from monitoring.services import alerts_receive
from tickets.serializers import ErrorSerializer

MAX_BODY_BYTES = 256 * 1024

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description=_("Not JSON, or not a valid alert; nothing was recorded.")),
    401: OpenApiResponse(ErrorSerializer, description=_("Missing, unknown or inactive source token.")),
    413: OpenApiResponse(ErrorSerializer, description=_("The body is larger than 256 KB.")),
}


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The body is larger than 256 KB.")
    default_code = "payload_too_large"


class AlertIntakeView(APIView):
    authentication_classes = [AlertSourceAuthentication]
    permission_classes = [IsAlertSource]
    parser_classes = [JSONParser]
    serializer_class: type = PlainAlertSerializer

    def post(self, request: Request) -> Response:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if (length.isdigit() and int(length) > MAX_BODY_BYTES) or len(request.body) > MAX_BODY_BYTES:
            raise PayloadTooLarge
        serializer = self.serializer_class(data=request.data, context={"source": request.auth})
        serializer.is_valid(raise_exception=True)
        outcomes = alerts_receive(request.auth, serializer.incoming())
        return Response(IntakeResultSerializer({"alerts": outcomes}).data)


class PlainAlertView(AlertIntakeView):
    @extend_schema(
        summary=_("Post an alert"),
        request=PlainAlertSerializer,
        responses={200: IntakeResultSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class AlertmanagerView(AlertIntakeView):
    serializer_class = AlertmanagerSerializer

    @extend_schema(
        summary=_("Post a Prometheus Alertmanager webhook"),
        request=AlertmanagerSerializer,
        responses={200: IntakeResultSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)
