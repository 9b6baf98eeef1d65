"""What quality adds to the inventory through its registry (``quality.inventory_extensions``): the list's Quality
column and quality filter, the datasets API's ``?quality=`` filter, and the dataset page's panel. The inventory reads
them from ``inventory.extensions`` only: without quality's registrations it shows none of them."""

from __future__ import annotations

import pytest

from inventory import extensions
from tests.pages import parse, section

from .test_views_pages import judged_city  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def headers(response) -> list[str]:
    return [th.text for th in parse(response).find("thead").find_all("th")]


def api_titles(client, **params) -> set[str]:
    response = client.get("/api/datasets/", params)
    assert response.status_code == 200
    return {row["title"] for row in response.json()["results"]}


def test_quality_registers_its_column_filter_and_panel():
    assert [column.key for column in extensions.list_columns()] == ["quality"]
    assert [filter_.name for filter_ in extensions.list_filters()] == ["quality"]
    assert [panel.key for panel in extensions.dataset_panels()] == ["quality"]


def test_the_api_filters_by_quality_showing_only_what_the_reader_may_read(as_persona, judged_city):  # noqa: F811
    assert api_titles(as_persona("stat_analyst"), quality="failing") == {"Use of force", "Calls", "Playgrounds"}
    assert api_titles(as_persona("stat_analyst"), quality="passing") == {"Arrests"}
    # The Police lead reads Parks' public dataset but not its quality: the filter does not tell them it fails.
    assert api_titles(as_persona("police_lead"), quality="failing") == {"Use of force", "Calls"}
    assert as_persona("stat_analyst").get("/api/datasets/", {"quality": "sideways"}).status_code == 400


def test_the_list_and_the_page_show_what_quality_registered(as_persona, judged_city):  # noqa: F811
    from inventory.models import Dataset

    client = as_persona("stat_analyst")
    assert "Quality" in headers(client.get("/inventory/"))
    assert "Data quality" in parse(client.get("/inventory/")).find("form", role="search").text
    arrests = Dataset.objects.get(title="Arrests")
    assert section(parse(client.get(arrests.get_absolute_url())), "Data quality") is not None


def test_without_quality_the_inventory_shows_no_quality(as_persona, judged_city, monkeypatch):  # noqa: F811
    from inventory.models import Dataset

    for registry in ("_columns", "_filters", "_panels"):
        monkeypatch.setattr(extensions, registry, {})
    client = as_persona("stat_analyst")
    page = client.get("/inventory/")
    assert "Quality" not in headers(page)
    assert "Data quality" not in parse(page).find("form", role="search").text
    # Without the filter, ?quality= is an unknown parameter: every dataset is listed.
    assert len(api_titles(client, quality="failing")) == 5
    arrests = Dataset.objects.get(title="Arrests")
    assert "Data quality" not in [h2.text for h2 in parse(client.get(arrests.get_absolute_url())).find_all("h2")]
