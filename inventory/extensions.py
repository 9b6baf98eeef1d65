"""What the apps above the inventory add to it, registered from their ``AppConfig.ready()``.

The inventory imports no app above it (quality, goals, and later sessions and budget); those apps tell it what they
add through this registry instead:

* :class:`ListColumn`: a column of the inventory list, its cells read from the list's own query (no query per row):
  quality's badge;
* :class:`ListFilter`: a filter of the inventory list and of the datasets API's list (``?<name>=``): quality's state;
* :class:`DatasetPanel`: a section of the dataset page, with the joins it needs made by the page's own query: quality's
  panel;
* :func:`register_dataset_dependents`: who depends on a dataset, asked before it is deleted: goals refuses while
  measures are computed from it.

Registering twice under the same key replaces the first (``ready()`` may run again in tests). Everything is read
in registration order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from team.access import Actor

    from .models import Dataset


@dataclass(frozen=True)
class ListColumn:
    """A column of the inventory list, after its own columns' "Updated".

    ``prepare`` adds to the list's queryset what the cells read (joins, annotations; ``fields`` names the columns it
    reads, for the list's ``.only()``); ``cell`` gives one dataset's display values from what ``prepare`` loaded, and
    the Jinja2 partial ``template`` writes them (it sees them as ``cell``).
    """

    key: str
    heading: str
    template: str
    cell: Callable[[Dataset], Any]
    prepare: Callable[[QuerySet[Dataset], Actor], QuerySet[Dataset]] = lambda queryset, actor: queryset
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListFilter:
    """A choice filter of the inventory list and the datasets API's list, ``?<name>=<one of choices>``.

    ``apply(queryset, actor, value)`` narrows the datasets; it must never reveal what ``actor`` may not read."""

    name: str
    label: str
    choices: list[tuple[str, str]]
    apply: Callable[[QuerySet[Dataset], Actor, str], QuerySet[Dataset]]
    empty_label: str = "Any"
    help_text: str = ""


@dataclass(frozen=True)
class DatasetPanel:
    """A section of the signed-in dataset page, after its priority.

    ``context(request, dataset)`` gives the ``template``'s context, or ``None`` to show nothing (to someone who may
    not read it, say); ``select_related`` names the joins the page's dataset query makes so the panel needs no query
    of its own for them."""

    key: str
    template: str
    context: Callable[[HttpRequest, Dataset], dict | None]
    select_related: tuple[str, ...] = ()


_columns: dict[str, ListColumn] = {}
_filters: dict[str, ListFilter] = {}
_panels: dict[str, DatasetPanel] = {}
_dependents: dict[str, Callable[[Dataset], list[str]]] = {}


def register_list_column(column: ListColumn) -> None:
    _columns[column.key] = column


def register_list_filter(filter_: ListFilter) -> None:
    _filters[filter_.name] = filter_


def register_dataset_panel(panel: DatasetPanel) -> None:
    _panels[panel.key] = panel


def register_dataset_dependents(key: str, problems: Callable[[Dataset], list[str]]) -> None:
    """``problems(dataset)`` says why the dataset may not be deleted now, one sentence each (empty: nothing of
    ``key``'s depends on it)."""
    _dependents[key] = problems


def list_columns() -> list[ListColumn]:
    return list(_columns.values())


def list_filters() -> list[ListFilter]:
    return list(_filters.values())


def dataset_panels() -> list[DatasetPanel]:
    return list(_panels.values())


def dataset_dependents(dataset: Dataset) -> list[str]:
    """Why each registered app says ``dataset`` may not be deleted now (empty: none objects)."""
    return [problem for problems in _dependents.values() for problem in problems(dataset)]
