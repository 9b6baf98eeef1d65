"""Fixed personas for every test: one user per role, around Police (in Public Safety) and Parks (an outsider).

Use ``as_persona("stat_lead")`` for a logged-in test client, or the ``users`` dict for the User objects.
"""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from team.models import Department, Portfolio, Role

from .factories import people_with_logins, rows_by_slug

if not django_settings.TESTING:
    # pytest-django prefers DJANGO_SETTINGS_MODULE from the environment to pyproject.toml's.
    raise pytest.UsageError(
        f"the tests need statprogram.settings_test, not {django_settings.SETTINGS_MODULE}: "
        "unset DJANGO_SETTINGS_MODULE or set it to statprogram.settings_test"
    )

PERSONAS = (
    "principal",
    "stat_lead",
    "stat_analyst",
    "police_lead",
    "police_contact",
    "parks_contact",
    "budget_analyst",
    "data_expert",
    "anonymous",
)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    # Not in statprogram.settings_test: the integration tests' Celery worker runs on those settings, and tasks it
    # sends must go through the broker as in production. (The fast password hasher is there; Django's test set-up
    # gives each test an in-memory outbox.)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def city(db):
    """Police and Fire in the Public Safety portfolio; Parks in none (for gap tests) or its own."""
    portfolios = rows_by_slug(
        Portfolio,
        [
            {"name": "Public Safety", "slug": "public-safety"},
            {"name": "Community Services", "slug": "community-services"},
        ],
    )
    public_safety, community = portfolios["public-safety"], portfolios["community-services"]
    departments = rows_by_slug(
        Department,
        [
            {"name": "Police", "slug": "police", "code": "PD", "portfolio": public_safety},
            {"name": "Fire", "slug": "fire", "code": "FD", "portfolio": public_safety},
            {"name": "Parks & Recreation", "slug": "parks", "code": "PRD", "portfolio": community},
        ],
    )
    police, fire, parks = departments["police"], departments["fire"], departments["parks"]
    return {"public_safety": public_safety, "community": community, "police": police, "fire": fire, "parks": parks}


@pytest.fixture
def users(city):
    police, parks, public_safety = city["police"], city["parks"], city["public_safety"]
    return people_with_logins(
        {
            "principal": {"role": Role.PRINCIPAL, "username": "mayor@example.gov", "full_name": "Mara Mayor"},
            "stat_lead": {"role": Role.STAT_LEAD, "username": "lead@example.gov", "full_name": "Stella Lead"},
            "stat_analyst": {"role": Role.STAT_ANALYST, "username": "analyst@example.gov", "full_name": "Ana Lyst"},
            "police_lead": {
                "role": Role.DEPARTMENT_LEAD,
                "username": "chief@example.gov",
                "department": police,
                "full_name": "Pat Chief",
            },
            "police_contact": {
                "role": Role.DEPARTMENT_CONTACT,
                "username": "pdata@example.gov",
                "department": police,
                "full_name": "Dana Data",
            },
            "parks_contact": {
                "role": Role.DEPARTMENT_CONTACT,
                "username": "parks@example.gov",
                "department": parks,
                "full_name": "Park Ranger",
            },
            "budget_analyst": {
                "role": Role.BUDGET_ANALYST,
                "username": "budget@example.gov",
                "portfolio": public_safety,
                "full_name": "Bud Get",
            },
            "data_expert": {"role": Role.DATA_EXPERT, "username": "gis@example.gov", "full_name": "Gia Mapper"},
        }
    )


@pytest.fixture
def as_persona(users):
    """``as_persona(name)``: a test client signed in as that persona (``"anonymous"``: not signed in)."""

    def make(name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(users[name])
        return client

    return make
