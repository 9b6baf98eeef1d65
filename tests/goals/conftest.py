import pytest

from tests.quality.conftest import local_server  # noqa: F401 (the stand-in for the internet, as a fixture here)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded data files go to a temporary directory, never var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
