"""``manage.py quality_check``: the table, the JSON object, and the exit status (0 pass, 1 a check fails,
2 the file cannot be read)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
        {"name": "opened", "type": "date"},
    ]
}


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("id,opened\n1,2026-11-20\n2,2026-11-21\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("id,opened\n1,2026-11-20\nx,2026-11-21\n1,someday\n")
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(SCHEMA))
    return {"good": good, "bad": bad, "schema": schema, "dir": tmp_path}


def _write(path, text):
    path.write_text(text)
    return path


def run(*args):
    out = io.StringIO()
    call_command("quality_check", *args, stdout=out)
    return out.getvalue()


def test_a_passing_file_prints_the_table_and_exits_0(files):
    output = run("--file", str(files["good"]), "--schema", str(files["schema"]))
    assert "STATUS" in output and "MESSAGE" in output
    assert "PASS    type" in output
    assert "Score: 100/100. Outcome: PASS." in output


def test_a_failing_check_exits_1_and_shows_the_offending_rows(files):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("quality_check", "--file", str(files["bad"]), "--schema", str(files["schema"]), stdout=out)
    assert exit_.value.code == 1
    output = out.getvalue()
    assert "FAIL    type" in output
    assert "row 3, id: 'x'" in output and "row 4, opened: 'someday'" in output


def test_json_prints_one_object_with_score_and_checks(files):
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "quality_check", "--file", str(files["bad"]), "--schema", str(files["schema"]), "--json", stdout=out
        )
    data = json.loads(out.getvalue())
    assert isinstance(data["score"], int) and 0 <= data["score"] < 100
    statuses = {c["status"] for c in data["checks"]}
    assert statuses <= {"pass", "warn", "fail", "error"} and "fail" in statuses
    for check in data["checks"]:
        assert {"check", "status", "value", "message", "examples"} <= set(check)
    type_id = next(c for c in data["checks"] if c["check"] == "type" and c["column"] == "id")
    assert type_id["value"] == 1 and type_id["examples"] == [{"row": 3, "column": "id", "value": "x"}]
    unique = next(c for c in data["checks"] if c["check"] == "unique")
    assert unique["status"] == "fail"


def test_frequency_and_date_column(files):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "quality_check",
            "--file",
            str(files["good"]),
            "--frequency",
            "R/P1D",
            "--date-column",
            "opened",
            "--json",
            stdout=out,
        )
    assert exit_.value.code == 1
    freshness = next(c for c in json.loads(out.getvalue())["checks"] if c["check"] == "freshness")
    assert freshness["status"] == "fail" and "opened" in freshness["message"]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: d / "missing.csv", "no such file"),
        (lambda d: _write(d / "empty.csv", ""), "empty"),
        (lambda d: _write(d / "page.csv", "<html><body>Error</body></html>"), "web page"),
    ],
)
def test_an_unreadable_file_exits_2(files, make, words):
    path = make(files["dir"])
    with pytest.raises(CommandError, match=words) as error:
        run("--file", str(path))
    assert error.value.returncode == 2


@pytest.mark.parametrize(
    ("schema_text", "words"),
    [
        ("{not json", "not valid JSON"),
        ('{"columns": []}', "not a Table Schema"),
        ('{"fields": [{"type": "x"}]}', "has no name"),
    ],
)
def test_a_bad_schema_exits_2(files, schema_text, words):
    schema = files["dir"] / "bad-schema.json"
    schema.write_text(schema_text)
    with pytest.raises(CommandError, match=words) as error:
        run("--file", str(files["good"]), "--schema", str(schema))
    assert error.value.returncode == 2


def _manage(*args):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "statprogram.settings_test"}
    return subprocess.run(
        [sys.executable, "manage.py", "quality_check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_exit_statuses_from_the_shell(files):
    """Exit 0 is call_command returning (above); here the shell sees 1 for a failing check, 2 for an unreadable file
    with the reason on stderr."""
    failed = _manage("--file", str(files["bad"]), "--schema", str(files["schema"]))
    assert failed.returncode == 1, failed.stderr
    assert "FAIL" in failed.stdout
    (files["dir"] / "empty.csv").write_bytes(b"")
    unreadable = _manage("--file", str(files["dir"] / "empty.csv"), "--json")
    assert unreadable.returncode == 2
    assert "The file is empty" in unreadable.stderr and unreadable.stdout == ""
