"""A dataset's status badges say each thing once: its lifecycle status, its access level, and whether it is
published only when the status does not already say so (a published, public dataset read "PUBLISHED PUBLIC
PUBLISHED")."""

from __future__ import annotations

import pytest

from inventory.models import AccessLevel, Status
from inventory.selectors import Badge, publication_badge, status_badges
from tests.pages import parse

from .factories import DatasetFactory, PublicDatasetFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "published", "expected"),
    [
        (Status.PUBLISHED, True, None),  # the status says it
        (Status.DOCUMENTED, False, None),  # not there yet: the status says that too
        (Status.DOCUMENTED, True, Badge("Published", "bg-green")),  # published ahead of its status
        (Status.RETIRED, True, Badge("Published", "bg-green")),  # retired, still in the catalogue
        (Status.PUBLISHED, False, Badge("Not published", "bg-base")),  # the status says so, the flag does not
    ],
)
def test_the_publication_badge_only_when_the_status_does_not_say_it(status, published, expected):
    assert publication_badge(status, published) == expected


def test_a_published_public_dataset_says_published_and_public_once_each():
    labels = [badge.label for badge in status_badges(Status.PUBLISHED, AccessLevel.PUBLIC, True)]
    assert labels == ["Published", "Public"]
    labels = [badge.label for badge in status_badges(Status.QUALITY_CHECKED, AccessLevel.NON_PUBLIC, True)]
    assert labels == ["Quality-checked", "Non-public", "Published"]


def tags(response) -> list[str]:
    intro = parse(response).find("p", class_="usa-intro")
    return [tag.text for tag in intro.find_all("span", class_="usa-tag")]


def test_the_dataset_page_says_each_fact_once(as_persona, city):
    client = as_persona("stat_analyst")
    published = PublicDatasetFactory(identifier="pd-crashes", department=city["police"])
    assert tags(client.get(published.get_absolute_url())) == ["Published", "Public"]
    early = DatasetFactory(identifier="pd-calls", department=city["police"], status=Status.DOCUMENTED, published=True)
    assert tags(client.get(early.get_absolute_url())) == ["Documented", "Non-public", "Published"]
    held = DatasetFactory(
        identifier="pd-held",
        department=city["police"],
        status=Status.PUBLISHED,
        access_level=AccessLevel.PUBLIC,
        rights="",
        published=False,
    )
    assert tags(client.get(held.get_absolute_url())) == ["Published", "Public", "Not published"]


def test_the_inventory_list_says_published_once_a_row(as_persona, city):
    PublicDatasetFactory(identifier="pd-crashes", title="Crashes", department=city["police"])
    DatasetFactory(identifier="pd-calls", title="Calls", department=city["police"], published=True)
    page = parse(as_persona("stat_lead").get("/inventory/"))
    rows = {row.find("th").text: row for row in page.find("tbody").find_all("tr")}
    status = {title: row.find("td", data_label="Status").text for title, row in rows.items()}
    access = {title: row.find("td", data_label="Access").text for title, row in rows.items()}
    assert status == {"Crashes": "Published", "Calls": "Documented Published"}
    assert access == {"Crashes": "Public", "Calls": "Non-public"}
