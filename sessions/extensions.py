"""What the apps above sessions add to its pages, registered from their ``AppConfig.ready()`` (sessions imports no
app above it; budget is one).

* :class:`ActionItemPanel`: a section of the action item page (budget: the cost-benefit analyses of a budget
  request), rendered by its own template with the context its ``context(request, item)`` gives, or nothing when it
  gives ``None``.

Registering twice under the same key replaces the first (``ready()`` may run again in tests). Everything is read in
registration order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import ActionItem


# --- action item page panels ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionItemPanel:
    """A section of the action item page, below its details. ``context(request, item)`` gives the ``template``'s
    context (the item is added as ``item``), or ``None`` to show nothing."""

    key: str
    template: str
    context: Callable[[HttpRequest, ActionItem], dict | None]


_action_item_panels: dict[str, ActionItemPanel] = {}


def register_action_item_panel(panel: ActionItemPanel) -> None:
    _action_item_panels[panel.key] = panel


def action_item_panels() -> list[ActionItemPanel]:
    return list(_action_item_panels.values())
