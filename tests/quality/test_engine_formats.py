"""The engine's inputs: CSV, TSV, JSON, NDJSON, XLSX and gzip; encodings and delimiters; and files it must refuse
with a clear message (empty, HTML, binary, undecodable, a compression bomb)."""

from __future__ import annotations

import datetime
import gzip
import json
import zipfile

import openpyxl
import pytest

from quality.engine import UnreadableSource, check_file

NOW = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.UTC)
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
        {"name": "name", "type": "string"},
        {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
    ]
}


def get(result, check, column=""):
    return next(c for c in result.checks if c.check == check and c.column == column)


def write_bytes(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_reads_the_table(result, *, rows=3, bad_amount_row=None):
    assert result.row_count == rows and result.column_count == 3
    assert get(result, "missing_columns").status == "pass"
    amount = get(result, "type", "amount")
    if bad_amount_row is None:
        assert amount.status == "pass"
    else:
        assert amount.examples == [{"row": bad_amount_row, "column": "amount", "value": "n/a"}]


# --- delimited text ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "media_type", "delimiter", "status"),
    [
        ("data.csv", "", ",", "pass"),
        ("data.tsv", "", "\t", "pass"),
        ("data", "text/tab-separated-values", "\t", "pass"),
        ("data.txt", "", "|", "pass"),
        ("data.csv", "", ";", "warn"),
        ("data.csv", "", "\t", "warn"),
        ("data.tsv", "", ",", "warn"),
        ("data", "text/csv; charset=utf-8", ";", "warn"),
    ],
)
def test_delimiters_are_sniffed_and_a_mismatch_with_the_name_warns(tmp_path, name, media_type, delimiter, status):
    rows = [["id", "name", "amount"], ["1", "Alpha", "1.5"], ["2", "Beta", "n/a"], ["3", "Gamma", "2"]]
    path = write_bytes(tmp_path, name, "".join(delimiter.join(r) + "\n" for r in rows).encode())
    result = check_file(path, schema=SCHEMA, media_type=media_type, now=NOW)
    assert_reads_the_table(result, bad_amount_row=3)
    check = get(result, "delimiter")
    assert check.status == status
    if status == "warn":
        assert "separated by" in check.message and "named or served as" in check.message


def test_windows_line_endings_and_quoted_fields(tmp_path):
    data = b'id,name,amount\r\n1,"Smith, J.",1\r\n2,"say ""hi""",2\r\n3,"two\r\nlines",n/a\r\n'
    result = check_file(write_bytes(tmp_path, "d.csv", data), schema=SCHEMA, now=NOW)
    assert_reads_the_table(result, bad_amount_row=4)


# --- JSON -----------------------------------------------------------------------------------------------------------

RECORDS = [{"id": 1, "name": "Alpha", "amount": 1.5}, {"id": 2, "name": "Beta", "amount": "n/a"}, {"id": 3}]


def test_json_array_of_records(tmp_path):
    result = check_file(write_bytes(tmp_path, "d.json", json.dumps(RECORDS).encode()), schema=SCHEMA, now=NOW)
    assert_reads_the_table(result, bad_amount_row=2)
    assert get(result, "completeness", "name").value == pytest.approx(33.33, abs=0.01)
    assert "delimiter" not in {c.check for c in result.checks}


def test_ndjson_with_values_kept_as_written(tmp_path):
    text = "\n".join(json.dumps(r) for r in RECORDS) + "\n"
    result = check_file(write_bytes(tmp_path, "d.ndjson", text.encode()), schema=SCHEMA, now=NOW)
    assert_reads_the_table(result, bad_amount_row=2)


def test_json_served_without_a_name_is_recognised_by_its_content(tmp_path):
    path = write_bytes(tmp_path, "download", json.dumps(RECORDS).encode())
    assert_reads_the_table(check_file(path, schema=SCHEMA, media_type="text/csv", now=NOW), bad_amount_row=2)


@pytest.mark.parametrize(
    "document",
    [
        {"features": [{"attributes": r} for r in RECORDS]},  # ArcGIS
        {"success": True, "result": {"records": RECORDS}},  # CKAN datastore
        {"data": RECORDS, "meta": {"count": 3}},
    ],
)
def test_json_object_wrapping_its_records(tmp_path, document):
    path = write_bytes(tmp_path, "api.json", json.dumps(document, indent=2).encode())
    assert_reads_the_table(check_file(path, schema=SCHEMA, now=NOW), bad_amount_row=2)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"[1, 2, 3]", "not a list of records"),
        (b'[{"a": 1}, {"a": ', "not valid JSON"),
        (b'{"message": "nothing here"}', "no list of records"),
        (b"[]", "no records"),
    ],
)
def test_json_that_holds_no_records_is_unreadable(tmp_path, content, words):
    with pytest.raises(UnreadableSource, match=words):
        check_file(write_bytes(tmp_path, "d.json", content), now=NOW)


# --- XLSX -----------------------------------------------------------------------------------------------------------


def make_xlsx(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_cells_are_read_as_their_text_with_sheet_row_numbers(tmp_path):
    path = make_xlsx(
        tmp_path / "d.xlsx",
        [
            ["id", "name", "amount", "opened", "ok"],
            [1, "Alpha", 1.5, datetime.date(2026, 11, 20), True],
            [2, "Beta", "n/a", datetime.datetime(2026, 11, 21, 0, 0), False],
            [3, None, 4, datetime.datetime(2026, 11, 22, 10, 30), True],
            [None, None, None, None, None],
        ],
    )
    schema = {
        "fields": [
            *SCHEMA["fields"],
            {"name": "opened", "type": "datetime"},
            {"name": "ok", "type": "boolean"},
        ]
    }
    result = check_file(path, schema=schema, now=NOW)
    assert result.row_count == 3 and result.column_count == 5
    assert get(result, "type", "amount").examples == [{"row": 3, "column": "amount", "value": "n/a"}]
    assert get(result, "type", "ok").status == "pass"
    # a date cell at midnight is written as a date, which is not a datetime
    assert get(result, "type", "opened").examples[0]["row"] == 2
    assert get(result, "completeness", "name").value == pytest.approx(33.33, abs=0.01)


def test_a_zip_that_is_not_a_spreadsheet_is_refused(tmp_path):
    path = tmp_path / "d.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.csv", "a\n1\n")
    with pytest.raises(UnreadableSource, match="ZIP archive"):
        check_file(path, now=NOW)


# --- gzip and compression bombs ---------------------------------------------------------------------------------------


def test_gzip_of_csv_and_of_json(tmp_path):
    csv_gz = write_bytes(tmp_path, "d.csv.gz", gzip.compress(b"id,name,amount\n1,a,1\n2,b,n/a\n3,c,3\n"))
    assert_reads_the_table(check_file(csv_gz, schema=SCHEMA, now=NOW), bad_amount_row=3)
    json_gz = write_bytes(tmp_path, "d.json.gz", gzip.compress(json.dumps(RECORDS).encode()))
    assert_reads_the_table(check_file(json_gz, schema=SCHEMA, now=NOW), bad_amount_row=2)
    unnamed = write_bytes(tmp_path, "download", gzip.compress(b"id\tname\tamount\n1\ta\t1\n2\tb\t2\n3\tc\t3\n"))
    assert_reads_the_table(check_file(unnamed, schema=SCHEMA, media_type="application/gzip", now=NOW))


def test_a_compression_bomb_stops_at_the_cap(tmp_path):
    bomb = gzip.compress(b"a,b\n" + b"1,2\n" * 2_000_000, compresslevel=9)
    assert len(bomb) < 30_000
    path = write_bytes(tmp_path, "bomb.csv.gz", bomb)
    with pytest.raises(UnreadableSource, match="compression bomb") as caught:
        check_file(path, max_decompressed_bytes=1024 * 1024, now=NOW)
    assert "1 MB" in str(caught.value)
    assert check_file(path, max_decompressed_bytes=20 * 1024 * 1024, now=NOW).row_count == 2_000_000


def test_a_damaged_gzip_is_unreadable(tmp_path):
    data = gzip.compress(b"a,b\n1,2\n" * 1000)
    with pytest.raises(UnreadableSource, match="damaged or cut short"):
        check_file(write_bytes(tmp_path, "d.csv.gz", data[: len(data) // 2]), now=NOW)


# --- encodings ----------------------------------------------------------------------------------------------------


def test_utf8_with_a_byte_order_mark(tmp_path):
    path = write_bytes(tmp_path, "d.csv", "\ufeffid,name,amount\n1,Café,1\n2,b,2\n3,c,3\n".encode())
    result = check_file(path, schema=SCHEMA, now=NOW)
    assert_reads_the_table(result)
    assert get(result, "encoding").status == "pass" and "byte-order mark" in get(result, "encoding").message


def test_windows_1252_is_a_wrong_encoding_error_and_still_read(tmp_path):
    path = write_bytes(tmp_path, "d.csv", "id,name,amount\n1,Café “ok”,1\n2,Zoë,n/a\n3,c,3\n".encode("cp1252"))
    result = check_file(path, schema=SCHEMA, now=NOW)
    assert_reads_the_table(result, bad_amount_row=3)
    encoding = get(result, "encoding")
    assert encoding.status == "error" and "Wrong encoding" in encoding.message and "Windows-1252" in encoding.message
    assert "save it as UTF-8" in encoding.message and result.outcome == "error"


def test_utf16_is_a_wrong_encoding_error_and_still_read(tmp_path):
    path = write_bytes(tmp_path, "d.csv", "id,name,amount\n1,a,1\n2,b,n/a\n3,c,3\n".encode("utf-16"))
    result = check_file(path, schema=SCHEMA, now=NOW)
    assert_reads_the_table(result, bad_amount_row=3)
    encoding = get(result, "encoding")
    assert encoding.status == "error" and "UTF-16, not UTF-8" in encoding.message and result.outcome == "error"


def test_bytes_that_are_not_utf8_past_the_start_are_an_encoding_error(tmp_path):
    good = b"id,name,amount\n" + b"".join(b"%d,n\xc3\xa9,1\n" % i for i in range(1, 60_000))
    path = write_bytes(tmp_path, "d.csv", b"\xef\xbb\xbf" + good + b"60000,caf\xe9,1\n")
    result = check_file(path, schema=SCHEMA, now=NOW)
    encoding = get(result, "encoding")
    assert (encoding.status, encoding.value) == ("error", 1)
    assert encoding.examples[0]["row"] == 60_001 and "Wrong encoding" in encoding.message
    assert result.outcome == "error" and result.row_count == 60_000


def test_an_encoding_that_cannot_be_read_is_unreadable(tmp_path):
    # 0x81 and 0x8d are neither UTF-8 nor Windows-1252
    with pytest.raises(UnreadableSource, match="encoding that could not be read"):
        check_file(write_bytes(tmp_path, "d.csv", b"a,b\n1,\x81\x8d\x90\n"), now=NOW)


# --- not data at all -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"  \n\n ", "empty"),
        (gzip.compress(b"", mtime=0), "empty"),  # a fixed header: each xdist worker collects the same id
        (b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Gone</body></html>", "web page"),
        (b"\n  <html>\n<body>Please sign in</body></html>", "web page"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "xls"),
        (bytes(range(256)) * 40, "binary"),
    ],
)
def test_files_that_are_not_tables_are_unreadable_with_a_clear_message(tmp_path, content, words):
    with pytest.raises(UnreadableSource, match=words):
        check_file(write_bytes(tmp_path, "data.csv", content), now=NOW)


def test_a_missing_file_is_unreadable(tmp_path):
    with pytest.raises(UnreadableSource, match="does not exist"):
        check_file(tmp_path / "nope.csv", now=NOW)


def test_temporary_files_are_removed(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    check_file(write_bytes(tmp_path, "d.csv.gz", gzip.compress(b"a\n1\n")), now=NOW)
    with pytest.raises(UnreadableSource):
        check_file(write_bytes(tmp_path, "e.csv", b""), now=NOW)
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_file_name_duckdb_could_read_as_a_pattern(tmp_path):
    folder = tmp_path / "uploads [2026]"
    folder.mkdir()
    path = folder / "cases*.csv"
    path.write_text("id,name,amount\n1,a,1\n2,b,2\n3,c,3\n")
    (folder / "cases-other.csv").write_text("x\n1\n")
    assert_reads_the_table(check_file(path, schema=SCHEMA, now=NOW))
