import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded data files go to a temporary directory, never var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
