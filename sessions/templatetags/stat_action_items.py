"""Template filters of the action-item pages."""

from __future__ import annotations

from django import template

from ..models import ItemState, ItemStatus, Session
from ..selectors_memo import session_words

register = template.Library()

_STATUS_LABELS = dict(ItemStatus.choices)
_STATE_LABELS = dict(ItemState.choices)


@register.filter
def status_label(value: str) -> str:
    """The name of one of the eight statuses (``not_yet_due`` -> "Incomplete (not yet due)")."""
    return _STATUS_LABELS.get(value, value)


@register.filter
def state_label(value: str) -> str:
    """The name of a stored state (an update's before and after)."""
    return _STATE_LABELS.get(value, value)


@register.filter
def session_name(session: Session) -> str:
    """A session as people name it, its day in its series' time zone ("PoliceStat, 10 Nov 2026")."""
    return session_words(session)
