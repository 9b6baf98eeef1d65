"""The OpenAPI schema's generator (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``): drf-spectacular's, made to tell the
whole truth about what every endpoint may answer (tests/core/test_api_fuzz.py holds the API to it).

* **Error answers.** drf-spectacular documents the success answer only, unless a view lists more. This adds, where
  the view can give them: 404 on every operation with an object in its path (no such object, or one the reader may
  not see), and on paginated lists (a page past the last); 400 on lists with filters (a filter value that is not
  valid); 403 wherever the view's permissions can refuse the request (sign-in required). Answers a view documents
  itself are kept as they are.
* **Blank values.** DRF drops ``allow_blank`` from the read-only fields a ``ModelSerializer`` builds (and a declared
  read-only field has no reason to set it), so an output serializer's ``license`` (a URL) or ``aggregation`` (a
  choice) would be documented as always a URL, always one of the choices, when the model allows them blank. A
  read-only field whose model field is a blank-able text field is documented as blank-able.
"""

from __future__ import annotations

import copy

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers

NOT_FOUND_OBJECT = "No such object, or none you may read."
NOT_FOUND_PAGE = "No such page (past the last one)."
BAD_FILTER = "A filter's value is not valid; the body names each filter's problem."
FORBIDDEN = "Not signed in, or not allowed."


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        list_view = self.method == "GET" and self._is_list_view()
        not_found = []
        if "{" in self.path:
            not_found.append(NOT_FOUND_OBJECT)
        if list_view and self._get_paginator() is not None:
            not_found.append(NOT_FOUND_PAGE)
        if not_found:
            responses.setdefault("404", {"description": " ".join(not_found)})
        if list_view and self.get_filter_backends():
            responses.setdefault("400", {"description": BAD_FILTER})
        if self._may_refuse():
            responses.setdefault("403", {"description": FORBIDDEN})
        return dict(sorted(responses.items()))

    def _may_refuse(self) -> bool:
        """Whether the view's permission classes can refuse this method (to an anonymous visitor, at least)."""
        for permission in self.view.get_permissions():
            if isinstance(permission, permissions.AllowAny):
                continue
            if (
                isinstance(permission, permissions.IsAuthenticatedOrReadOnly)
                and self.method in permissions.SAFE_METHODS
            ):
                continue
            return True
        return False

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        return super()._map_serializer_field(_as_documented(field), direction, bypass_extensions)

    def _insert_field_validators(self, field, schema):
        # Where drf-spectacular offers "" beside a format (a URL, an email address) for a blank-able field.
        return super()._insert_field_validators(_as_documented(field), schema)


def _as_documented(field: serializers.Field) -> serializers.Field:
    """``field``, or a copy of it that allows blank values when its model field does (see the module)."""
    if field.read_only and not getattr(field, "allow_blank", True) and _model_field_is_blankable(field):
        field = copy.copy(field)
        field.allow_blank = True
    return field


def _model_field_is_blankable(field: serializers.Field) -> bool:
    """Whether ``field`` (of a ModelSerializer) shows a text model field declared ``blank=True``."""
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    if model is None or not isinstance(field, serializers.CharField | serializers.ChoiceField):
        return False
    if not field.source or "." in field.source or field.source == "*":
        return False
    try:
        model_field = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return False
    return model_field.blank and isinstance(model_field, models.CharField | models.TextField)


def write_responses(output, *, created: bool = False, detail: bool = False) -> dict:
    """The documented answers of an API write: ``output`` (200, or 201 when it ``created``), 400 with each field's
    problems, 403, and 404 for an operation on one object (``detail``)."""
    responses = {
        (201 if created else 200): output,
        400: OpenApiResponse(description="Invalid input; the body names each field's problems."),
        403: OpenApiResponse(description="Not signed in, or not allowed to make this change."),
    }
    if detail:
        responses[404] = OpenApiResponse(description="No such object you may read.")
    return responses
