import importlib

import pytest

from tests.quality.conftest import local_server  # noqa: F401 (the stand-in for the internet, as a fixture here)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded data files go to a temporary directory, never var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_priorities(request):
    """The six priorities of the data migration, made again when a transactional test elsewhere flushed them."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    from goals.models import Priority

    defaults = importlib.import_module("goals.migrations.0002_default_priorities").DEFAULT_PRIORITIES
    for position, (slug, name) in enumerate(defaults, start=1):
        Priority.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
