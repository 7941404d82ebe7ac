"""``/api/v1/me/`` and the caller's own API tokens (list and revoke; creating one is on the page,
where the token can be shown once to a person)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework import status as http
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.tokens import ApiToken, token_revoke
from api.reads import READ_ERRORS


class MeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    time_zone = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "email", "role", "language", "time_zone", "organisation", "teams"]


class TokenSerializer(serializers.ModelSerializer):
    token = serializers.SerializerMethodField(help_text=_("The public start of the token; the rest is never shown."))

    class Meta:
        model = ApiToken
        fields = ["id", "name", "token", "created_at", "last_used_at", "expires_at", "revoked_at"]

    def get_token(self, token: ApiToken) -> str:
        return f"hd_{token.prefix}_…"


class MeView(APIView):
    @extend_schema(summary=_("Who you are"), responses={200: MeSerializer, **READ_ERRORS})
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


@extend_schema_view(
    list=extend_schema(summary=_("Your API tokens"), responses={200: TokenSerializer(many=True), **READ_ERRORS}),
    destroy=extend_schema(
        summary=_("Revoke one of your API tokens"),
        responses={204: OpenApiResponse(description=_("Revoked.")), **READ_ERRORS},
    ),
)
class TokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = TokenSerializer
    pagination_class = None
    filter_backends: list = []
    queryset = ApiToken.objects.none()

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user=self.request.user)

    def destroy(self, request: Request, pk: str) -> Response:
        token_revoke(self.get_object(), acting_user=request.user)
        return Response(status=http.HTTP_204_NO_CONTENT)
