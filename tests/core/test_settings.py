"""Settings are read from the environment at start-up, so each case runs ``manage.py`` in a fresh subprocess: with
``statprogram.settings`` (production and development, what ``manage.py`` loads when nothing says otherwise) unless
the case names ``statprogram.settings_test``, the test suite's."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
#: Variables that the settings read; cleared so the developer's, CI's or this test run's environment cannot leak into
#: a case.
SETTINGS_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_TLS_PROXY",
    "PROGRAM_CONTACT_EMAIL",
    "PUBLISH_STEWARD_EMAILS",
    "PROXY_COUNT",
    "AXES_PROXY_COUNT",
    "SITE_URL",
    "DEV_SITE_URL",
    "DJANGO_SETTINGS_MODULE",
    # Read by settings_test only.
    "FETCH_ALLOW_LOOPBACK",
    "PYTEST_XDIST_WORKER",
    # Set by the browser tests' live server; the deploy check rightly refuses it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)
#: 64 characters, many distinct: what Django's deploy check (security.W009) asks of a real key.
PRODUCTION_KEY = "Qm7vX2pL9sRt4wZk8bN3cJ6hF1dG5yT0aE-uK_oP8iW3eV7nM2qB6rS9xC4zH1jL"


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    # (A developer's .env file could still fill them in; a fresh clone, as in CI, has none.)
    environment.update(env)
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_debug_off_without_secret_key_refuses_to_start():
    result = run("manage.py", "check", DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "set DEBUG=true for local development" in result.stderr


def test_debug_off_with_a_short_secret_key_refuses_to_start():
    result = run("manage.py", "check", DEBUG="false", SECRET_KEY="too-short")

    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_a_program_contact_email_that_is_not_an_address_refuses_to_start():
    result = run("manage.py", "check", DEBUG="true", PROGRAM_CONTACT_EMAIL="open data")

    assert result.returncode != 0
    assert "PROGRAM_CONTACT_EMAIL is not an email address" in result.stderr


def test_proxy_count_takes_its_former_name_and_refuses_a_negative_count():
    code = "from django.conf import settings; print(settings.PROXY_COUNT, settings.AXES_CLIENT_IP_CALLABLE)"
    result = run("manage.py", "shell", "-c", code, DEBUG="true", AXES_PROXY_COUNT="2")
    assert result.stdout.split()[-2:] == ["2", "core.http.client_ip"], result.stderr
    result = run("manage.py", "check", DEBUG="true", PROXY_COUNT="-1")
    assert result.returncode != 0
    assert "PROXY_COUNT must be 0 or more" in result.stderr


PRINT_SITE_URL = "from django.conf import settings; print(settings.SITE_URL)"


def test_make_run_announces_and_links_to_the_address_it_serves_on():
    """``make run PORT=8123``: the demo logins' "will answer at" (which prints SITE_URL) and every email's links
    name the port the development server really listens on, not 8000."""
    plan = subprocess.run(  # noqa: S603 - make, dry run (-n): it prints the commands and runs none
        ["make", "-n", "run", "PORT=8123"],  # noqa: S607 - make from the PATH, as a developer runs it
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.splitlines()
    logins = next(line for line in plan if "manage.py demo_logins" in line)
    server = next(line for line in plan if "manage.py runserver" in line)
    assert "DEV_SITE_URL=http://127.0.0.1:8123/" in logins
    assert "DEV_SITE_URL=http://127.0.0.1:8123/" in server and server.endswith("runserver 127.0.0.1:8123")

    # What those commands then read as SITE_URL: the development server's address, unless SITE_URL is set.
    result = run("manage.py", "shell", "-c", PRINT_SITE_URL, DEBUG="true", DEV_SITE_URL="http://127.0.0.1:8123/")
    assert result.stdout.split()[-1] == "http://127.0.0.1:8123/", result.stderr
    result = run(
        "manage.py",
        "shell",
        "-c",
        PRINT_SITE_URL,
        DEBUG="true",
        DEV_SITE_URL="http://127.0.0.1:8123/",
        SITE_URL="https://stat.example.gov/",
    )
    assert result.stdout.split()[-1] == "https://stat.example.gov/", result.stderr
    result = run("manage.py", "shell", "-c", PRINT_SITE_URL, DEBUG="true")
    assert result.stdout.split()[-1] == "http://127.0.0.1:8000/", result.stderr


def test_a_site_url_that_is_no_web_address_refuses_to_start():
    for wrong in ("stat.example.gov", "ftp://stat.example.gov/", "http:///path"):
        result = run("manage.py", "check", DEBUG="true", SITE_URL=wrong)
        assert result.returncode != 0
        assert "SITE_URL must be an http:// or https:// address with a host name" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="stat.example.gov",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; from statprogram.celery import app; "
    "print(s.CELERY_TASK_ALWAYS_EAGER, app.conf.task_always_eager, s.CELERY_BROKER_URL, "
    "s.CACHES['default']['BACKEND'], s.CELERY_TASK_ACKS_LATE, s.CELERY_WORKER_PREFETCH_MULTIPLIER, "
    "s.DATABASES['default']['ENGINE'])"
)


def test_without_redis_celery_runs_eagerly_and_the_cache_is_local():
    result = run("-c", PRINT_SETTINGS, DEBUG="true", DJANGO_SETTINGS_MODULE="statprogram.settings")

    assert result.returncode == 0, result.stderr
    eager, app_eager, broker, cache, acks_late, prefetch, engine = result.stdout.split()
    assert (eager, app_eager, broker) == ("True", "True", "memory://")
    assert cache == "django.core.cache.backends.locmem.LocMemCache"
    assert (acks_late, prefetch) == ("True", "1")
    assert engine == "django.db.backends.sqlite3"


def test_with_redis_celery_uses_the_broker_and_the_cache_is_redis():
    result = run(
        "-c",
        PRINT_SETTINGS,
        DEBUG="true",
        REDIS_URL="redis://127.0.0.1:6379/15",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
        DJANGO_SETTINGS_MODULE="statprogram.settings",
    )

    assert result.returncode == 0, result.stderr
    eager, app_eager, broker, cache, *_, engine = result.stdout.split()
    assert (eager, app_eager, broker) == ("False", "False", "redis://127.0.0.1:6379/15")
    assert cache == "core.cache.FailOpenRedisCache", "pages render uncached while Redis is down"
    assert engine == "django.db.backends.postgresql"


def test_production_settings_never_look_for_tests():
    """Neither pytest in the process nor the variables that used to mean "testing" (or that only the test settings
    read) loosen production's settings."""
    result = run(
        "-c",
        "import pytest, django; django.setup()",
        DEBUG="false",
        STATPROGRAM_TESTING="true",
        DJANGO_SETTINGS_MODULE="statprogram.settings",
    )

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr

    with_key = run(
        "-c",
        "import pytest, django; django.setup(); from django.conf import settings as s; "
        "print(s.TESTING, s.SECURE_SSL_REDIRECT, s.STORAGES['staticfiles']['BACKEND'], "
        "getattr(s, 'FETCH_ALLOW_LOOPBACK', False))",
        DEBUG="false",
        SECRET_KEY=PRODUCTION_KEY,
        STATPROGRAM_TESTING="true",
        FETCH_ALLOW_LOOPBACK="true",
        DJANGO_SETTINGS_MODULE="statprogram.settings",
    )
    assert with_key.stdout.split() == [
        "False",
        "True",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "False",
    ], with_key.stderr


PRINT_TEST_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.TESTING, s.DEBUG, len(s.SECRET_KEY) >= 50, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
    "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.STORAGES['staticfiles']['BACKEND'], s.WHITENOISE_AUTOREFRESH, "
    "s.PASSWORD_HASHERS[0], s.FETCH_ALLOW_LOOPBACK, s.REDIS_URL, s.CACHES['default']['LOCATION'], "
    "s.CELERY_BROKER_URL)"
)


def test_the_test_settings_need_no_secret_key_and_speak_plain_http():
    """What the suite and the integration tests' Celery processes run on: DEBUG off but no key, TLS or manifest;
    under pytest-xdist worker gw2, the Redis database two below the one named."""
    result = run(
        "-c",
        PRINT_TEST_SETTINGS,
        DJANGO_SETTINGS_MODULE="statprogram.settings_test",
        SECRET_KEY="too-short",
        REDIS_URL="redis://127.0.0.1:6379/1",
        PYTEST_XDIST_WORKER="gw2",
        FETCH_ALLOW_LOOPBACK="true",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "False",
        "True",
        "False",
        "False",
        "False",
        "0",
        "django.contrib.staticfiles.storage.StaticFilesStorage",
        "True",
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "True",
        "redis://127.0.0.1:6379/15",
        "redis://127.0.0.1:6379/15",
        "redis://127.0.0.1:6379/15",
    ]


def test_the_suite_runs_on_the_test_settings(settings):
    assert settings.TESTING
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "statprogram.settings_test"  # what the tests' subprocesses get


def test_manage_py_with_nothing_configured_runs_in_development_mode():
    """A developer's fresh clone: no DEBUG and no SECRET_KEY in the environment, and manage.py still works."""
    result = run("manage.py", "check")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_manage_py_with_a_secret_key_keeps_debug_off():
    """A server sets SECRET_KEY: manage.py then keeps production settings (the deploy check sees DEBUG off)."""
    result = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="stat.example.gov",
    )
    assert result.returncode == 0, result.stderr + result.stdout
