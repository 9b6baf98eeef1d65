"""Who reads quality results and who checks a dataset (quality.access)."""

from __future__ import annotations

import pytest

from quality.access import can_read_quality
from team.access import actor_for
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("persona", "reads"),
    [
        ("principal", True),
        ("stat_lead", True),
        ("stat_analyst", True),
        ("police_lead", True),
        ("police_contact", True),
        ("budget_analyst", True),
        ("data_expert", True),
    ],
)
def test_who_reads_quality(users, persona, reads):
    assert can_read_quality(actor_for(users[persona])) is reads


def test_nobody_else_reads_quality(db):
    assert not can_read_quality(actor_for(None))
    assert not can_read_quality(actor_for(UserFactory(username="nobody@example.gov")))
