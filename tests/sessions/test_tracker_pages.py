"""The tracker reads a page without sorting every item: its rows (``selectors.TrackerRows``) walk the sessions'
counts and read only the sessions a page spans. Every page must hold exactly what sorting everything would give."""

import datetime

import pytest

from sessions.models import ActionItem
from sessions.selectors_actions import TrackerRows, tracker_items, tracker_per_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(police_series, city):
    """Uneven sessions (0, 1, 7, 3, 12 and 2 items), numbered within each, across two departments."""
    rows = []
    for session, count in zip(police_series.sessions.order_by("starts_at")[:6], [0, 1, 7, 3, 12, 2], strict=True):
        for number in range(1, count + 1):
            rows.append(
                ActionItem(
                    session=session,
                    number=number,
                    title=f"Item {number}",
                    department=city["police"] if number % 3 else city["parks"],
                    due_date=session.starts_at.date() + datetime.timedelta(days=number),
                )
            )
    ActionItem.objects.bulk_create(rows)
    return tracker_items(ActionItem.objects.all())


@pytest.mark.parametrize("per_page", [1, 2, 5, 7, 50])
def test_every_page_holds_what_sorting_everything_gives(items, per_page):
    expected = [item.pk for item in items]
    for queryset in (items, items.filter(department__slug="parks")):
        expected = [item.pk for item in queryset]
        rows = TrackerRows(queryset, tracker_per_session(queryset))
        assert len(rows) == len(expected)
        pages = [rows[start : start + per_page] for start in range(0, len(expected), per_page)]
        assert [item.pk for page in pages for item in page] == expected
        assert all(hasattr(item, "status") for page in pages for item in page)  # still the tracker's rows
    assert TrackerRows(items, tracker_per_session(items))[100:150] == []


def test_the_tracker_pages_through_every_item_once(items, as_persona, monkeypatch):
    monkeypatch.setattr("sessions.views.actions.ITEMS_PER_PAGE", 10)
    client = as_persona("stat_lead")
    seen = []
    for page in (1, 2, 3):
        body = client.get("/sessions/action-items/", {"page": page}).content.decode()
        seen += [pk for pk in items.values_list("pk", flat=True) if f'/sessions/action-items/{pk}/"' in body]
    assert sorted(seen) == sorted(items.values_list("pk", flat=True))  # 25 items: 10, 10 and 5, none twice


def test_the_cached_chart_and_count_follow_a_change_at_once(items, as_persona, users):
    from sessions.services import action_item_update

    client = as_persona("stat_lead")
    before = client.get("/sessions/action-items/", {"status": "under_review"}).content.decode()
    item = items.filter(state="incomplete").order_by("pk").first()
    action_item_update(item, state="under_review", comment="Draft in", by=users["stat_lead"])
    after = client.get("/sessions/action-items/", {"status": "under_review"}).content.decode()
    assert f'/sessions/action-items/{item.pk}/"' not in before
    assert f'/sessions/action-items/{item.pk}/"' in after
