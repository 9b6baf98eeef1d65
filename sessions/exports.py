"""The action-item tracker's CSV: every filtered row, streamed, with text cells a spreadsheet shows and never runs."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from inventory.services.tabular import FORMULA_STARTS

from .models import ActionItem, Deliverable, ItemStatus, Priority

CSV_HEADERS = [
    "series",
    "session",
    "number",
    "title",
    "topic",
    "department",
    "owner",
    "due_date",
    "priority",
    "deliverable",
    "status",
    "completed_on",
    "url",
]


def _spreadsheet_safe(text: str) -> str:
    """A text cell a spreadsheet will show, never run: formula-looking text gets a leading apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(items: QuerySet[ActionItem], base: str) -> Iterator[str]:
    """The CSV's lines, from plain rows (20,000 items in a second or two: no model instances)."""
    statuses = dict(ItemStatus.choices)
    priorities = dict(Priority.choices)
    deliverables = dict(Deliverable.choices)
    url = base + reverse("stat_sessions:action_item", args=[0])[:-2]  # ".../action-items/" + pk + "/"
    zone = timezone.get_current_timezone()
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(CSV_HEADERS)
    rows = items.values_list(
        "pk",
        "session__series__name",
        "session__starts_at",
        "number",
        "title",
        "topic_title",
        "department__name",
        "owner__full_name",
        "due_date",
        "priority",
        "deliverable",
        "status",
        "completed_on",
    )
    for (
        pk,
        series,
        starts_at,
        number,
        title,
        topic,
        department,
        owner,
        due,
        priority,
        deliverable,
        status,
        done,
    ) in rows.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _spreadsheet_safe(series),
                f"{starts_at.astimezone(zone):%Y-%m-%d %H:%M}",
                number,
                _spreadsheet_safe(title),
                _spreadsheet_safe(topic),
                _spreadsheet_safe(department),
                _spreadsheet_safe(owner or ""),
                due.isoformat(),
                priorities.get(priority, priority),
                deliverables.get(deliverable, deliverable),
                statuses[status],
                done.isoformat() if done else "",
                f"{url}{pk}/",
            ]
        )
