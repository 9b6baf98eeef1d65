"""The inventory and DCAT-US v1.1 ``data.json``: :mod:`.catalogue` publishes the inventory as a catalogue,
:mod:`.harvest` brings a catalogue into the inventory, reading it a record at a time (:mod:`.reading`) and each
record as dataset values (:mod:`.records`). The names callers use are re-exported here."""

from core.fetch import FETCH_MAX_BYTES, FetchError, fetch_url

from .catalogue import (
    CATALOGUED_Q,
    CONFORMS_TO,
    DCAT_US_SCHEMA_DIR,
    catalogue_rows,
    catalogued_datasets,
    datajson_catalog,
    datajson_entry,
    datajson_stream,
    distribution_entry,
    media_type,
    schema_url_builder,
    valid_temporal,
)
from .harvest import (
    HARVEST_DICTIONARY_REASON,
    ImportReport,
    datajson_import,
    parse_catalog,
)
from .reading import Catalogue, NotACatalogue, publisher_name, read_catalogue

__all__ = [
    "CATALOGUED_Q",
    "CONFORMS_TO",
    "Catalogue",
    "DCAT_US_SCHEMA_DIR",
    "FETCH_MAX_BYTES",
    "HARVEST_DICTIONARY_REASON",
    "FetchError",
    "ImportReport",
    "NotACatalogue",
    "catalogue_rows",
    "catalogued_datasets",
    "datajson_catalog",
    "datajson_entry",
    "datajson_import",
    "datajson_stream",
    "distribution_entry",
    "fetch_url",
    "media_type",
    "parse_catalog",
    "publisher_name",
    "read_catalogue",
    "schema_url_builder",
    "valid_temporal",
]
