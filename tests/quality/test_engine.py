"""The engine's checks on small files: each check passing and failing, with its value, message and example rows."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from quality.engine import check_file
from quality.engine.freshness import period_of
from quality.engine.result import CheckOutcome, UnreadableSource
from quality.engine.score import ERROR_PENALTY, FAIL_PENALTY, SCORE_EXPLANATION, WARN_PENALTY, score_for
from quality.engine.thresholds import DEFAULTS, Thresholds

NOW = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.UTC)


def write(tmp_path, text: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def quoted(value: str) -> str:
    """A CSV field: quoted when it holds a delimiter or a quote."""
    return '"' + value.replace('"', '""') + '"' if ("," in value or '"' in value) else value


def field(name, type_="string", fmt="", **constraints):
    descriptor = {"name": name, "type": type_}
    if fmt:
        descriptor["format"] = fmt
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def schema(*fields, **extra):
    return {"fields": list(fields), **extra}


def get(result, check, column=""):
    found = [c for c in result.checks if c.check == check and c.column == column]
    assert len(found) == 1, f"{check} {column!r}: {[(c.check, c.column) for c in result.checks]}"
    return found[0]


def names(result):
    return {(c.check, c.column) for c in result.checks}


CLEAN = (
    "id,name,amount,opened,active\n"
    "1,Alpha,10.5,2026-11-20,true\n"
    "2,Beta,-3,2026-11-21,false\n"
    "3,Gamma,1e3,2026-11-25,TRUE\n"
)
CLEAN_SCHEMA = schema(
    field("id", "integer", required=True, unique=True),
    field("name", required=True),
    field("amount", "number"),
    field("opened", "date"),
    field("active", "boolean"),
)


def test_a_clean_file_passes_every_check_and_scores_100(tmp_path):
    result = check_file(write(tmp_path, CLEAN), schema=CLEAN_SCHEMA, now=NOW)
    assert [c for c in result.checks if c.status != "pass"] == []
    assert result.score == 100
    assert result.outcome == "pass" and not result.failed
    assert (result.row_count, result.column_count) == (3, 5)
    assert {("type", "id"), ("type", "amount"), ("type", "opened"), ("unique", "id"), ("required", "name")} <= names(
        result
    )
    assert get(result, "completeness", "amount").value == 0


def test_without_a_schema_only_the_schema_free_checks_run(tmp_path):
    result = check_file(write(tmp_path, CLEAN), now=NOW)
    kinds = {c.check for c in result.checks}
    assert kinds == {
        "encoding",
        "delimiter",
        "header",
        "ragged_rows",
        "row_count",
        "freshness",
        "blank_rows",
        "duplicate_rows",
        "completeness",
    }
    assert result.score == 100


# --- types -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "fmt", "good", "bad"),
    [
        ("integer", "", ["1", "-20", "+3", "007"], ["1.5", "abc", " 12", "1_000", "1e3"]),
        ("number", "", ["1", "-2.5", ".5", "1e3", "NaN", "INF"], ["1,5", "n/a", "12 ", "one"]),
        ("boolean", "", ["true", "False", "1", "0"], ["yes", "maybe", "t"]),
        ("date", "", ["2026-01-31", "2024-02-29"], ["2026-02-30", "2026-1-5", "31/01/2026", "2026-01-31T10:00"]),
        ("date", "%d/%m/%Y", ["31/01/2026", "01/02/2026"], ["2026-01-31", "31/13/2026", "32/01/2026"]),
        ("date", "any", ["2026-01-31", "01/31/2026"], ["someday", "2026-13-45"]),
        (
            "datetime",
            "",
            ["2026-01-31T10:20:30Z", "2026-01-31T10:20:30+02:00", "2026-01-31T10:20", "2026-01-31 10:20:30"],
            ["2026-01-31", "2026-01-31T25:00:00Z", "yesterday"],
        ),
        ("datetime", "%m/%d/%Y %H:%M", ["01/31/2026 10:20"], ["2026-01-31T10:20:00Z"]),
        ("time", "", ["10:20:30", "23:59"], ["24:61:00", "10h20"]),
        ("year", "", ["2026", "1999"], ["26", "20266", "year"]),
        ("yearmonth", "", ["2026-01", "1999-12"], ["2026-13", "2026/01", "2026"]),
        ("string", "email", ["a@b.org"], ["not an email", "a@b"]),
        ("string", "uuid", ["123e4567-e89b-12d3-a456-426614174000"], ["123e4567"]),
        ("object", "", ['{"a": 1}'], ["[1]", "{oops"]),
        ("array", "", ["[1, 2]"], ['{"a": 1}']),
        ("duration", "", ["P1D", "PT2H30M", "P1Y2M"], ["P", "1 day"]),
        ("geopoint", "", ["-73.98, 40.75"], ["north"]),
    ],
)
def test_type_check_reads_text_explicitly(tmp_path, type_, fmt, good, bad):
    content = "value\n" + "".join(quoted(v) + "\n" for v in good + bad)
    result = check_file(write(tmp_path, content), schema=schema(field("value", type_, fmt)), now=NOW)
    check = get(result, "type", "value")
    assert check.status == "fail"
    assert check.value == len(bad)
    flagged = [e["value"] for e in check.examples]
    assert flagged == bad[:5]
    first_bad_line = 2 + len(good)
    assert [e["row"] for e in check.examples] == list(range(first_bad_line, first_bad_line + len(flagged)))
    assert all(e["column"] == "value" for e in check.examples)


def test_n_a_is_a_value_not_a_silent_null(tmp_path):
    path = write(tmp_path, "amount\n1\nn/a\n\n3\n,\n")
    result = check_file(path, schema=schema(field("amount", "number")), now=NOW)
    assert get(result, "type", "amount").value == 1
    assert get(result, "type", "amount").examples == [{"row": 3, "column": "amount", "value": "n/a"}]


def test_declared_missing_values_count_as_empty(tmp_path):
    path = write(tmp_path, "amount,other\n1,x\nn/a,y\n-,z\n4,w\n")
    table_schema = schema(field("amount", "number"), field("other"), missingValues=["", "n/a", "-"])
    result = check_file(path, schema=table_schema, now=NOW)
    assert get(result, "type", "amount").status == "pass"
    assert get(result, "completeness", "amount").value == 50.0
    assert get(result, "completeness", "amount").status == "warn"


def test_group_and_decimal_characters(tmp_path):
    path = write(tmp_path, 'amount\n"1.234,5"\n"12,0"\nabc\n')
    descriptor = {"name": "amount", "type": "number", "groupChar": ".", "decimalChar": ","}
    result = check_file(path, schema=schema(descriptor), now=NOW)
    assert get(result, "type", "amount").value == 1


def test_custom_true_and_false_values(tmp_path):
    path = write(tmp_path, "flag\nyes\nno\ntrue\n")
    descriptor = {"name": "flag", "type": "boolean", "trueValues": ["yes"], "falseValues": ["no"]}
    check = get(check_file(path, schema=schema(descriptor), now=NOW), "type", "flag")
    assert (check.value, check.examples[0]["value"]) == (1, "true")


def test_a_format_duckdb_cannot_use_warns_instead_of_crashing(tmp_path):
    result = check_file(write(tmp_path, "d\n2026-01-01\n"), schema=schema(field("d", "date", "%Q")), now=NOW)
    check = get(result, "type", "d")
    assert check.status == "warn" and "cannot be checked" in check.message


# --- constraints -------------------------------------------------------------------------------------------------


def test_required_fails_on_any_empty_value_with_its_rows(tmp_path):
    path = write(tmp_path, "id,name\n1,a\n2,\n3,c\n4,\n")
    result = check_file(path, schema=schema(field("id"), field("name", required=True)), now=NOW)
    check = get(result, "required", "name")
    assert (check.status, check.value) == ("fail", 2)
    assert [e["row"] for e in check.examples] == [3, 5]
    assert "required" in check.message


def test_enum_compares_text_as_written_and_numbers_as_numbers(tmp_path):
    path = write(tmp_path, "status,level\nOpen,1\nopen,1.0\nClosed,3\nUnknown,2\n")
    table_schema = schema(field("status", enum=["Open", "Closed"]), field("level", "number", enum=[1, 2]))
    result = check_file(path, schema=table_schema, now=NOW)
    status = get(result, "enum", "status")
    assert (status.status, status.value) == ("fail", 2)
    assert [e["value"] for e in status.examples] == ["open", "Unknown"]
    assert "Open, Closed" in status.message
    level = get(result, "enum", "level")
    assert (level.value, level.examples) == (1, [{"row": 4, "column": "level", "value": "3"}])


def test_minimum_and_maximum_for_numbers_and_dates(tmp_path):
    path = write(tmp_path, "n,d\n0,2026-01-01\n5,2025-12-31\n11,2026-06-01\nx,2027-01-01\n")
    table_schema = schema(
        field("n", "integer", minimum=1, maximum=10), field("d", "date", minimum="2026-01-01", maximum="2026-12-31")
    )
    result = check_file(path, schema=table_schema, now=NOW)
    assert get(result, "minimum", "n").examples == [{"row": 2, "column": "n", "value": "0"}]
    assert get(result, "maximum", "n").examples == [{"row": 4, "column": "n", "value": "11"}]
    # "x" is a type error only, not also a range error
    assert get(result, "type", "n").value == 1
    assert get(result, "minimum", "d").examples == [{"row": 3, "column": "d", "value": "2025-12-31"}]
    assert get(result, "maximum", "d").value == 1
    assert "below the minimum of 1" in get(result, "minimum", "n").message


def test_a_minimum_that_is_not_of_the_type_warns(tmp_path):
    result = check_file(write(tmp_path, "d\n2026-01-01\n"), schema=schema(field("d", "date", minimum="soon")), now=NOW)
    assert get(result, "minimum", "d").status == "warn"


def test_pattern_is_a_full_match(tmp_path):
    path = write(tmp_path, "code\nAB-123\nAB-1234\nxAB-123\n\n")
    result = check_file(path, schema=schema(field("code", pattern="[A-Z]{2}-[0-9]{3}")), now=NOW)
    check = get(result, "pattern", "code")
    assert (check.value, [e["value"] for e in check.examples]) == (2, ["AB-1234", "xAB-123"])


def test_a_pattern_re2_cannot_compile_warns(tmp_path):
    result = check_file(write(tmp_path, "c\na\n"), schema=schema(field("c", pattern="(?=a)a")), now=NOW)
    check = get(result, "pattern", "c")
    assert check.status == "warn" and "cannot be checked" in check.message


def test_unique_reports_repeated_values(tmp_path):
    path = write(tmp_path, "id\n1\n2\n1\n\n\n3\n2\n")
    check = get(check_file(path, schema=schema(field("id", "integer", unique=True)), now=NOW), "unique", "id")
    assert (check.status, check.value) == ("fail", 2)
    assert sorted(e["value"] for e in check.examples) == ["1", "2"]


def test_primary_key_is_required_and_unique(tmp_path):
    path = write(tmp_path, "a,b\n1,x\n1,y\n1,x\n,z\n")
    result = check_file(path, schema=schema(field("a"), field("b"), primaryKey=["a", "b"]), now=NOW)
    assert get(result, "unique", "a, b").value == 1
    assert get(result, "required", "a").value == 1
    single = check_file(path, schema=schema(field("a"), field("b"), primaryKey="a"), now=NOW)
    assert get(single, "unique", "a").value == 2


# --- columns, rows and header --------------------------------------------------------------------------------------


def test_missing_columns_fail_and_unexpected_ones_warn(tmp_path):
    path = write(tmp_path, "ID , extra\n1,2\n")
    result = check_file(path, schema=schema(field("id", "integer"), field("name")), now=NOW)
    assert get(result, "missing_columns").status == "fail"
    assert "“name”" in get(result, "missing_columns").message
    assert get(result, "unexpected_columns").status == "warn"
    assert "“extra”" in get(result, "unexpected_columns").message
    # "ID " still matched "id", ignoring case and spaces
    assert get(result, "type", "id").status == "pass"


def test_blank_and_repeated_header_names_fail(tmp_path):
    result = check_file(write(tmp_path, "a,,b,A\n1,2,3,4\n"), now=NOW)
    header = get(result, "header")
    assert (header.status, header.value) == ("fail", 2)
    assert "column 2 has no name" in header.message and "“A”" in header.message
    assert get(check_file(write(tmp_path, "a,b\n1,2\n"), now=NOW), "header").status == "pass"


def test_ragged_rows_are_an_error_with_their_lines_and_the_other_checks_still_run(tmp_path):
    path = write(tmp_path, "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")
    result = check_file(path, now=NOW)
    check = get(result, "ragged_rows")
    assert (check.status, check.value) == ("error", 2)
    assert result.outcome == "error" and result.failed and result.score == 100 - ERROR_PENALTY
    assert "Ragged rows: 2 rows have more or fewer fields" in check.message
    assert "publish the file again" in check.message
    assert [(e["row"], e["value"]) for e in check.examples] == [(3, "4,5"), (4, "6,7,8,9")]
    assert result.row_count == 4
    assert "the header's 3 columns" in check.message
    assert get(result, "completeness", "a").message.endswith("(0 of 2).")


def test_unterminated_quotes_are_malformed_rows(tmp_path):
    result = check_file(write(tmp_path, 'a,b\n1,"x"y\n2,z\n'), now=NOW)
    check = get(result, "malformed_rows")
    assert check.status == "error" and check.examples[0]["row"] == 2
    assert result.outcome == "error" and get(result, "row_count").value == 2


def test_blank_rows_warn(tmp_path):
    result = check_file(write(tmp_path, "a,b\n1,2\n,\n3,4\n,\n"), now=NOW)
    check = get(result, "blank_rows")
    assert (check.status, check.value, [e["row"] for e in check.examples]) == ("warn", 2, [3, 5])


def test_duplicate_rows_warn_with_the_row_they_repeat(tmp_path):
    path = write(tmp_path, "a,b\n1,x\n2,y\n1,x\n3,z\n1,x\n")
    result = check_file(path, now=NOW)
    check = get(result, "duplicate_rows")
    assert (check.status, check.value) == ("warn", 2)
    assert check.examples[0]["row"] in (4, 6) and check.examples[0]["value"] == "same as row 2"
    relaxed = check_file(path, thresholds=Thresholds(duplicate_warn_percent=50), now=NOW)
    assert get(relaxed, "duplicate_rows").status == "pass"


def test_duplicate_rows_with_a_unique_column_are_the_rows_repeating_everything(tmp_path):
    """With a unique column the search is narrowed to rows whose value repeats or is empty: a repeated id on a
    different row is a unique failure only, and identical rows without an id are still duplicates."""
    path = write(tmp_path, "id,b\n1,x\n2,y\n1,x\n2,z\n,w\n3,v\n,w\n1,x\n")
    result = check_file(path, schema=schema(field("id", "integer", unique=True), field("b")), now=NOW)
    check = get(result, "duplicate_rows")
    assert check.value == 3  # rows 4 and 9 repeat row 2, row 8 repeats row 6
    assert {(e["row"], e["value"]) for e in check.examples} == {(8, "same as row 6"), (9, "same as row 2")}
    assert get(result, "unique", "id").value == 3  # 1 twice more, 2 once more


def test_completeness_warns_past_the_threshold(tmp_path):
    path = write(tmp_path, "a,b\n1,\n2,\n3,x\n4,x\n")
    result = check_file(path, now=NOW)
    check = get(result, "completeness", "b")
    assert (check.status, check.value) == ("warn", 50.0)
    assert "more than the 25% allowed" in check.message
    assert get(check_file(path, thresholds=Thresholds(empty_warn_percent=60), now=NOW), "completeness", "b").status == (
        "pass"
    )


def test_line_numbers_count_blank_lines_and_values_spanning_lines(tmp_path):
    path = write(tmp_path, 'id,note\n1,"two\nlines"\n\n2,ok\nx,bad\n')
    check = get(check_file(path, schema=schema(field("id", "integer"), field("note")), now=NOW), "type", "id")
    assert check.examples == [{"row": 6, "column": "id", "value": "x"}]


def test_at_most_five_examples(tmp_path):
    path = write(tmp_path, "n\n" + "x\n" * 20)
    check = get(check_file(path, schema=schema(field("n", "integer")), now=NOW), "type", "n")
    assert check.value == 20 and [e["row"] for e in check.examples] == [2, 3, 4, 5, 6]


def test_examples_are_the_first_offending_rows_in_a_file_read_in_parallel(tmp_path):
    """Several of DuckDB's row groups, scanned on every core: the examples are still the first rows, in file order."""
    bad = {7, 150_001, 260_000, 260_001, 299_998, 299_999}
    lines = [("x" if i in bad else str(i % 7)) + "\n" for i in range(300_000)]
    path = write(tmp_path, "n\n" + "".join(lines))
    result = check_file(path, schema=schema(field("n", "integer", maximum=5)), now=NOW)
    check = get(result, "type", "n")
    assert check.value == 6 and [e["row"] for e in check.examples] == [9, 150_003, 260_002, 260_003, 300_000]
    maximum = get(result, "maximum", "n")
    assert maximum.examples[:2] == [{"row": 8, "column": "n", "value": "6"}, {"row": 15, "column": "n", "value": "6"}]


def test_a_value_duckdb_would_cast_but_the_type_refuses_is_a_type_error_only(tmp_path):
    path = write(tmp_path, "n\n1_000\n 12\n+3\n0x1F\n")
    result = check_file(path, schema=schema(field("n", "integer", minimum=1, maximum=10)), now=NOW)
    assert get(result, "type", "n").value == 3  # "+3" is an integer
    assert (get(result, "maximum", "n").value, get(result, "minimum", "n").value) == (0, 0)


# --- row count and freshness ---------------------------------------------------------------------------------------


def test_zero_rows_fail(tmp_path):
    result = check_file(write(tmp_path, "a,b\n"), schema=schema(field("a"), field("b")), now=NOW)
    assert get(result, "row_count").status == "fail"
    assert result.row_count == 0 and result.failed


def test_row_count_change_past_the_threshold_warns(tmp_path):
    path = write(tmp_path, "a\n" + "1\n" * 10)
    assert get(check_file(path, previous_row_count=9, now=NOW), "row_count").status == "pass"
    dropped = get(check_file(path, previous_row_count=100, now=NOW), "row_count")
    assert dropped.status == "warn" and "90.0% fewer" in dropped.message
    jumped = get(check_file(path, previous_row_count=4, now=NOW), "row_count")
    assert jumped.status == "warn" and "150.0% more" in jumped.message
    assert (
        get(
            check_file(path, previous_row_count=4, thresholds=Thresholds(row_change_warn_percent=200), now=NOW),
            "row_count",
        ).status
        == "pass"
    )


def test_freshness_from_the_source_modified_date(tmp_path):
    path = write(tmp_path, "a\n1\n")
    fresh = get(
        check_file(path, frequency="R/P1D", source_modified=NOW - datetime.timedelta(days=2), now=NOW), "freshness"
    )
    assert fresh.status == "pass" and fresh.value == 2.0
    stale = get(
        check_file(path, frequency="R/P1D", source_modified=NOW - datetime.timedelta(days=5), now=NOW), "freshness"
    )
    assert stale.status == "fail" and "stale" in stale.message
    monthly = get(
        check_file(path, frequency="R/P1M", source_modified=NOW - datetime.timedelta(days=20), now=NOW), "freshness"
    )
    assert monthly.status == "pass"


def test_freshness_from_the_newest_date_in_a_column(tmp_path):
    path = write(tmp_path, "when,v\n2026-11-01,1\n2026-11-24,2\n2099-01-01,3\nnot a date,4\n")
    result = check_file(path, frequency="R/P1W", date_column="when", now=NOW)
    check = get(result, "freshness")
    assert check.status == "pass" and "2026-11-24" in check.message
    assert result.newest_date.startswith("2026-11-24")
    # 2.5 days old: within a day plus the default 3 days' grace, not within a day and none
    assert get(check_file(path, frequency="R/P1D", date_column="when", now=NOW), "freshness").status == "pass"
    strict = Thresholds(freshness_grace_days=0)
    stale = check_file(path, frequency="R/P1D", date_column="when", thresholds=strict, now=NOW)
    assert get(stale, "freshness").status == "fail"


def test_freshness_with_a_typed_date_column_in_its_format(tmp_path):
    path = write(tmp_path, "when\n20/11/2026\n25/11/2026\n")
    table_schema = schema(field("when", "date", "%d/%m/%Y"))
    result = check_file(path, schema=table_schema, frequency="R/P1D", date_column="when", now=NOW)
    assert get(result, "freshness").status == "pass"


def test_no_schedule_passes_and_says_so(tmp_path):
    path = write(tmp_path, "a\n1\n")
    for frequency in ("irregular", "", None):
        check = get(check_file(path, frequency=frequency, now=NOW), "freshness")
        assert check.status == "pass" and "No update schedule is declared" in check.message


def test_a_schedule_without_any_date_warns(tmp_path):
    path = write(tmp_path, "a\n1\n")
    check = get(check_file(path, frequency="R/P1D", date_column="missing", now=NOW), "freshness")
    assert check.status == "warn" and "“missing” is not in the file" in check.message


def test_period_of_iso_8601_frequencies():
    assert period_of("R/P1D") == datetime.timedelta(days=1)
    assert period_of("R/PT1H") == datetime.timedelta(hours=1)
    assert period_of("R/P1W") == datetime.timedelta(days=7)
    assert period_of("R/P3.5D") == datetime.timedelta(days=3.5)
    assert 15 <= period_of("R/P0.5M").days <= 15.3
    assert 365 <= period_of("R/P1Y").days <= 366
    assert period_of("irregular") is None and period_of("") is None and period_of("weekly") is None


# --- thresholds and score ------------------------------------------------------------------------------------------


def test_thresholds_for_a_dataset_take_its_overrides_and_keep_defaults_for_blanks():
    assert Thresholds.for_dataset(None) == DEFAULTS
    settings = SimpleNamespace(
        freshness_grace_days=None,
        row_change_warn_percent=10,
        empty_warn_percent=None,
        duplicate_warn_percent=5,
        max_bytes=None,
    )
    thresholds = Thresholds.for_dataset(settings)
    assert thresholds.row_change_warn_percent == 10 and thresholds.duplicate_warn_percent == 5
    assert thresholds.freshness_grace_days == DEFAULTS.freshness_grace_days
    assert thresholds.empty_warn_percent == DEFAULTS.empty_warn_percent
    assert thresholds.max_bytes == DEFAULTS.max_bytes


def test_score_formula():
    def checks(*statuses):
        return [CheckOutcome("x", s) for s in statuses]

    assert score_for(checks("pass", "pass")) == 100
    assert score_for(checks("pass", "warn")) == 100 - WARN_PENALTY
    assert score_for(checks("fail", "fail", "warn")) == 100 - 2 * FAIL_PENALTY - WARN_PENALTY
    assert score_for(checks(*["fail"] * 20)) == 0
    assert score_for(checks("pass", "error")) == 100 - ERROR_PENALTY
    assert score_for(checks("error", "fail", "warn")) == 100 - ERROR_PENALTY - FAIL_PENALTY - WARN_PENALTY
    assert f"takes off {ERROR_PENALTY} points" in SCORE_EXPLANATION and "“error”" in SCORE_EXPLANATION
    assert str(100 - 2 * FAIL_PENALTY - WARN_PENALTY) in SCORE_EXPLANATION


def test_the_result_as_json_has_score_and_checks(tmp_path):
    result = check_file(write(tmp_path, "a\nx\nx\n"), now=NOW)
    data = result.as_json()
    assert data["score"] == 100 - WARN_PENALTY
    for check in data["checks"]:
        assert {"check", "status", "value", "message", "examples"} <= set(check)


def test_thresholds_from_the_dataset_settings_model():
    from quality.models import DatasetQualitySettings

    settings = DatasetQualitySettings(freshness_grace_days=0, empty_warn_percent=90, max_bytes=1024)
    thresholds = Thresholds.for_dataset(settings)
    assert (thresholds.freshness_grace_days, thresholds.empty_warn_percent, thresholds.max_bytes) == (0, 90, 1024)
    assert thresholds.row_change_warn_percent == DEFAULTS.row_change_warn_percent
    assert thresholds.max_decompressed_bytes == DEFAULTS.max_decompressed_bytes


def test_a_check_that_cannot_run_is_an_error_and_the_others_still_count(tmp_path, monkeypatch):
    import duckdb

    import quality.engine as engine

    def broken(*args, **kwargs):
        raise duckdb.InvalidInputException("Invalid Input Error: out of temporary disk space")

    monkeypatch.setattr(engine, "duplicate_rows", broken)
    result = check_file(write(tmp_path, "a\n1\n"), now=NOW)
    error = get(result, "checks")
    assert error.status == "error" and "out of temporary disk space" in error.message
    assert result.outcome == "error" and result.failed and result.score == 100 - ERROR_PENALTY
    assert get(result, "row_count").status == "pass"


def test_the_checks_run_the_same_when_the_load_cannot_compute_them(tmp_path, monkeypatch):
    """The flags are normally computed while DuckDB reads the CSV; if that fails, the file is read plainly and the
    checks run in a pass of their own, with the same results."""
    import quality.engine as engine

    path = write(tmp_path, CLEAN + "4,,x,2026-02-30,maybe\n1,Alpha,10.5,2026-11-20,true\n")
    expected = check_file(path, schema=CLEAN_SCHEMA, now=NOW).as_json()
    real = engine.flagged

    def failing_on_the_reader(plan, source, **kwargs):
        return "SELECT no_such_column FROM t" if source.startswith("read_csv") else real(plan, source, **kwargs)

    monkeypatch.setattr(engine, "flagged", failing_on_the_reader)
    assert check_file(path, schema=CLEAN_SCHEMA, now=NOW).as_json() == expected
    assert {c["check"] for c in expected["checks"] if c["status"] != "pass"} >= {"required", "type", "duplicate_rows"}


def test_a_minimum_too_large_for_a_number_is_not_checked(tmp_path):
    result = check_file(write(tmp_path, "n\n1\n"), schema=schema(field("n", "integer", minimum=1e400)), now=NOW)
    assert get(result, "minimum", "n").status == "warn"


def test_checks_one_after_another_each_see_their_own_file_only(tmp_path):
    """A worker checks file after file (on the same DuckDB database, kept between checks): each result is its own
    file's, also after a check that could not read its file."""
    big = write(tmp_path, "id,name\n" + "".join(f"{i},n{i}\n" for i in range(1, 51)), "big.csv")
    small = write(tmp_path, "id,name\n1,a\n2,b\n1,a\n", "small.csv")
    unreadable = write(tmp_path, "", "empty.csv")
    ids = schema(field("id", "integer", unique=True), field("name"))

    first = check_file(big, schema=ids, now=NOW)
    with pytest.raises(UnreadableSource):
        check_file(unreadable, now=NOW)
    second = check_file(small, schema=ids, now=NOW)
    third = check_file(big, schema=ids, now=NOW)

    assert (first.row_count, get(first, "duplicate_rows").status, get(first, "unique", "id").status) == (
        50,
        "pass",
        "pass",
    )
    assert second.row_count == 3
    assert get(second, "duplicate_rows").value == 1
    assert get(second, "unique", "id").status == "fail"
    assert (third.row_count, get(third, "duplicate_rows").status) == (50, "pass")


def test_checks_in_two_threads_at_once_do_not_mix(tmp_path):
    """Two checks running at the same time in one process (threads) each read their own file."""
    import threading

    paths = [write(tmp_path, "id\n" + "".join(f"{i}\n" for i in range(rows)), f"f{rows}.csv") for rows in (3000, 7)]
    results: dict = {}

    def check(path):
        results[path.name] = [check_file(path, now=NOW).row_count for _ in range(3)]

    threads = [threading.Thread(target=check, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == {"f3000.csv": [3000] * 3, "f7.csv": [7] * 3}
