"""Drafting and sending the memo tick the matching steps of the session's preparation checklist."""

import pytest

from sessions.models import ChecklistKind
from sessions.services import memo_draft, memo_send


def _done(session) -> dict[str, bool]:
    return {item.kind: item.done_at is not None for item in session.checklist.all()}


@pytest.mark.django_db
def test_drafting_then_sending_the_memo_ticks_its_two_steps(police_series, users):
    session = police_series.sessions.order_by("starts_at").first()
    assert _done(session) == {kind: False for kind in ChecklistKind.values if kind != ChecklistKind.OTHER}

    memo = memo_draft(session, by=users["stat_analyst"])
    assert _done(session)[ChecklistKind.MEMO_DRAFT] is True
    assert _done(session)[ChecklistKind.MEMO_SENT] is False
    draft_step = session.checklist.get(kind=ChecklistKind.MEMO_DRAFT)
    assert draft_step.done_by == users["stat_analyst"]

    memo_send(memo, by=users["stat_lead"])
    done = _done(session)
    assert done[ChecklistKind.MEMO_SENT] is True
    assert done[ChecklistKind.DATA_REQUEST] is False  # the department's steps are not the memo's to tick
    sent_step = session.checklist.get(kind=ChecklistKind.MEMO_SENT)
    assert sent_step.done_by == users["stat_lead"]
    assert session.checklist.get(kind=ChecklistKind.MEMO_DRAFT).done_by == users["stat_analyst"]  # kept
