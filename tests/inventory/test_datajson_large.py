"""Harvesting catalogues as federal portals publish them: thousands of records, read a record at a time and written
in batches inside one transaction; and ``spatial`` kept whole whatever its form (a county's GeoJSON polygon runs to
hundreds of kilobytes), shown on the dataset page as its bounding box and written back to /data.json."""

import json
import math
import tracemalloc

import pytest
from django.apps import apps
from django.db import IntegrityError

from inventory.models import Dataset, Distribution
from inventory.selectors import geojson_extent, spatial_coverage
from inventory.services.datajson import datajson_catalog, datajson_import, read_catalogue
from inventory.services.datajson import harvest as harvest_module
from tests.inventory.test_datajson import assert_valid
from tests.inventory.test_datajson_import import catalog, record

pytestmark = pytest.mark.django_db


def county_polygon(points: int = 15_000) -> dict:
    """A GeoJSON polygon with the weight of a real county boundary (about 25 bytes a vertex)."""
    ring = [
        [
            round(-90.0 + 0.5 * math.cos(2 * math.pi * i / points), 6),
            round(30.0 + 0.4 * math.sin(2 * math.pi * i / points), 6),
        ]
        for i in range(points)
    ]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def many(n: int) -> dict:
    return catalog(
        *(record(f"ds-{i:05d}", "Police" if i % 2 else "Fire", keyword=[f"kw{i % 7}", "shared"]) for i in range(n))
    )


# --- spatial --------------------------------------------------------------------------------------------------------

SPATIAL_FORMS = {
    "place": "City of Riverton",
    "bbox": "-90.5,29.6,-89.5,30.4",
    "wkt": "POLYGON ((-90.5 29.6, -89.5 29.6, -89.5 30.4, -90.5 30.4, -90.5 29.6))",
    "geojson-text": json.dumps(county_polygon(200)),
}


def test_a_county_polygon_of_hundreds_of_kilobytes_is_kept_whole(city, client):
    polygon = county_polygon()
    text = json.dumps(polygon)
    assert len(text) > 300_000
    report = datajson_import(catalog=catalog(record("a", spatial=text), record("b", spatial=polygon)), by=None)
    # Before: the spatial column held 300 characters, so both records were refused as invalid.
    assert not report.invalid and len(report.created) == 2
    assert Dataset.objects.get(identifier="a").spatial == text
    assert json.loads(Dataset.objects.get(identifier="b").spatial) == polygon

    # The dataset page shows its bounding box, not the polygon.
    extent = geojson_extent(polygon)
    assert extent == pytest.approx((-90.5, 29.6, -89.5, 30.4), abs=1e-3)
    page = client.get("/public/datasets/a/").content.decode()
    assert "Bounding box: west -90.5, south 29.6, east -89.5, north 30.4" in page
    assert len(page) < 100_000


def test_every_form_of_spatial_is_written_back_unchanged_and_valid(city):
    records = [record(name, spatial=value) for name, value in SPATIAL_FORMS.items()]
    records.append(record("geojson-object", spatial=county_polygon(200)))
    report = datajson_import(catalog=catalog(*records), by=None)
    assert not report.invalid
    exported = datajson_catalog(base_url="http://testserver/")
    assert_valid(exported)  # DCAT-US has spatial a string: a GeoJSON object goes back as its JSON text
    spatial = {entry["identifier"]: entry["spatial"] for entry in exported["dataset"]}
    assert {name: spatial[name] for name in SPATIAL_FORMS} == SPATIAL_FORMS
    assert json.loads(spatial["geojson-object"]) == county_polygon(200)
    # And harvesting what we publish changes nothing.
    assert len(datajson_import(catalog=exported, by=None).unchanged) == 5


def test_the_dataset_page_shows_a_geojson_extent_as_its_bounding_box():
    feature_collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-91.25, 29.5]}, "properties": {}},
            {"type": "Feature", "geometry": county_polygon(100), "properties": {}},
        ],
    }
    coverage = spatial_coverage(json.dumps(feature_collection))
    assert coverage.is_geojson and coverage.geojson_type == "FeatureCollection"
    assert coverage.bbox == pytest.approx((-91.25, 29.5, -89.5, 30.4), abs=1e-3)
    assert spatial_coverage("City of Riverton").text == "City of Riverton"
    assert not spatial_coverage("{not json").is_geojson
    long_wkt = "POLYGON ((" + ", ".join(f"{i} {i}" for i in range(500)) + "))"
    assert spatial_coverage(long_wkt).text.endswith("…") and len(spatial_coverage(long_wkt).text) == 301


def test_a_dataset_with_a_geojson_spatial_keeps_it_when_its_form_is_saved(city, as_persona):
    text = json.dumps(county_polygon(2_000))
    datajson_import(catalog=catalog(record("a", spatial=text)), by=None)
    dataset = Dataset.objects.get(identifier="a")
    client = as_persona("stat_lead")
    page = client.get(f"/inventory/datasets/{dataset.pk}/")
    assert page.status_code == 200
    assert "Bounding box: west -90.5" in page.content.decode()
    edit = client.get(f"/inventory/datasets/{dataset.pk}/edit/")
    assert edit.status_code == 200 and "form" in edit.context and "spatial" not in edit.context["form"].fields
    dataset.refresh_from_db()
    assert dataset.spatial == text


# --- size -----------------------------------------------------------------------------------------------------------


def test_two_thousand_records_are_written_in_batches(city, users, django_assert_max_num_queries):
    data = json.dumps(many(2_000)).encode()
    # Before: each record went through the services one by one, some twenty queries each (40,000 in all).
    with django_assert_max_num_queries(400):  # SQLite splits an INSERT every 999 values
        report = datajson_import(catalog=data, by=users["stat_analyst"])
    assert len(report.created) == 2_000 and not report.invalid
    assert Dataset.objects.count() == 2_000 and Distribution.objects.count() == 2_000
    dataset = Dataset.objects.get(identifier="ds-00003")
    assert dataset.department == city["police"] and dataset.created_by == users["stat_analyst"]
    assert sorted(dataset.keywords.values_list("name", flat=True)) == ["kw3", "shared"]
    # Each dataset has the one history entry the services write: who created it, with its keywords.
    entries = list(dataset.history.all())
    assert len(entries) == 1 and entries[0].history_type == "+" and entries[0].history_change_reason == "Created"
    assert entries[0].history_user == users["stat_analyst"]
    snapshot = apps.get_model("inventory", "HistoricalDataset_keywords").objects.filter(history=entries[0])
    assert sorted(row.keyword.name for row in snapshot) == ["kw3", "shared"]
    assert dataset.distributions.get().history.get().history_change_reason == "Added"

    # Again: nothing changes, and it costs a fixed number of queries per batch.
    with django_assert_max_num_queries(60):
        again = datajson_import(catalog=data, by=users["stat_analyst"])
    assert len(again.unchanged) == 2_000 and Dataset.history.count() == 2_000


def test_a_harvest_is_all_or_nothing(city):
    calls = []

    def progress(done, total=None, message="", **kwargs):
        calls.append(done)
        if done >= 1_000:
            raise RuntimeError("the worker was stopped")

    with pytest.raises(RuntimeError):
        datajson_import(catalog=many(1_500), progress=progress, by=None)
    assert calls[-1] >= 1_000  # batches had been written when it stopped...
    assert not Dataset.objects.exists()  # ...and none of them stayed


def test_a_batch_the_database_refuses_is_written_record_by_record(city, monkeypatch):
    def refuse(*args, **kwargs):
        raise IntegrityError("duplicate key value")

    monkeypatch.setattr(harvest_module, "_create_batch", refuse)
    report = datajson_import(catalog=many(3), by=None)
    assert len(report.created) == 3 and not report.invalid
    assert Dataset.objects.count() == 3


def test_a_catalogue_is_read_a_record_at_a_time():
    text = json.dumps(many(3_000))
    tracemalloc.start()
    try:
        catalogue = read_catalogue(text)
        count = sum(1 for _ in catalogue.records())
        _, streamed = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        json.loads(text)
        _, whole = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == catalogue.count == 3_000
    assert catalogue.publishers == {"Police": 1_500, "Fire": 1_500}
    assert streamed < whole / 3, (streamed, whole)
