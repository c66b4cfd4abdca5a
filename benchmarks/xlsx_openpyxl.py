"""The alternative measured against hunter_cli/xlsx.py: openpyxl's read-only mode behind cheap guards.

Same public interface as hunter_cli/xlsx.py (read_rows, estimate_rows,
ReadNotes, WorkbookError, MAX_COLUMNS, MAX_CELL_CHARS), so
``benchmarks/xlsx_bounds.py --reader openpyxl`` can run `hunter import` with
it in place of the own reader. Kept so the decision recorded in
docs/reliability.md ("Input files") can be measured again when openpyxl
changes; Hunter itself does not use it.

Guards in front of openpyxl, all before or between its own steps:

- the ZIP central directory: the declared uncompressed sizes of all parts
  together may be at most BUDGET_BASE + BUDGET_RATIO x the file size
  (:mod:`zipfile` never yields more than a member's declared size: it cuts the
  stream there and fails the CRC check);
- one streaming pass over every part counting markup (``<``) against
  MARKUP_BASE + MARKUP_PER_BYTE x the file size, refusing ``<!DOCTYPE`` and
  estimating the nesting depth at the end of each chunk;
- defusedxml (openpyxl uses it when it is installed) forbids entity
  declarations in whatever the byte scan missed (UTF-16 parts);
- ``reset_dimensions()`` so a lying ``<dimension>`` pads nothing; cells right of
  MAX_COLUMNS are counted, not kept; texts are cut at MAX_CELL_CHARS; the
  checkpoint runs between rows.
"""

from __future__ import annotations

import datetime
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

import defusedxml
import openpyxl

MAX_COLUMNS = 1024
MAX_CELL_CHARS = 1000
BUDGET_BASE = 32 << 20  # bytes all parts may unpack to ...
BUDGET_RATIO = 32  # ... plus this many times the size of the file (as hunter_cli/xlsx.py)
MARKUP_BASE = 500_000  # '<' any workbook may hold ...
MARKUP_PER_BYTE = 2  # ... plus this many per byte of the file (about hunter_cli/xlsx.py's element budget)
MAX_DEPTH = 64
_CHUNK = 1 << 16


class WorkbookError(ValueError):
    """The workbook cannot be read: not an .xlsx file, damaged, or over a bound (the text says which)."""


@dataclass
class ReadNotes:
    """What the reader left out of a workbook it did read, for the summary."""

    ignored_cells: int = 0
    cut_texts: int = 0
    ignored_rows: list[int] = field(default_factory=list)


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


def _open(path: str, name: str) -> zipfile.ZipFile:
    try:
        with open(path, "rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise WorkbookError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise WorkbookError(
            f"{name}: this is a password-protected workbook or an old .xls file; save it as .xlsx without"
            " a password, or as CSV"
        )
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise WorkbookError(f"{name}: not an Excel workbook (an .xlsx file is a ZIP archive: {exc})") from None


def _guard(zf: zipfile.ZipFile, name: str, size: int, checkpoint: Callable[[], None] | None) -> None:
    """Refuse a package whose parts unpack to too much, hold too much markup, nest too deep or declare a DTD."""
    infos = zf.infolist()
    budget = BUDGET_BASE + BUDGET_RATIO * size
    if sum(i.file_size for i in infos) > budget:
        big = max(infos, key=lambda i: i.file_size)
        raise WorkbookError(
            f"{name}: refused: its part {big.filename} unpacks to {_mb(big.file_size)} from a"
            f" {_mb(size)} file, far more than a genuine workbook (a ZIP bomb?); if the file is genuine, save it as CSV"
        )
    markup_left = MARKUP_BASE + MARKUP_PER_BYTE * size
    for info in infos:
        depth = 0
        tail = b""
        try:
            with zf.open(info) as fh:
                first = fh.read(_CHUNK)
                if not first.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\0").startswith(b"<"):
                    continue  # not XML (an image, a binary part): openpyxl does not parse it
                chunk = first
                while chunk:
                    markup_left -= chunk.count(b"<")
                    if markup_left < 0:
                        raise WorkbookError(
                            f"{name}: refused: {info.filename} holds more XML elements than a {_mb(size)}"
                            " workbook genuinely can; if the file is genuine, save it as CSV"
                        )
                    if b"<!DOCTYPE" in tail + chunk[:16] or b"<!DOCTYPE" in chunk:
                        raise WorkbookError(f"{name}: refused: {info.filename} declares a document type (DTD)")
                    closes = chunk.count(b"</")
                    depth += chunk.count(b"<") - chunk.count(b"<?") - chunk.count(b"<!") - 2 * closes
                    depth -= chunk.count(b"/>")
                    if depth > MAX_DEPTH:
                        raise WorkbookError(
                            f"{name}: refused: {info.filename} nests elements more than {MAX_DEPTH} deep"
                        )
                    tail = chunk[-16:]
                    if checkpoint is not None:
                        checkpoint()
                    chunk = fh.read(_CHUNK)
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
            raise WorkbookError(f"{name}: the workbook is damaged ({info.filename}: {exc})") from None


def _text(value: object) -> str:
    if value is None:
        return ""
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def read_rows(
    path: str, name: str, notes: ReadNotes | None = None, checkpoint: Callable[[], None] | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(Excel row number, cell texts from column A) for each row with a value in the first worksheet."""
    notes = notes if notes is not None else ReadNotes()
    size = os.path.getsize(path)
    zf = _open(path, name)
    part = "the workbook"
    try:
        _guard(zf, name, size, checkpoint)
        with open(path, "rb") as fh:  # a file object: openpyxl checks a path's extension (export.csv)
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
            try:
                if not wb.worksheets:
                    raise WorkbookError(f"{name}: the workbook has no worksheet")
                ws = wb.worksheets[0]
                part = getattr(ws, "_worksheet_path", part)
                ws.reset_dimensions()
                for number, values in enumerate(ws.iter_rows(values_only=True), 1):
                    if checkpoint is not None and not number & 255:
                        checkpoint()
                    if not values:
                        continue
                    cells = [_text(v) for v in values[:MAX_COLUMNS]]
                    ignored = sum(v is not None and v != "" for v in values[MAX_COLUMNS:])
                    if ignored:
                        notes.ignored_cells += ignored
                        if len(notes.ignored_rows) < 5:
                            notes.ignored_rows.append(number)
                    for i, text in enumerate(cells):
                        if len(text) > MAX_CELL_CHARS:
                            cells[i] = text[:MAX_CELL_CHARS]
                            notes.cut_texts += 1
                    while cells and not cells[-1]:
                        cells.pop()
                    if cells:
                        yield number, cells
            finally:
                wb.close()
    except defusedxml.DefusedXmlException:
        raise WorkbookError(f"{name}: refused: {part} declares a document type (DTD)") from None
    except (ParseError, KeyError, ValueError, TypeError, IndexError) as exc:
        if isinstance(exc, WorkbookError):
            raise
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        if isinstance(cause, defusedxml.DefusedXmlException):  # wrapped by load_workbook
            raise WorkbookError(f"{name}: refused: {part} declares a document type (DTD)") from None
        raise WorkbookError(f"{name}: the workbook is damaged ({part}: {cause})") from None
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
        raise WorkbookError(f"{name}: the workbook is damaged ({part}: {exc})") from None
    finally:
        zf.close()


def estimate_rows(path: str) -> int | None:
    """A cheap row count for a progress bar: the declared ``<dimension>`` of the first sheet, or None."""
    try:
        with _open(path, path) as zf:
            _guard(zf, path, os.path.getsize(path), None)
        with open(path, "rb") as fh:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
            rows = wb.worksheets[0].max_row if wb.worksheets else None
            wb.close()
    except Exception:  # noqa: BLE001  # a progress estimate never fails the run
        return None
    return rows
