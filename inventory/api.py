"""The datasets API: list and read (anyone, each seeing what ``inventory.access`` lets them read: anonymous
visitors only published public datasets), create and update (the same people as the web forms, by the same rules:
the services enforce them).

* Stat lead and analysts create and change any dataset;
* a department contact creates and changes their own department's datasets, and may not move one to another
  department;
* everyone else gets 403 (anonymous visitors too), or 404 for a dataset they may not even read.

Writes parse their input with :class:`~inventory.serializers.DatasetInputSerializer` and call
:func:`~inventory.services.datasets.dataset_create` / :func:`~inventory.services.datasets.dataset_update`; a
service's ValidationError comes back as a 400 naming the fields, its ``PermissionDenied`` as a 403.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from team.access import actor_for

from . import selectors
from .access import get_dataset_for_user
from .filters import DatasetFilter
from .models import Dataset
from .serializers import DatasetInputSerializer, DatasetListOutputSerializer, DatasetOutputSerializer
from .services.datasets import dataset_create, dataset_update


class DatasetPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _as_drf_error(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's ValidationError as a DRF one: field messages under the field's name, the rest under
    ``non_field_errors``."""
    if hasattr(error, "error_dict"):
        detail = {
            ("non_field_errors" if name == "__all__" else name): messages
            for name, messages in error.message_dict.items()
        }
    else:
        detail = {"non_field_errors": error.messages}
    return serializers.ValidationError(detail)


_WRITE_RESPONSES = {
    400: OpenApiResponse(description="Invalid input; the body names each field's problems."),
    403: OpenApiResponse(description="Not signed in, or not allowed to write this department's datasets."),
}


@extend_schema_view(
    list=extend_schema(
        summary="List datasets",
        description="The inventory's datasets you may read (anonymous visitors: published public datasets only), "
        "filtered, searched and sorted. Each row links (`url`) to the dataset in full, with its distributions "
        "and data dictionary.",
        responses=DatasetListOutputSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One dataset, by identifier"),
    create=extend_schema(
        summary="Create a dataset",
        description="Stat lead and analysts: in any department; a department contact: in their own department.",
        request=DatasetInputSerializer,
        responses={201: DatasetOutputSerializer, **_WRITE_RESPONSES},
    ),
    update=extend_schema(
        summary="Replace a dataset's metadata",
        description="Same people as create; a department contact may not move a dataset to another department.",
        request=DatasetInputSerializer,
        responses={
            200: DatasetOutputSerializer,
            **_WRITE_RESPONSES,
            404: OpenApiResponse(description="No such dataset you may read."),
        },
    ),
    partial_update=extend_schema(
        summary="Change some of a dataset's metadata",
        description="Only the fields sent change. Same permissions as a full update.",
        request=DatasetInputSerializer,
        responses={
            200: DatasetOutputSerializer,
            **_WRITE_RESPONSES,
            404: OpenApiResponse(description="No such dataset you may read."),
        },
    ),
)
class DatasetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    serializer_class = DatasetOutputSerializer
    filterset_class = DatasetFilter
    pagination_class = DatasetPagination
    lookup_field = "identifier"
    # Harvested DCAT-US identifiers may be URLs, slashes and all.
    lookup_value_regex = ".+"

    def get_queryset(self) -> QuerySet[Dataset]:
        actor = actor_for(self.request.user)
        return selectors.datasets_for_api_list(actor) if self.action == "list" else selectors.datasets_for_api(actor)

    def get_serializer_class(self):
        return DatasetListOutputSerializer if self.action == "list" else DatasetOutputSerializer

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        selectors.with_tag_names(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _output(self, dataset: Dataset, *, code: int) -> Response:
        fresh = self.get_queryset().get(pk=dataset.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request: Request) -> Response:
        incoming = DatasetInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            dataset = dataset_create(by=request.user, **incoming.validated_data)
        except DjangoValidationError as error:
            raise _as_drf_error(error) from error
        return self._output(dataset, code=status.HTTP_201_CREATED)

    def update(self, request: Request, identifier: str, *, partial: bool = False) -> Response:
        dataset = get_dataset_for_user(request.user, identifier=identifier, write=True)
        incoming = DatasetInputSerializer(dataset, data=request.data, partial=partial)
        incoming.is_valid(raise_exception=True)
        try:
            dataset = dataset_update(dataset=dataset, by=request.user, **incoming.validated_data)
        except DjangoValidationError as error:
            raise _as_drf_error(error) from error
        return self._output(dataset, code=status.HTTP_200_OK)

    def partial_update(self, request: Request, identifier: str) -> Response:
        return self.update(request, identifier, partial=True)
