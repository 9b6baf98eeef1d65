"""Settings for the test suite: everything from :mod:`statprogram.settings`, then what tests need.

pytest loads this module (``DJANGO_SETTINGS_MODULE`` in pyproject.toml, which pytest-django also puts in the
environment of the processes the tests start); the Celery worker and beat the integration tests start are given
it by name. Production and development load ``statprogram.settings``, which never looks for tests.

The suite runs with ``DEBUG`` off, as production does, but:

- with a throwaway ``SECRET_KEY`` and over plain HTTP (no TLS redirect, no secure-only cookies, no HSTS);
- finding static files per request (no ``collectstatic`` manifest);
- with a Redis database per pytest-xdist worker, when ``REDIS_URL`` is set;
- with a fast password hasher;
- letting the safe fetch reach loopback when ``FETCH_ALLOW_LOOPBACK`` is set (the integration tests' worker fetches
  from the suite's local HTTP server; in the pytest process the ``local_server`` fixture turns it on).

Email needs nothing here: Django's test set-up gives the pytest process an in-memory outbox, and the integration
tests' worker writes files where its ``EMAIL_URL`` says.
"""

import os
from urllib.parse import urlsplit, urlunsplit

# settings.py refuses to start with DEBUG off and no SECRET_KEY of 50 characters or more, and it checks as it is
# imported. Tests need no real key, and a developer's own must not matter: this one replaces it, before the import.
# (The processes the tests start inherit it.)
os.environ["SECRET_KEY"] = "statprogram-test-suite-only-not-a-secret-" + "0123456789" * 2

from . import settings as _base  # noqa: E402
from .settings import *  # noqa: E402, F403

TESTING = True

# --- Plain HTTP: Django's test client and the browser tests' live server speak it ---------------------------------
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
SECURE_PROXY_SSL_HEADER = None  # type: ignore[assignment]  # unset: the tests speak plain HTTP

# --- Static files: found per request; no manifest to build, and no index for each test client to make -----------
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_AUTOREFRESH = True


# --- A Redis database per xdist worker ------------------------------------------------------------------------------
def _redis_database_for_worker(url: str, worker: int) -> str:
    """``url`` with its database number lowered by ``worker`` (wrapping round Redis's 16 databases)."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(number - worker) % 16}"))


_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _base.REDIS_URL and _XDIST_WORKER.startswith("gw"):
    # The suite runs in parallel (pytest-xdist): each worker clears its cache between tests, which empties its
    # Redis database, so each worker gets a database of its own (gw0 the one named, gw1 the one below it...).
    # The Celery processes the integration tests start are given the URL this makes (and not PYTEST_XDIST_WORKER).
    REDIS_URL = _redis_database_for_worker(_base.REDIS_URL, int(_XDIST_WORKER[2:]))
    CACHES = {"default": {**CACHES["default"], "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL

# --- Speed and the local HTTP server -------------------------------------------------------------------------------
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
FETCH_ALLOW_LOOPBACK = env.bool("FETCH_ALLOW_LOOPBACK", default=False)
