"""The machine-readable public catalogue: ``/data.json`` (DCAT-US v1.1) and each dataset's Table Schema JSON.

Both are open to everyone and cacheable: data.json lists only the datasets whose metadata is public (see
``inventory.services.datajson.CATALOGUED_Q``); any other dataset's schema answers 404.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from ..models import Dataset
from ..services.datajson import CATALOGUED_Q, datajson_stream
from ..services.dictionary import table_schema_for

#: How long browsers and harvesters may keep data.json and schemas before asking again.
CACHE_SECONDS = 300


def _cacheable(response: JsonResponse) -> JsonResponse:
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


@require_safe
def datajson(request: HttpRequest) -> StreamingHttpResponse:
    """The city's DCAT-US v1.1 catalogue, for data.gov and other harvesters: sent as it is read, a thousand datasets
    at a time, so a catalogue of 100,000 starts at once and is never whole in the server's memory."""
    chunks = (piece.encode() for piece in datajson_stream(base_url=request.build_absolute_uri("/")))
    response = StreamingHttpResponse(chunks, content_type="application/json")
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


@require_safe
def dataset_schema(request: HttpRequest, identifier: str) -> JsonResponse:
    """A catalogued dataset's data dictionary as Frictionless Table Schema JSON (404 for any other dataset)."""
    dataset = get_object_or_404(Dataset.objects.filter(CATALOGUED_Q).prefetch_related("fields"), identifier=identifier)
    return _cacheable(JsonResponse(table_schema_for(dataset), json_dumps_params={"ensure_ascii": False}))
