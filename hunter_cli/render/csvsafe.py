"""CSV that opens cleanly in Excel: UTF-8 with BOM (unless --no-bom), and no cell Excel would run as a formula."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from contextvars import ContextVar
from typing import TextIO

from ..facts import SPF_ALL_RESULTS

# The separators `--csv-separator` (and HUNTER_CSV_SEPARATOR) take, by the names a user types. Excel
# splits a CSV file at the list separator of Windows' region settings: a comma in English, a
# semicolon in Turkish, German, French and most of Europe, where a comma is the decimal mark.
SEPARATORS = {",": ",", "comma": ",", ";": ";", "semicolon": ";", "tab": "\t", "\\t": "\t", "\t": "\t"}
# The separator this command's CSV is written with (set once by the command from its option).
separator: ContextVar[str] = ContextVar("csv_separator", default=",")
# Whether this command's CSV starts with the UTF-8 byte-order mark (Excel's cue; off with --no-bom).
bom: ContextVar[bool] = ContextVar("csv_bom", default=True)


def bom_text() -> str:
    """The byte-order mark this command's CSV starts with: U+FEFF, or "" under ``--no-bom``."""
    return "\ufeff" if bom.get() else ""


def parse_separator(value: str) -> str:
    """``";"``, ``"semicolon"``, ``"tab"``, ``","`` -> the character; ValueError naming the choices otherwise."""
    found = SEPARATORS.get(value.strip().lower() if value.strip() else value)
    if found is None:
        from ..said import Said

        raise ValueError(Said("cli.csv.separator", value=repr(value)))
    return found


# The machine formats' words for what a lead's row does not know (`hunter leads -f csv|json|ndjson`, the
# `lead` of `leads show --json`; docs/cli.md): NOT_KNOWN where the table shows `?` (a lookup failed, or an
# attempt was made and none read the lead), never an empty cell or null that reads as "none"; NOT_SCANNED
# in ``last_status`` for a lead no scan has tried (the table's "not scanned"). store.leads.CSV_CELLS says
# the same in SQL, through the same names.
NOT_KNOWN = "?"
NOT_SCANNED = "not_scanned"
# Columns NOT_KNOWN fills when the column is empty: once any attempt was made (a lead's provider and tenant
# are asked in every scan), or only while no scan has read the lead (an empty gateway, DMARC policy or
# `all` result of a lead read is "none").
KNOWN_ONCE_ATTEMPTED = ("provider", "tenant")
KNOWN_ONCE_READ = ("gateway", "dmarc_policy", "spf_all")


def machine_row(row: dict, fields: Iterable[str], csv: bool = False) -> dict:
    """``row`` (a lead as store.leads lists it: None for what it has not) with :data:`NOT_KNOWN` and
    :data:`NOT_SCANNED` where its ``fields`` do not know, as every machine format writes it. With ``csv``
    also ``dkim`` (true/false, null when not known in JSON; yes/no/`?` in CSV)."""
    out = {k: row.get(k) for k in fields}
    read = row.get("last_scanned") is not None
    attempted = read or row.get("last_attempt") is not None
    if not attempted:
        if out.get("last_status") is None and "last_status" in out:
            out["last_status"] = NOT_SCANNED
        return out
    for k in KNOWN_ONCE_ATTEMPTED if read else (*KNOWN_ONCE_ATTEMPTED, *KNOWN_ONCE_READ, *(("dkim",) if csv else ())):
        if k in out and out[k] in (None, ""):
            out[k] = NOT_KNOWN
    return out


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# RFC 7208 4.6.2: the result an ``all`` mechanism gives by its qualifier (hunter_cli.facts.SPF_ALL_RESULTS),
# written for ``-all`` & co., whose leading - or + Excel would read as a formula.
# CSV columns Hunter fills from a closed set of its own: their cells are these words, which need no
# formula guard (a value outside the set, from an older file, is guarded as any text is).
CLOSED_CELLS: dict[str, dict[str, str]] = {"spf_all": SPF_ALL_RESULTS}


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


def csv_cell(column: str, value):
    """The CSV cell of ``value`` in ``column``: its word when the column is one of CLOSED_CELLS
    (``-all`` -> ``fail`` in ``spf_all``), else :func:`excel_safe` of it."""
    words = CLOSED_CELLS.get(column)
    if words is not None and value in words:
        return words[value]
    return excel_safe(value)


def write_csv(out: TextIO, header: list[str], rows: Iterable[list]) -> None:
    out.write(bom_text())
    writer = csv.writer(out, delimiter=separator.get(), lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([excel_safe(v) for v in row])
