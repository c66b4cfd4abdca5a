"""CSV that opens cleanly in Excel: UTF-8 with BOM, and no cell Excel would run as a formula."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value):
    """A spreadsheet-safe cell (OWASP CSV injection): text starting with = + - @ tab or CR gets a
    leading ', so Excel shows it instead of evaluating it; numbers stay numbers, booleans are yes/no,
    lists are joined with ';'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple)):
        value = ";".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(out: TextIO, header: list[str], rows: Iterable[list]) -> None:
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([excel_safe(v) for v in row])
