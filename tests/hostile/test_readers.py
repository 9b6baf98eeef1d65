"""Every reader of a spreadsheet refuses a ZIP bomb before parsing it, in little memory, with a message; the bounded
opener's limits one by one (members, ratio, sizes, shared strings declared and counted, rows, columns, cells, a
damaged ZIP); and the text checks every reader shares."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from core.admin_formats import BoundedXLSX
from core.spreadsheets import MB, SheetLimits, ZipLimits, _read_shared_strings, xlsx_rows
from core.uploads import RefusedFile, looks_like_html, refuse_nul_in_file
from goals.computation import ComputeError
from goals.computation import read_table as goals_read_table
from inventory.services.tabular import TableError
from inventory.services.tabular import read_table as import_read_table
from quality.engine.result import UnreadableSource
from quality.engine.source import prepare

from . import files
from .conftest import BOMB_MESSAGES, peak_memory

#: Refusing a bomb reads its ZIP directory and a few headers: far under this.
REFUSAL_MEMORY = 40 * MB
BOMBS = list(BOMB_MESSAGES)


def _engine(path: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir(exist_ok=True)
    prepare(path, workdir, max_decompressed_bytes=2 * 1024 * MB)


READERS = {
    "core opener": (lambda path, tmp: xlsx_rows(path).__enter__(), RefusedFile),
    "dataset import": (lambda path, tmp: import_read_table(io.BytesIO(path.read_bytes()), "d.xlsx"), TableError),
    "quality engine": (_engine, UnreadableSource),
    "measure computation": (lambda path, tmp: goals_read_table(path.read_bytes(), "d.xlsx"), ComputeError),
    "admin import": (lambda path, tmp: BoundedXLSX().create_dataset(path.read_bytes()), RefusedFile),
}


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("bomb", BOMBS)
def test_every_reader_refuses_a_bomb_before_parsing_it_in_little_memory(bombs, no_parsing, tmp_path, reader, bomb):
    read, error = READERS[reader]
    with peak_memory() as peak, pytest.raises(error) as refused:
        read(bombs[bomb], tmp_path)
    assert BOMB_MESSAGES[bomb] in str(refused.value)
    assert peak() < REFUSAL_MEMORY, f"{reader} held {peak() / MB:.0f} MB refusing the {bomb}"


def test_a_good_workbook_reads_in_every_reader(tmp_path):
    path = files.write_workbook(tmp_path / "good.xlsx")
    with xlsx_rows(path) as rows:
        assert [tuple(r) for r in rows] == [("title", "department"), ("Calls for service", "PD")]
    assert import_read_table(io.BytesIO(path.read_bytes()), "d.xlsx")[1] == [
        {"title": "Calls for service", "department": "PD"}
    ]
    assert list(goals_read_table(path.read_bytes(), "d.xlsx")["department"]) == ["PD"]
    assert BoundedXLSX().create_dataset(path.read_bytes()).dict == [{"title": "Calls for service", "department": "PD"}]
    prepared = prepare(path, tmp_path, max_decompressed_bytes=10 * MB)
    assert prepared.header == ["title", "department"]


# --- the opener's limits, one by one ------------------------------------------------------------------------------


def test_the_directory_is_judged_before_zipfile_reads_it(bombs, monkeypatch):
    import zipfile

    def no_zipfile(*args, **kwargs):
        raise AssertionError("zipfile read the directory")

    monkeypatch.setattr(zipfile.ZipFile, "__init__", no_zipfile)
    with pytest.raises(RefusedFile, match="100,006 parts"), xlsx_rows(bombs["100,000 members"]):
        pass


def test_total_and_member_sizes_are_capped(tmp_path):
    path = files.write_workbook(tmp_path / "w.xlsx")
    with pytest.raises(RefusedFile, match="inflates to .* more than the 1,000 bytes"):
        xlsx_rows(path, SheetLimits(zip=ZipLimits(max_total_bytes=1000))).__enter__()
    with pytest.raises(RefusedFile, match=r"A part of the file \(.*\) inflates"):
        xlsx_rows(path, SheetLimits(zip=ZipLimits(max_member_bytes=300))).__enter__()
    with pytest.raises(RefusedFile, match="a workbook needs"):
        xlsx_rows(path, SheetLimits(max_xml_part_bytes=100)).__enter__()


def test_shared_strings_declared_past_the_limit_are_refused_unread(tmp_path, no_parsing):
    strings = files.shared_strings_xml(files.GOOD_STRINGS, declared=50_000_000)
    path = files.write_workbook(tmp_path / "w.xlsx", shared_strings=strings)
    with pytest.raises(RefusedFile, match="50,000,000 distinct texts"):
        xlsx_rows(path).__enter__()


def test_shared_strings_are_counted_while_read_whatever_the_file_declares(tmp_path):
    strings = files.shared_strings_xml((f"t{i}" for i in range(20_000)), declared=2)
    path = files.write_workbook(tmp_path / "w.xlsx", shared_strings=strings)
    with peak_memory() as peak, pytest.raises(RefusedFile, match="10,001 distinct texts"):
        xlsx_rows(path, SheetLimits(max_shared_strings=10_000)).__enter__()
    assert peak() < 10 * MB


def test_the_shared_strings_reader_keeps_only_the_strings():
    xml = files.shared_strings_xml(f"v{i}" for i in range(40_000))
    with peak_memory() as peak:
        strings = _read_shared_strings(io.BytesIO(xml), SheetLimits())
    assert len(strings) == 40_000 and strings[-1] == "v39999"
    assert peak() < 4 * MB  # about 3 MB; openpyxl's own reader keeps every parsed element too: about 6 MB


def test_rows_cells_and_columns_are_counted_while_streaming(tmp_path):
    sheet = files.sheet_xml([[1, 2, 3]] * 50)
    path = files.write_workbook(tmp_path / "w.xlsx", sheet=sheet)
    for limits, message in (
        (SheetLimits(max_rows=10), "more than 10 rows"),
        (SheetLimits(max_cells=100), "more than 100 cells"),
        (SheetLimits(max_columns=2), "3 columns, more than the 2 accepted"),
    ):
        with pytest.raises(RefusedFile, match=message), xlsx_rows(path, limits) as rows:
            list(rows)


def test_a_declared_size_pads_nothing(tmp_path):
    """A sheet declaring A1:XFD1048576 yields its rows as long as their cells, not 16,384 wide."""
    sheet = files.sheet_xml(files.GOOD_ROWS).replace(b"<sheetData>", b'<dimension ref="A1:XFD1000"/><sheetData>')
    path = files.write_workbook(tmp_path / "w.xlsx", sheet=sheet)
    with xlsx_rows(path) as rows:
        assert [len(row) for row in rows] == [2, 2]


@pytest.mark.parametrize(
    "content",
    [b"PK\x03\x04not really a zip", b"PK\x05\x06" + b"\x00" * 18],
    ids=["no directory", "empty"],
)
def test_a_damaged_zip_is_refused_in_words(tmp_path, content):
    path = tmp_path / "d.xlsx"
    path.write_bytes(content)
    with pytest.raises(RefusedFile, match="not a valid XLSX workbook|not an Excel workbook"):
        xlsx_rows(path).__enter__()


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "d.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.csv", "a,b\n1,2\n")
    with pytest.raises(RefusedFile, match="ZIP archive, not an Excel workbook"):
        xlsx_rows(path).__enter__()


# --- the text checks ----------------------------------------------------------------------------------------------


def test_a_nul_anywhere_in_a_file_is_found_with_its_line(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 3_000_000 + b"3,\x00\n")  # past the first 4 MB chunk
    with pytest.raises(RefusedFile, match="line 3,000,002"):
        refuse_nul_in_file(path)


@pytest.mark.parametrize(
    "head", [files.HTML_PAGE, b"\xef\xbb\xbf  <html lang=en>", b"<?xml version='1.0'?>\n<html>", b"x\n<HTML>"]
)
def test_web_pages_are_recognised(head):
    assert looks_like_html(head)


def test_a_csv_is_not_a_web_page():
    assert not looks_like_html(b"title,description\nPage,Our <html> guide\n" * 100)
