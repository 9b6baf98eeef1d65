"""A Celery worker never ends a task holding more memory than a set bound: each pool process past
``CELERY_WORKER_MAX_MEMORY_PER_CHILD`` KiB is replaced once its task ends (Celery's ``worker_max_memory_per_child``),
1 GiB unless the environment says otherwise, and a bound that is not a positive number refuses to start."""

from statprogram.celery import app

from .test_settings import run

PRINT_BOUND = (
    "import django; django.setup(); from statprogram.celery import app; print(app.conf.worker_max_memory_per_child)"
)


def test_the_workers_memory_bound_is_set_by_default():
    assert app.conf.worker_max_memory_per_child == 1024 * 1024


def test_the_environment_sets_the_bound_and_a_bad_one_refuses_to_start():
    result = run(
        "-c",
        PRINT_BOUND,
        DEBUG="true",
        CELERY_WORKER_MAX_MEMORY_PER_CHILD="300000",
        DJANGO_SETTINGS_MODULE="statprogram.settings",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["300000"]

    refused = run("manage.py", "check", DEBUG="true", CELERY_WORKER_MAX_MEMORY_PER_CHILD="0")
    assert refused.returncode != 0
    assert "CELERY_WORKER_MAX_MEMORY_PER_CHILD must be a positive number" in refused.stderr
