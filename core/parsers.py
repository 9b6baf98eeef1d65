"""The API's request parsers (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``)."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .safejson import MAX_DEPTH, UnsafeJSON, check


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, answering 400 (not 500) for JSON nested too deep or holding a lone surrogate or a NUL."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            document = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(
                f"JSON parse error - the JSON is nested more than {MAX_DEPTH} levels deep, far deeper than any "
                "record needs."
            ) from exc
        try:
            check(document)
        except UnsafeJSON as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        return document
