"""Fixtures of the analysis tests: a Police and a Parks program, a Police budget request recorded at PoliceStat, a
finance seat, and ``make_analysis``."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from budget.models import Analysis, Program
from budget.services.analyses import analysis_create
from sessions.models import Deliverable
from team.models import Role
from tests.factories import person_with_login

YEARS = [
    (Decimal("1000.00"), Decimal("0.00")),
    (Decimal("0.00"), Decimal("600.00")),
    (Decimal("0.00"), Decimal("600.00")),
]


@pytest.fixture
def programs(city):
    return {
        "patrol": Program.objects.create(department=city["police"], code="PD-100", name="Patrol"),
        "parks": Program.objects.create(department=city["parks"], code="PR-200", name="Park maintenance"),
    }


@pytest.fixture
def budget_request(record):
    return record("Request funding for two more dispatchers", deliverable=Deliverable.BUDGET_REQUEST)


@pytest.fixture
def finance_user(city):
    return person_with_login(Role.FINANCE, username="finance@example.gov", full_name="Fin Ance")


@pytest.fixture
def client_as(as_persona, finance_user):
    """Like ``as_persona``, with ``"finance"`` too."""

    def make(name: str) -> Client:
        if name == "finance":
            client = Client()
            client.force_login(finance_user)
            return client
        return as_persona(name)

    return make


@pytest.fixture
def make_analysis(programs):
    def make(title: str = "Patrol cars", *, program: Program | None = None, **fields) -> Analysis:
        if "action_item" not in fields:
            fields.setdefault("program", program or programs["patrol"])
        elif program is not None:
            fields["program"] = program
        fields.setdefault("discount_rate", Decimal("0.10"))
        fields.setdefault("years", YEARS)
        return analysis_create(by=None, title=title, **fields)

    return make
