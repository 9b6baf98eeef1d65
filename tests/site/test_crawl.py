"""Every persona, starting from where they land (``/dashboard/``; ``/`` for the public), follows every link of
every page they can reach: each must answer 200. A link to a page that answers 403 or 404, or a redirect (to the
login page, or anywhere), is a link its reader was shown and cannot open."""

import pytest
from django.template.base import Template
from django.test import Client

from team.models import Role
from tests.conftest import PERSONAS
from tests.factories import UserFactory, person_with_login

from .city_data import build_city
from .crawler import crawl

pytestmark = pytest.mark.django_db

#: Pages per persona at most: the city of ``city_data`` gives the Stat team about 300.
CAP = 400
#: The OpenAPI schema (linked from every page's footer) is the same document for everyone and costs a few tenths of
#: a second to build: the anonymous visitor's crawl fetches it, the others need not.
SAME_FOR_EVERYONE = ("/api/schema/",)


@pytest.fixture
def uninstrumented_templates(monkeypatch):
    """Django's test set-up makes every template render send a signal, and the test client copies the context of
    each: a fifth of a crawl's time. The crawl reads responses' bytes only, so render templates as in production."""
    monkeypatch.setattr(Template, "_render", lambda template, context: template.nodelist.render(context))


def test_every_link_every_persona_can_reach_opens(as_persona, city, users, uninstrumented_templates):
    build_city(city, users)
    clients = {name: as_persona(name) for name in PERSONAS}
    clients["seat"] = Client()
    clients["seat"].force_login(
        person_with_login(Role.CHIEF_OF_STAFF, username="cos@example.gov", full_name="Cy Staff")
    )
    clients["no_role"] = Client()
    clients["no_role"].force_login(UserFactory(username="nobody@example.gov"))

    public = crawl(clients.pop("anonymous"), "/", cap=CAP)
    for url in SAME_FOR_EVERYONE:
        assert public.statuses.get(url) == 200, f"{url} is not linked from the public pages, or does not open"
    failures = [f"anonymous: {failure}" for failure in public.failures]
    reached = {"anonymous": len(public.statuses)}
    for persona, client in clients.items():
        result = crawl(client, "/dashboard/", cap=CAP, skip=SAME_FOR_EVERYONE)
        assert not result.capped, f"{persona} reached more than {CAP} pages: raise the cap or shrink the city"
        failures += [f"{persona}: {failure}" for failure in result.failures]
        reached[persona] = len(result.statuses)
    assert not failures, "\n".join(failures)
    # The crawl went where each persona may go (a crawl stuck on its first page would pass too).
    assert reached["stat_lead"] > reached["police_lead"] > reached["anonymous"] > 10, reached
    assert reached["no_role"] < reached["anonymous"], reached
