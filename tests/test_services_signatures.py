"""Every public service function that changes state takes the acting user as a keyword-only ``by`` with no default
(STYLE.md: "a service that changes state takes the actor and enforces the rule itself"), so no caller can forget to
say who acts: a view or the API passes ``request.user``; a management command, a Celery task or the demo passes
``None``, the system. ``by`` is typed ``User | None``, or ``None`` for a service only the system runs (the schedule,
the sweeper, deliveries), which refuses any user.

The test walks every module of the apps' services. A public function without such a ``by`` fails it unless it is on
:data:`WRITES_NOTHING`, the allow-list of pure helpers and reads; and since a list like that drifts, a function on it
whose own source shows a write fails too.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

SERVICE_PACKAGES = (
    "team.services",
    "inventory.services",
    "quality.services",
    "goals.services",
    "sessions.services",
    "budget.services",
)

#: Public functions of the service modules that write nothing (module → names), so take no ``by``. Each is a pure
#: computation, a read, or a check that raises or answers for a ``by`` it is given positionally.
WRITES_NOTHING: dict[str, set[str]] = {
    # Pure: an amount to the cent, a fiscal year's first and last day.
    "budget.services.data": {"money", "fiscal_year_bounds"},
    # Check an analysis's years: pure.
    "budget.services.analyses": {"clean_years"},
    "inventory.services.datajson.catalogue": {
        # Reads and shapes the public catalogue (data.json).
        "catalogue_chunks",
        "catalogue_rows",
        "catalogued_datasets",
        "contact_mailboxes",
        "contact_point",
        "datajson_catalog",
        "datajson_entries",
        "datajson_entry",
        "datajson_stream",
        "distribution_entry",
        "media_type",
        "schema_url_builder",
        "valid_temporal",
    },
    # Parse a catalogue and name its publishers: pure.
    "inventory.services.datajson.harvest": {"parse_catalog"},
    # Reading a catalogue a record at a time, and checking a record: nothing written.
    "inventory.services.datajson.reading": {"publisher_name", "read_catalogue"},
    "inventory.services.datajson.records": {"read_record", "record_label"},
    "inventory.services.datasets": {
        "changes_priority_score",  # pure: which fields rescore
        "delete_problems",  # a read: why a dataset cannot be deleted
        "new_identifier",  # pure
        "steward_is_valid",  # a read
    },
    "inventory.services.dictionary": {
        # Draft a dictionary from a file or a Table Schema, and check or export one: pure, or reads.
        "dictionary_from_csv",
        "dictionary_from_table_schema",
        "empty_field",
        "field_problems",
        "infer_type",
        "table_schema_field",
        "table_schema_for",
        "title_from_name",
    },
    # Reads of the questionnaire.
    "inventory.services.discovery": {"department_questionnaire", "discovery_departments"},
    # What is wrong with a row: pure.
    "inventory.services.parts": {"distribution_problems", "field_problems"},
    "inventory.services.priority": {
        "formula_in_words",  # pure
        "hold_priority_weights",  # takes a shared lock on the weights, writes nothing
        "priority_ranking",  # a read
        "priority_reasons",  # a read
        "priority_score_expression",  # builds SQL
        "stored_weights",  # a read
    },
    # Read an upload; export: reads.
    "inventory.services.tabular": {"export_csv", "export_queryset", "export_rows", "export_xlsx", "read_table"},
    "inventory.services.writes": {
        # The checks every dataset write makes (``by`` positional), and the row read again and locked.
        "allows",
        "distinct_names",
        "locked",
        "may_write",
        "require_keep_in",
        "require_write",
    },
    "quality.services.notifications": {"recipients_for"},  # a read
    # Settings read and pure arithmetic; the datasets the schedule looks at.
    "quality.services.runs": {"datasets_to_schedule", "max_attempts", "retry_countdown", "stuck_after"},
    "quality.services.schedule": {"describe_period", "next_slot", "slot_for"},  # pure
    # Where a dataset's data is, and a temporary local copy of it: nothing in the database.
    # ...and the message for a byte cap above the program's.
    "quality.services.sources": {"local_copy", "max_bytes_for", "max_bytes_problem", "source_for"},
    "quality.services.uploads": {"uploads_in_use", "uploads_to_prune"},  # reads: which uploads to keep, which to delete
    "goals.services.compute": {"read_source"},  # reads a dataset's data
    "goals.services.definitions": {"dictionary_columns"},  # a read
    "goals.services.observations": {"observations_plan", "read_observations"},  # a dry run, and reading a file
    "sessions.services.series": {"occurrences", "reporting_period"},  # pure: a cadence's dates, a session's period
    "sessions.services.checklist": {"step_due_at"},  # pure: when a standard step falls due
}

#: A job's steps (``core.jobs`` runners): the worker runs them as the job's author (``job.actor``), who was checked
#: by the service that started the job (``harvest_start``, ``import_start``...), and they pass that author on as
#: ``by`` to the services they call. They take the job, not ``by``.
JOB_RUNNERS: dict[str, set[str]] = {
    "inventory.services.jobs": {"dictionary_draft_job_run", "harvest_job_run", "import_job_run"},
    "budget.services.jobs": {"import_job_run"},
}

#: What a write looks like in a function's own source (not what it calls): the allow-list's guard against drift.
WRITE = re.compile(
    r"\.(save|delete|bulk_create|bulk_update|get_or_create|update_or_create|create)\("
    r"|\.update\(\w+=|_with_history\(|transaction\.atomic|on_commit\(|\.delay\("
)

#: Allow-listed functions whose source matches :data:`WRITE` without writing to the database, and why.
NOT_A_DATABASE_WRITE = {"inventory.services.tabular.export_xlsx": "saves the workbook it builds into memory"}

#: How ``by`` is typed: a user or the system, the system alone, or a user alone (a job is always someone's).
BY_TYPES = {"User | None", "None", "User"}


def service_modules() -> Iterator[ModuleType]:
    for name in SERVICE_PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(getattr(package, "__path__", []), f"{name}."):
            yield importlib.import_module(info.name)


def public_functions() -> Iterator[tuple[str, str, Callable]]:
    for module in service_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                yield module.__name__, name, function


def takes_by(function: Callable) -> bool:
    by = inspect.signature(function).parameters.get("by")
    return by is not None and by.kind is inspect.Parameter.KEYWORD_ONLY and by.default is inspect.Parameter.empty


def test_every_service_that_may_write_takes_by_without_a_default():
    missing = [
        f"{module}.{name}"
        for module, name, function in public_functions()
        if not takes_by(function) and name not in WRITES_NOTHING.get(module, set()) | JOB_RUNNERS.get(module, set())
    ]
    assert missing == [], "give each a keyword-only `by` with no default (or, if it writes nothing, allow-list it)"


def test_by_is_typed_as_a_user_or_the_system():
    untyped = {
        f"{module}.{name}": by.annotation
        for module, name, function in public_functions()
        if (by := inspect.signature(function).parameters.get("by")) is not None and by.annotation not in BY_TYPES
    }
    assert untyped == {}


def test_the_allow_list_names_functions_that_exist_and_take_no_by():
    found = {(module, name): function for module, name, function in public_functions()}
    stale = [
        f"{module}.{name}"
        for module, names in WRITES_NOTHING.items()
        for name in names
        if (module, name) not in found or takes_by(found[module, name])
    ]
    assert stale == []


def test_allow_listed_helpers_show_no_write_of_their_own():
    allowed = {(module, name) for module, names in WRITES_NOTHING.items() for name in names}
    writing = [
        f"{module}.{name}: {match.group(0)}"
        for module, name, function in public_functions()
        if (module, name) in allowed
        and f"{module}.{name}" not in NOT_A_DATABASE_WRITE
        and (match := WRITE.search(inspect.getsource(function)))
    ]
    assert writing == []


def system_only() -> list[tuple[str, Callable]]:
    return [
        (f"{module}.{name}", function)
        for module, name, function in public_functions()
        if takes_by(function) and inspect.signature(function).parameters["by"].annotation == "None"
    ]


def test_the_system_only_services_are_the_schedule_deliveries_and_computations():
    assert {name for name, _ in system_only()} == {
        "quality.services.notifications.digest_send_all",
        "quality.services.notifications.notification_send",
        "quality.services.notifications.notify_failing",
        "quality.services.runs.schedule_due",
        "quality.services.runs.sweep_stuck_runs",
        "goals.services.compute.measures_compute",
        "goals.services.compute.on_quality_run_finished",
        "goals.services.compute.sweep_stuck_computations",
        "sessions.services.checklist.checklist_send_reminders",
        "sessions.services.memo.memo_email_send",
        "sessions.services.actions.action_items_remind_overdue",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "function"), system_only(), ids=[name for name, _ in system_only()])
def test_a_service_only_the_system_runs_refuses_a_user(name, function):
    # Refused before anything is read, so the other arguments do not matter.
    required = {
        parameter: None
        for parameter, spec in inspect.signature(function).parameters.items()
        if spec.default is inspect.Parameter.empty and parameter != "by"
    }
    with pytest.raises(PermissionDenied):
        function(**required, by=User(username="someone@example.gov"))
