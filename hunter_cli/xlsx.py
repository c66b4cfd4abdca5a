"""Read a worksheet of an ``.xlsx`` workbook as rows of text, within fixed bounds.

An ``.xlsx`` file is a ZIP archive of XML parts (ECMA-376 Part 2 for the
package and its relationships; Part 1 §18.2 for the workbook, §18.3 for
worksheets, §18.4 for the shared string table). This reader streams the parts
through expat with its own handlers: no element tree is built, only the current
row is held, and every text is cut while it is read. The work is bounded by
what the workbook really contains, never by what it claims:

- ``<dimension>`` is ignored: a row holds the cells that are present, and rows
  that are absent or empty are not produced (no padding to 1,048,576 x 16,384).
- Cells right of column :data:`MAX_COLUMNS` are ignored and counted; every text
  is cut at :data:`MAX_CELL_CHARS` characters.
- The parts read may unpack to at most :data:`BUDGET_BASE` bytes plus
  :data:`BUDGET_RATIO` times the size of the file, checked against the
  archive's directory before anything is unpacked (:mod:`zipfile` never returns
  more than the declared size). They may hold at most :data:`ELEMENTS_BASE`
  elements plus :data:`ELEMENTS_PER_BYTE` per byte of the file, counted while
  parsing, nested at most :data:`MAX_DEPTH` deep.
- A document type declaration (the vehicle of entity-expansion bombs) is refused;
  workbooks never contain one.

A workbook over a bound is refused with :class:`WorkbookError` naming the bound.
Genuine workbooks are far inside them: spreadsheet XML compresses 5-10 times,
with well under one element per byte of the file. A workbook under 1 MB is read
or refused within about 5 s and 200 MB (``benchmarks/xlsx_bounds.py`` measures it).
openpyxl's read-only mode, even behind guards, cannot meet that bound without
refusing genuine workbooks (docs/reliability.md, "Input files"), hence this reader.
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

from .said import Said

MAX_COLUMNS = 1024  # cells right of column AMJ are ignored
MAX_CELL_CHARS = 1000  # longer texts are cut (domains.MAX_INPUT_LENGTH is 512)
BUDGET_BASE = 32 << 20  # bytes of XML any workbook may unpack to ...
BUDGET_RATIO = 32  # ... plus this many times the size of the file
ELEMENTS_BASE = 250_000  # XML elements any workbook may hold ...
ELEMENTS_PER_BYTE = 1  # ... plus this many per byte of the file
MAX_DEPTH = 64  # real parts nest fewer than ten deep
_CHUNK = 1 << 16
_REL = "/relationships/"


class LinkedText(str):
    """A cell's text with the hyperlink attached to it: the sheet's ``<hyperlink>`` (§18.3.1.47) through
    its external relationship, or the URL of a ``HYPERLINK("url", "name")`` formula (§18.17.7.145).
    ``link`` is the target as written (``https://www.acme.com.tr/``, ``mailto:info@acme.com.tr``)."""

    link: str

    def __new__(cls, text: str, link: str) -> LinkedText:
        obj = super().__new__(cls, text)
        obj.link = link
        return obj


MAX_LINKS = 100_000  # hyperlinks read from one sheet; more are ignored
# HYPERLINK("url"[, "name"]) with literal texts (a doubled quote is a quote); another first argument is no URL
_HYPERLINK = re.compile(
    r'\s*(?:_xlfn\.)?HYPERLINK\(\s*"((?:[^"]|"")*)"\s*(?:[,;]\s*"((?:[^"]|"")*)"\s*)?\)\s*\Z', re.IGNORECASE
)


def hyperlink_formula(formula: str) -> tuple[str, str | None] | None:
    """``HYPERLINK("http://acme.com.tr","Site")`` -> ``("http://acme.com.tr", "Site")``: the URL and the
    shown name of a HYPERLINK formula whose arguments are literal texts, else None. Pure."""
    found = _HYPERLINK.match(formula)
    if found is None:
        return None
    url, name = found.group(1).replace('""', '"').strip(), found.group(2)
    return (url, name.replace('""', '"') if name is not None else None) if url else None


def _cell_at(ref: str) -> tuple[int, int] | None:
    """``B3`` -> (row 3, column 1), or None."""
    col = _column(ref)
    digits = ref.lstrip("$ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz").replace("$", "")
    if col is None or not digits.isdigit() or len(digits) > 8:
        return None
    return int(digits), col


class WorkbookError(ValueError):
    """The workbook cannot be read: not an .xlsx file, damaged, or over a bound (the text says which)."""


@dataclass
class ReadNotes:
    """What the reader left out of a workbook it did read, for the summary."""

    ignored_cells: int = 0  # cells right of MAX_COLUMNS
    cut_texts: int = 0  # texts longer than MAX_CELL_CHARS
    ignored_rows: list[int] = field(default_factory=list)  # first few rows with ignored cells


def _local(name: str) -> str:
    """The local name of a tag: expat without namespace processing reports ``x:c`` for a prefixed ``c``."""
    return name[name.rfind(":") + 1 :]


def _column(ref: str | None) -> int | None:
    """0-based column of a cell reference like ``AB12`` (§18.3.1.4 ``r``); None when absent or malformed."""
    if not ref:
        return None
    n = 0
    for ch in ref:
        o = ord(ch) | 32  # lower case
        if 97 <= o <= 122:
            n = n * 26 + (o - 96)
            if n > 20_000:
                return None
        else:
            break
    return n - 1 if n else None


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


class _Budget:
    """Bytes to unpack and elements to parse, shared by all parts of one workbook."""

    def __init__(self, name: str, file_size: int) -> None:
        self.name = name
        self.file_size = file_size
        self.bytes_left = BUDGET_BASE + BUDGET_RATIO * file_size
        self.elements_left = ELEMENTS_BASE + ELEMENTS_PER_BYTE * file_size

    def take_bytes(self, info: zipfile.ZipInfo) -> None:
        self.bytes_left -= info.file_size
        if self.bytes_left < 0:
            raise WorkbookError(
                Said(
                    "input.error.zip_bomb",
                    name=self.name,
                    part=info.filename,
                    unpacked=_mb(info.file_size),
                    size=_mb(self.file_size),
                )
            )


_UNKNOWN = object()


class _Part:
    """Feeds one XML part to expat in chunks; subclasses name the elements they handle.

    ``STARTS`` and ``ENDS`` map local names to method names; every other element
    costs one dictionary lookup. The element budget and the nesting depth are
    checked after each chunk of :data:`_CHUNK` bytes, so a bomb overshoots by at
    most one chunk's worth.
    """

    STARTS: dict[str, str] = {}
    ENDS: dict[str, str] = {}

    def __init__(self, budget: _Budget, part: str) -> None:
        self.budget = budget
        self.part = part
        self.starts = 0
        self.ends = 0
        self.capture: list[str] | None = None  # text being collected, if any
        self.captured = 0
        self.cut = False
        self.on_start: dict[str, Callable[[dict[str, str]], None] | None] = {}
        self.on_end: dict[str, Callable[[], None] | None] = {}

    # expat callbacks -----------------------------------------------------------------------
    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.starts += 1
        handler = self.on_start.get(name, _UNKNOWN)
        if handler is _UNKNOWN:
            method = self.STARTS.get(_local(name))
            handler = self.on_start[name] = getattr(self, method) if method else None
        if handler is not None:
            handler(attrs)  # type: ignore[operator]  # narrowed from the sentinel above

    def _end(self, name: str) -> None:
        self.ends += 1
        handler = self.on_end.get(name, _UNKNOWN)
        if handler is _UNKNOWN:
            method = self.ENDS.get(_local(name))
            handler = self.on_end[name] = getattr(self, method) if method else None
        if handler is not None:
            handler()  # type: ignore[operator]  # narrowed from the sentinel above

    def _data(self, text: str) -> None:
        capture = self.capture
        if capture is None:
            return
        room = MAX_CELL_CHARS - self.captured
        if len(text) > room:
            text = text[: max(room, 0)]
            self.cut = True
        if text:
            capture.append(text)
            self.captured += len(text)

    def _doctype(self, *args: object) -> None:
        raise WorkbookError(Said("input.error.dtd", name=self.budget.name, part=self.part))

    def _check(self, counted: int) -> int:
        budget = self.budget
        budget.elements_left -= self.starts - counted
        if budget.elements_left < 0:
            raise WorkbookError(
                Said("input.error.elements", name=budget.name, part=self.part, size=_mb(budget.file_size))
            )
        if self.starts - self.ends > MAX_DEPTH:
            raise WorkbookError(Said("input.error.depth", name=budget.name, part=self.part, depth=MAX_DEPTH))
        return self.starts

    def run(
        self,
        zf: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        drain: Callable[[], Iterator],
        checkpoint: Callable[[], None] | None = None,
    ) -> Iterator:
        """Parse the part; after each chunk, yield what ``drain()`` yields and call ``checkpoint()``."""
        self.budget.take_bytes(info)
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._data
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        counted = 0
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    parser.Parse(chunk, False)
                    counted = self._check(counted)
                    yield from drain()
                    if checkpoint is not None:
                        checkpoint()
                parser.Parse(b"", True)
                self._check(counted)
                yield from drain()
        except expat.ExpatError as exc:
            raise WorkbookError(
                Said("input.error.damaged", name=self.budget.name, part=info.filename, why=str(exc))
            ) from None
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
            # RuntimeError: an encrypted member; NotImplementedError: an unknown compression method
            raise WorkbookError(
                Said("input.error.damaged", name=self.budget.name, part=info.filename, why=str(exc))
            ) from None


def _nothing() -> Iterator:
    return iter(())


class _Relationships(_Part):
    """A relationships part (ECMA-376 Part 2, §9.3): Id, Type and Target of each relationship."""

    STARTS = {"Relationship": "_relationship"}

    def __init__(self, budget: _Budget, part: str) -> None:
        super().__init__(budget, part)
        self.found: list[tuple[str, str, str, bool]] = []

    def _relationship(self, attrs: dict[str, str]) -> None:
        if len(self.found) < 10_000:
            external = attrs.get("TargetMode") == "External"
            self.found.append((attrs.get("Id", ""), attrs.get("Type", ""), attrs.get("Target", ""), external))


class _Workbook(_Part):
    """The workbook part (§18.2.27): name and relationship id of each ``<sheet>`` (§18.2.19), in tab order."""

    STARTS = {"sheet": "_sheet"}

    def __init__(self, budget: _Budget, part: str) -> None:
        super().__init__(budget, part)
        self.sheets: list[tuple[str, str]] = []

    @property
    def first_sheet(self) -> str | None:
        return self.sheets[0][1] if self.sheets else None

    def _sheet(self, attrs: dict[str, str]) -> None:
        if len(self.sheets) < 10_000:
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            self.sheets.append((attrs.get("name", ""), rid))


class SheetNotFound(WorkbookError):
    """``--sheet`` names no sheet of the workbook; the message lists the sheets there are."""


class _SharedStrings(_Part):
    """The shared string table (§18.4.9): ``<si>`` texts in order, phonetic runs (``rPh``) left out."""

    STARTS = {"si": "_si", "t": "_t", "rPh": "_rph"}
    ENDS = {"si": "_si_end", "t": "_t_end", "rPh": "_rph_end"}

    def __init__(self, budget: _Budget, part: str, notes: ReadNotes) -> None:
        super().__init__(budget, part)
        self.table: list[str] = []
        self.seen: dict[str, str] = {}
        self.notes = notes
        self.phonetic = 0
        self.in_si = False
        self.parts: list[str] = []
        self.size = 0

    def _si(self, attrs: dict[str, str]) -> None:
        self.in_si, self.parts, self.size, self.cut = True, [], 0, False

    def _t(self, attrs: dict[str, str]) -> None:
        if self.in_si and not self.phonetic:
            self.capture = self.parts  # the texts of all runs go into one list
            self.captured = self.size

    def _rph(self, attrs: dict[str, str]) -> None:
        self.phonetic += 1

    def _t_end(self) -> None:
        if self.capture is not None:
            self.size = self.captured
            self.capture = None

    def _rph_end(self) -> None:
        self.phonetic -= 1

    def _si_end(self) -> None:
        if self.in_si:
            text = "".join(self.parts)
            self.table.append(self.seen.setdefault(text, text))
            self.notes.cut_texts += self.cut
            self.in_si = False


class _Sheet(_Part):
    """A worksheet (§18.3.1.99): ``<row>`` (§18.3.1.73) of ``<c>`` cells (§18.3.1.4), values by type (§18.18.11).

    Rows without a value are not produced: they carry nothing, and millions of
    them must not cost the rest of the pipeline anything.
    """

    STARTS = {"row": "_row", "c": "_c", "v": "_v", "is": "_is", "t": "_t", "rPh": "_rph", "f": "_f"}
    ENDS = {"row": "_row_end", "c": "_c_end", "v": "_v_end", "t": "_t_end", "rPh": "_rph_end", "f": "_f_end"}

    def __init__(
        self,
        budget: _Budget,
        part: str,
        strings: list[str],
        notes: ReadNotes,
        links: _Hyperlinks | None = None,
        merged: dict[tuple[int, int], int] | None = None,
    ) -> None:
        super().__init__(budget, part)
        self.merged = merged or {}  # (first row, column) -> last row of each merged range (_merged_ranges)
        self.spans: list[tuple[int, int, str]] = []  # (column, last row, value) of ranges still open
        self.strings = strings
        self.notes = notes
        self.links = links  # the sheet's hyperlinks, read before its rows (they come after them)
        self.formula: str | None = None
        self.cut_before = False
        self.rows: list[tuple[int, list[str]]] = []
        self.row_number = 0
        self.cells: list[str] | None = None
        self.column = -1
        self.kind = "n"
        self.value: str | None = None
        self.inline: list[str] | None = None
        self.phonetic = 0

    def _row(self, attrs: dict[str, str]) -> None:
        r = attrs.get("r")
        self.row_number = int(r) if r and r.isdigit() and len(r) < 9 else self.row_number + 1
        self.cells = []
        self.column = -1

    def _row_end(self) -> None:
        if self.spans:
            self._fill_merged()
        if self.cells:
            self.rows.append((self.row_number, self.cells))
        self.cells = None

    def _c(self, attrs: dict[str, str]) -> None:
        if self.cells is None:
            return
        ref = _column(attrs.get("r"))
        self.column = ref if ref is not None else self.column + 1
        self.kind = attrs.get("t", "n")
        self.value = None
        self.formula = None
        self.inline = None
        self.cut = False
        self.captured = 0

    def _v(self, attrs: dict[str, str]) -> None:
        if self.cells is not None:
            self.capture = []
            self.captured = 0

    def _v_end(self) -> None:
        if self.capture is not None:
            self.value = "".join(self.capture)
            self.capture = None

    def _is(self, attrs: dict[str, str]) -> None:
        if self.cells is not None:
            self.inline = []

    def _f(self, attrs: dict[str, str]) -> None:
        if self.cells is not None:
            self.capture = []
            self.captured = 0
            self.cut_before = self.cut

    def _f_end(self) -> None:
        if self.capture is not None:
            self.formula = "".join(self.capture)
            self.capture = None
            self.cut = self.cut_before  # a long formula is no text cut short (ReadNotes.cut_texts)

    def _t(self, attrs: dict[str, str]) -> None:
        if self.inline is not None and not self.phonetic:
            self.capture = self.inline

    def _t_end(self) -> None:
        if self.inline is not None:
            self.capture = None

    def _rph(self, attrs: dict[str, str]) -> None:
        self.phonetic += 1

    def _rph_end(self) -> None:
        self.phonetic -= 1

    def _c_end(self) -> None:
        if self.cells is None:
            return
        kind = self.kind
        raw = self.value
        if kind == "s":
            try:
                value = self.strings[int(raw)] if raw else ""
            except (ValueError, IndexError):
                value = ""
        elif kind == "inlineStr":
            value = "".join(self.inline or ())
        elif kind == "b":
            value = {"1": "TRUE", "0": "FALSE"}.get((raw or "").strip(), raw or "")
        else:
            value = raw or ""
        self.notes.cut_texts += self.cut
        column = self.column
        link = self.links.target(self.row_number, column) if self.links is not None else None
        if self.formula is not None and link is None:
            called = hyperlink_formula(self.formula)
            if called is not None:
                link = called[0]
                value = value or called[1] or link  # openpyxl and others store no computed value
        if link:
            value = LinkedText(value or link, link)
        if not value:
            return
        cells = self.cells
        if column >= MAX_COLUMNS:
            self.notes.ignored_cells += 1
            rows = self.notes.ignored_rows
            if len(rows) < 5 and (not rows or rows[-1] != self.row_number):
                rows.append(self.row_number)
            return
        if column >= len(cells):
            cells.extend([""] * (column + 1 - len(cells)))
        cells[column] = value
        if self.merged:
            last = self.merged.get((self.row_number, column))
            if last is not None:
                self.spans.append((column, last, value))

    def _fill_merged(self) -> None:
        """Give this row the value of each merged range that covers it from a row above (B9:B10 holds
        its name in B9; Excel shows it over row 10 too), in the range's first column, unless the row has
        a value of its own there. A row with no value at all stays out (rows without a value are not
        produced)."""
        row, cells = self.row_number, self.cells
        self.spans = [span for span in self.spans if span[1] >= row]
        if not cells:
            return
        for column, _last, value in self.spans:
            if column >= len(cells):
                cells.extend([""] * (column + 1 - len(cells)))
            if not cells[column]:
                cells[column] = value

    def drain(self) -> Iterator[tuple[int, list[str]]]:
        rows, self.rows = self.rows, []
        return iter(rows)


class _Hyperlinks(_Part):
    """A worksheet's ``<hyperlinks>`` (§18.3.1.48): each ``<hyperlink ref r:id>`` whose relationship is an
    external target (ECMA-376 Part 2 §9.3, ``TargetMode="External"``), by cell or range. Links to places
    inside the workbook (``location``) are not websites and are left out."""

    STARTS = {"hyperlink": "_hyperlink"}

    def __init__(self, budget: _Budget, part: str, targets: dict[str, str]) -> None:
        super().__init__(budget, part)
        self.targets = targets  # relationship id -> target
        self.cells: dict[tuple[int, int], str] = {}
        self.ranges: list[tuple[int, int, int, int, str]] = []

    def _hyperlink(self, attrs: dict[str, str]) -> None:
        if len(self.cells) + len(self.ranges) >= MAX_LINKS:
            return
        rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
        target = self.targets.get(rid)
        ref = attrs.get("ref", "")
        if not target or not ref:
            return
        first, _, last = ref.partition(":")
        start, end = _cell_at(first), _cell_at(last) if last else None
        if start is None:
            return
        if end is None:
            self.cells.setdefault(start, target)
        else:
            self.ranges.append(
                (min(start[0], end[0]), min(start[1], end[1]), max(start[0], end[0]), max(start[1], end[1]), target)
            )

    def target(self, row: int, col: int) -> str | None:
        """The link of the cell at ``row`` (1-based) and ``col`` (0-based), if one is attached."""
        found = self.cells.get((row, col))
        if found is None and self.ranges:
            found = next((t for r1, c1, r2, c2, t in self.ranges if r1 <= row <= r2 and c1 <= col <= c2), None)
        return found


class _Package:
    def __init__(self, zf: zipfile.ZipFile, name: str, budget: _Budget) -> None:
        self.zf = zf
        self.name = name
        self.budget = budget
        self.by_name = {i.filename: i for i in zf.infolist()}
        self.by_lower = {k.lower(): v for k, v in self.by_name.items()}

    def info(self, part: str) -> zipfile.ZipInfo | None:
        part = part.lstrip("/")
        return self.by_name.get(part) or self.by_lower.get(part.lower())

    def rels(self, part: str) -> list[tuple[str, str, str]]:
        """(Id, Type, target part name) of a part's internal relationships."""
        folder, base = posixpath.split(part)
        info = self.info(posixpath.join(folder, "_rels", base + ".rels"))
        if info is None:
            return []
        handler = _Relationships(self.budget, info.filename)
        for _ in handler.run(self.zf, info, _nothing):
            pass
        out = []
        for rid, typ, target, external in handler.found:
            if external or not target:
                continue  # hyperlinks: external_links
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            out.append((rid, typ, posixpath.normpath(resolved)))
        return out

    def external_links(self, part: str) -> dict[str, str]:
        """Id -> target of a part's external hyperlink relationships (a worksheet's links to websites)."""
        folder, base = posixpath.split(part)
        info = self.info(posixpath.join(folder, "_rels", base + ".rels"))
        if info is None:
            return {}
        handler = _Relationships(self.budget, info.filename)
        for _ in handler.run(self.zf, info, _nothing):
            pass
        return {
            rid: target.strip()
            for rid, typ, target, external in handler.found
            if external and target.strip() and typ.endswith(_REL + "hyperlink")
        }

    def parse(self, handler: _Part, info: zipfile.ZipInfo) -> None:
        for _ in handler.run(self.zf, info, _nothing):
            pass


def _open(path: str, name: str) -> zipfile.ZipFile:
    try:
        with open(path, "rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise WorkbookError(Said("input.error.cannot_read", name=name, why=str(exc.strerror or exc))) from None
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise WorkbookError(Said("input.error.old_xls", name=name))
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        # Python's "File is not a zip file" tells a rep nothing: what the file is not, and what to do
        raise WorkbookError(Said("input.error.not_xlsx", name=name)) from None


def read_rows(
    path: str,
    name: str,
    notes: ReadNotes | None = None,
    checkpoint: Callable[[], None] | None = None,
    sheet: str | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """(Excel row number, cell texts from column A) for each row present in the first worksheet,
    or in ``sheet`` (its name, compared without case, or its 1-based position among the tabs).

    A cell holds the shown text for strings, and the stored value for numbers,
    booleans (``TRUE``/``FALSE``), errors and dates (§18.3.1.4, §18.18.11); empty
    cells at the end of a row are left out, so rows differ in length. ``notes``
    collects what was left out (cells right of MAX_COLUMNS, texts cut).
    ``checkpoint`` is called after each chunk of XML, so a caller can stop a
    long read (a cancelled scan) between rows; whatever it raises propagates.
    Raises :class:`WorkbookError` for a file that is not a workbook, is damaged,
    or is over a bound (:class:`SheetNotFound` when ``sheet`` names none); rows
    already yielded stay valid.
    """
    notes = notes if notes is not None else ReadNotes()
    zf = _open(path, name)
    try:
        pkg = _Package(zf, name, _Budget(name, os.path.getsize(path)))
        part, strings_info = _locate(pkg, sheet)
        strings: list[str] = []
        if strings_info is not None:
            handler = _SharedStrings(pkg.budget, strings_info.filename, notes)
            for _ in handler.run(zf, strings_info, _nothing, checkpoint):
                pass
            strings = handler.table
            del handler
        links = None
        targets = pkg.external_links(part.filename)
        if targets:  # <hyperlinks> follows <sheetData>: read first, on a budget of its own, the rows second
            links = _Hyperlinks(_Budget(name, os.path.getsize(path)), part.filename, targets)
            for _ in links.run(zf, part, _nothing, checkpoint):
                pass
        # <mergeCells> follows <sheetData> too: found first, the part's size checked against a budget of its own
        _Budget(name, os.path.getsize(path)).take_bytes(part)
        merged = _merged_ranges(zf, part, checkpoint)
        reader = _Sheet(pkg.budget, part.filename, strings, notes, links, merged)
        yield from reader.run(zf, part, reader.drain, checkpoint)
    finally:
        zf.close()


MAX_MERGES = 100_000  # merged ranges read from one sheet; more are ignored
# A <mergeCell ref="B9:B10"/> (§18.3.1.55), prefixed or not. Markup never appears raw in a cell's text
# (XML escapes "<" there), so the raw bytes can be searched without parsing them.
_MERGE_CELL = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref\s*=\s*["\']([A-Za-z$]+\d+):([A-Za-z$]+\d+)["\']'
)


def _merged_ranges(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, checkpoint: Callable[[], None] | None = None
) -> dict[tuple[int, int], int]:
    """The sheet's merged ranges of more than one row (§18.3.1.55 ``<mergeCells>``) as (first row,
    first column) -> last row; rows 1-based, columns 0-based. ``<mergeCells>`` comes after the rows, so
    the part's bytes are searched first, unparsed (zipfile returns no more than the declared size, which
    the caller has checked against the unpacking budget first). A range on one row only (a title over
    A1:E1) is left out: its value belongs to its first cell, on that row. Damaged data gives what was
    found before it."""
    found: dict[tuple[int, int], int] = {}
    tail = b""
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                block = tail + chunk
                end = 0
                for match in _MERGE_CELL.finditer(block):
                    end = match.end()
                    start, last = _cell_at(match.group(1).decode()), _cell_at(match.group(2).decode())
                    if start is None or last is None or len(found) >= MAX_MERGES:
                        continue
                    top, bottom = min(start[0], last[0]), max(start[0], last[0])
                    if bottom > top:
                        found[(top, min(start[1], last[1]))] = bottom
                tail = block[max(end, len(block) - 256) :]  # a tag cut by the chunk's end is read whole next time
                if checkpoint is not None:
                    checkpoint()
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError):
        pass  # the rows' own read reports the damage
    return found


def _workbook(pkg: _Package) -> tuple[_Workbook, list[tuple[str, str, str]]]:
    target = next((t for _, typ, t in pkg.rels("") if typ.endswith(_REL + "officeDocument")), "xl/workbook.xml")
    info = pkg.info(target)
    if info is None:
        raise WorkbookError(Said("input.error.not_workbook_part", name=pkg.name, part=target))
    rels = pkg.rels(info.filename)
    workbook = _Workbook(pkg.budget, info.filename)
    pkg.parse(workbook, info)
    return workbook, rels


def sheet_names(path: str, name: str) -> list[str]:
    """The names of the workbook's sheets in tab order (worksheets and chart sheets alike)."""
    zf = _open(path, name)
    try:
        workbook, _ = _workbook(_Package(zf, name, _Budget(name, os.path.getsize(path))))
        return [n for n, _ in workbook.sheets]
    finally:
        zf.close()


def _locate(pkg: _Package, wanted: str | None = None) -> tuple[zipfile.ZipInfo, zipfile.ZipInfo | None]:
    """The worksheet (the first, or ``wanted``) and the shared string table, found through the package relationships."""
    workbook, rels = _workbook(pkg)
    sheets = [(rid, t) for rid, typ, t in rels if typ.endswith(_REL + "worksheet")]
    rid = workbook.first_sheet
    if wanted is not None:
        names = [n for n, _ in workbook.sheets]
        folded = [n.casefold() for n in names]
        key = wanted.strip()
        if key.casefold() in folded:
            rid = workbook.sheets[folded.index(key.casefold())][1]
        elif key.isdigit() and 1 <= int(key) <= len(names):
            rid = workbook.sheets[int(key) - 1][1]
        else:
            listed = ", ".join(f"{i}={n!r}" for i, n in enumerate(names, 1))
            from .choices import closest

            near = closest(wanted, names)
            if near:
                raise SheetNotFound(
                    Said(
                        "input.error.no_sheet_near", name=pkg.name, wanted=repr(wanted), listed=listed, near=repr(near)
                    )
                )
            raise SheetNotFound(Said("input.error.no_sheet", name=pkg.name, wanted=repr(wanted), listed=listed))
        if not any(r == rid for r, _ in sheets):
            raise SheetNotFound(Said("input.error.chart_sheet", name=pkg.name, wanted=repr(wanted)))
    first = next((t for r, t in sheets if r == rid), None) or next((t for _, t in sheets), None)
    sheet = pkg.info(first) if first else None
    if sheet is None:
        raise WorkbookError(Said("input.error.no_worksheet", name=pkg.name))
    strings = next((t for _, typ, t in rels if typ.endswith(_REL + "sharedStrings")), None)
    return sheet, pkg.info(strings) if strings else None


def estimate_rows(path: str) -> int | None:
    """A cheap row count for a progress bar: the declared ``<dimension>``, capped by what the sheet's size can hold.

    Reads only the package directory, the workbook and the first 64 kB of the
    sheet; None when the file cannot be read that far.
    """
    import re

    try:
        with zipfile.ZipFile(path) as zf:
            pkg = _Package(zf, os.path.basename(path), _Budget(path, os.path.getsize(path)))
            sheet, _ = _locate(pkg)
            with zf.open(sheet) as fh:
                head = fh.read(_CHUNK)
    except (WorkbookError, zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError):
        return None
    ceiling = sheet.file_size // 40  # a row with one value takes at least 40 bytes of XML
    m = re.search(rb"<(?:\w+:)?dimension\s+ref=\"[A-Za-z]*\d*:?[A-Za-z]*(\d+)\"", head)
    return min(int(m.group(1)), ceiling) if m else ceiling
