"""Hand-written .xlsx workbooks, genuine and hostile, for the reader's bounds (tests and benchmarks).

Each builder writes a real ZIP package (ECMA-376 Part 2 relationships, a
workbook, one worksheet, optionally a shared string table) with
:mod:`zipfile`, so the XML is exactly what the test wants, including what
Excel would never write. Large repetitive parts are streamed into the archive,
so building a bomb never holds the unpacked text in memory.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<workbook xmlns="{NS}" xmlns:r="{R_NS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def col_letter(index: int) -> str:
    """0-based column index to Excel letters (0 -> A, 16383 -> XFD)."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_package(
    path: Path,
    sheet: Iterable[str] | str,
    shared: Iterable[str] | str | None = None,
    *,
    workbook: str = WORKBOOK,
) -> Path:
    """Write a workbook whose sheet1.xml (and sharedStrings.xml) are the given XML text or pieces of it."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        # A part is declared in [Content_Types].xml only when it is present (ECMA-376 Part 2, §10.1.2.2).
        types = CONTENT_TYPES if shared is None else CONTENT_TYPES.replace("</Types>", SHARED_STRINGS_TYPE + "</Types>")
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, body in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared)):
            if body is None:
                continue
            with zf.open(name, "w", force_zip64=True) as fh:
                for piece in [body] if isinstance(body, str) else body:
                    fh.write(piece.encode("utf-8"))
    return path


def sheet_xml(
    rows: Iterable[tuple[int, Iterable[tuple[str, str, str]]]], dimension: str | None = None
) -> Iterator[str]:
    """Sheet XML pieces from (row number, [(cell ref, type, value)]); type "s" values are indexes."""
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}">'
    if dimension:
        yield f'<dimension ref="{dimension}"/>'
    yield "<sheetData>"
    for number, cells in rows:
        parts = [f'<row r="{number}">']
        for ref, kind, value in cells:
            if kind == "inlineStr":
                parts.append(f'<c r="{ref}" t="inlineStr"><is><t>{_esc(value)}</t></is></c>')
            elif kind:
                parts.append(f'<c r="{ref}" t="{kind}"><v>{_esc(value)}</v></c>')
            else:
                parts.append(f'<c r="{ref}"><v>{_esc(value)}</v></c>')
        parts.append("</row>")
        yield "".join(parts)
    yield "</sheetData></worksheet>"


def shared_xml(texts: Iterable[str]) -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS}">'
    for text in texts:
        yield f"<si><t>{_esc(text)}</t></si>"
    yield "</sst>"


# -- genuine -------------------------------------------------------------------------------------
def member_list(path: Path, rows: int) -> Path:
    """A chamber-style member list: title row, header, then rows of company, address, website, e-mail."""
    texts = ["ÜYE LİSTESİ", "FİRMA ÜNVANI", "ADRES", "WEB SİTESİ", "E-POSTA"]

    def body() -> Iterator[tuple[int, list[tuple[str, str, str]]]]:
        yield 1, [("A1", "s", "0")]
        yield 3, [(f"{c}3", "s", str(i + 1)) for i, c in enumerate("ABCD")]
        for n in range(rows):
            base = len(texts)
            texts.extend(
                [f"Firma {n} A.Ş.", f"OSB {n % 40}. Cad. No:{n}", f"www.firma{n}.com.tr", f"info@firma{n}.com.tr"]
            )
            yield n + 4, [(f"{c}{n + 4}", "s", str(base + i)) for i, c in enumerate("ABCD")]

    sheet = "".join(sheet_xml(body(), dimension=f"A1:D{rows + 3}"))
    return write_package(path, sheet, shared_xml(texts))


# -- hostile -------------------------------------------------------------------------------------
def whole_column_dimension(path: Path) -> Path:
    """A few real cells, a dimension of A1:XFD1048576, and one cell in the very last row and column."""
    rows = [
        (1, [("A1", "inlineStr", "Firma"), ("B1", "inlineStr", "Web Sitesi")]),
        (2, [("A2", "inlineStr", "A"), ("B2", "inlineStr", "a-corp.com")]),
        (3, [("A3", "inlineStr", "C"), ("B3", "inlineStr", "c-corp.com")]),
        (1048576, [("XFD1048576", "inlineStr", "x")]),
    ]
    return write_package(path, "".join(sheet_xml(rows, dimension="A1:XFD1048576")))


def huge_shared_string(path: Path, megabytes: int = 600) -> Path:
    """One shared string of ``megabytes`` MB (the archive is about a thousandth of that)."""

    def pieces() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{NS}"><si><t>'
        block = "A" * (1 << 20)
        for _ in range(megabytes):
            yield block
        yield "</t></si></sst>"

    sheet = "".join(sheet_xml([(1, [("A1", "s", "0")]), (2, [("A2", "inlineStr", "acme.com")])]))
    return write_package(path, sheet, pieces())


def many_shared_strings(path: Path, count: int = 30_000_000, text: str = "") -> Path:
    """``count`` tiny shared strings (``<si/>`` when text is empty): an element bomb."""

    def pieces() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{NS}">'
        item = f"<si><t>{text}</t></si>" if text else "<si/>"
        block = item * 10_000
        for _ in range(count // 10_000):
            yield block
        yield "</sst>"

    sheet = "".join(sheet_xml([(1, [("A1", "s", "0")]), (2, [("A2", "inlineStr", "acme.com")])]))
    return write_package(path, sheet, pieces())


def wide_row(path: Path, cells: int = 2_000_000) -> Path:
    """One row with ``cells`` valued cells without a reference (each is one column further right)."""

    def pieces() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{NS}"><sheetData>'
        yield '<row r="1"><c r="A1" t="inlineStr"><is><t>acme.com</t></is></c>'
        block = '<c t="inlineStr"><is><t>x.com</t></is></c>' * 1000
        for _ in range(cells // 1000):
            yield block
        yield '</row><row r="2"><c r="A2" t="inlineStr"><is><t>beta.com</t></is></c></row></sheetData></worksheet>'

    return write_package(path, pieces())


def empty_cells(path: Path, cells: int = 2_000_000) -> Path:
    """One row of ``cells`` empty cells (``<c/>``, one markup character each) after a real one."""

    def pieces() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{NS}"><sheetData>'
        yield '<row r="1"><c r="A1" t="inlineStr"><is><t>acme.com</t></is></c></row><row r="2">'
        block = "<c/>" * 10_000
        for _ in range(cells // 10_000):
            yield block
        yield "</row></sheetData></worksheet>"

    return write_package(path, pieces())


def empty_rows(path: Path, rows: int = 5_000_000) -> Path:
    """Millions of empty rows (``<row/>``) between two real ones."""

    def pieces() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{NS}"><sheetData>'
        yield '<row r="1"><c r="A1" t="inlineStr"><is><t>acme.com</t></is></c></row>'
        block = "<row/>" * 10_000
        for _ in range(rows // 10_000):
            yield block
        yield "</sheetData></worksheet>"

    return write_package(path, pieces())


def deep_nesting(path: Path, depth: int = 3_000_000) -> Path:
    """Elements nested millions deep inside the sheet."""

    def pieces() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{NS}"><sheetData>'
        for _ in range(depth // 10_000):
            yield "<x>" * 10_000
        for _ in range(depth // 10_000):
            yield "</x>" * 10_000
        yield "</sheetData></worksheet>"

    return write_package(path, pieces())


def huge_cell_value(path: Path, megabytes: int = 500) -> Path:
    """One ``<v>`` of ``megabytes`` MB in the sheet itself."""

    def pieces() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="str"><v>'
        block = "7" * (1 << 20)
        for _ in range(megabytes):
            yield block
        yield "</v></c></row></sheetData></worksheet>"

    return write_package(path, pieces())


def entity_bomb(path: Path) -> Path:
    """The "billion laughs": nested internal entities declared in a DTD."""
    lol = '<!ENTITY a0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    sheet = (
        f'<?xml version="1.0"?>\n<!DOCTYPE worksheet [{lol}]>'
        f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return write_package(path, sheet)


HOSTILE = {
    "whole-column dimension": whole_column_dimension,
    "600 MB shared string": huge_shared_string,
    "30 million empty shared strings": many_shared_strings,
    "row of 2 million cells": wide_row,
    "5 million empty rows": empty_rows,
    "3 million nested elements": deep_nesting,
    "500 MB cell value": huge_cell_value,
    "entity expansion (billion laughs)": entity_bomb,
}
