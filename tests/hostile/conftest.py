"""The hostile files, made once per test session (each is small on disk, and quick to write)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl.reader.excel import ExcelReader

from . import files


@pytest.fixture(scope="session")
def bombs(tmp_path_factory) -> dict[str, Path]:
    """The ZIP bombs by name: shared strings inflating to 200 MB, a worksheet compressed 1,000 to 1, 100,000 members."""
    folder = tmp_path_factory.mktemp("bombs")
    return {
        "shared strings bomb": files.shared_strings_bomb(folder / "strings.xlsx"),
        "high-ratio member": files.ratio_bomb(folder / "ratio.xlsx"),
        "100,000 members": files.many_members(folder / "members.xlsx"),
    }


#: What each bomb's refusal says.
BOMB_MESSAGES = {
    "shared strings bomb": "compression bomb",
    "high-ratio member": "compression bomb",
    "100,000 members": "100,006 parts",
}


@pytest.fixture
def no_parsing(monkeypatch):
    """Any workbook parse fails the test: a bomb must be refused before openpyxl reads a single part."""

    def parsed(self):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(ExcelReader, "read", parsed)


@contextmanager
def peak_memory() -> Iterator[Callable[[], int]]:
    """``with peak_memory() as peak: ...; peak()`` is the most memory Python held at once inside the block, in
    bytes (tracemalloc)."""
    tracemalloc.start()
    peak = 0
    try:
        yield lambda: peak
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
