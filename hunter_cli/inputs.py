"""Read scan inputs (domains, URLs, e-mails, .txt/.csv/.xlsx files, stdin) as a stream.

Nothing here holds a whole file in memory: rows are read, normalised and handed
on one at a time. Every line that is not used is counted with its reason and
location, so the summary can say exactly what was skipped.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .domains import Rejected, normalize

TEXT_EXTENSIONS = (".txt", ".list", ".lst")
CSV_EXTENSIONS = (".csv", ".tsv")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
FILE_EXTENSIONS = TEXT_EXTENSIONS + CSV_EXTENSIONS + XLSX_EXTENSIONS + (".xls", ".ods")
MAX_LINE = 4096
EXAMPLES_PER_REASON = 5

# Header words that name a column holding websites or e-mail addresses (compared after fold()).
WEBSITE_HEADERS = (
    "domain",
    "domainname",
    "alanadi",
    "web",
    "website",
    "websitesi",
    "websayfasi",
    "site",
    "url",
    "internetadresi",
    "webadresi",
    "homepage",
)
EMAIL_HEADERS = ("email", "e-mail", "eposta", "e-posta", "mail", "emailadresi", "epostaadresi", "mailadresi")
# Header words for the company name; a header merely containing one of COMPANY_PARTS counts too.
COMPANY_HEADERS = (
    "firma",
    "firmaadi",
    "firmaunvani",
    "unvan",
    "unvani",
    "sirket",
    "sirketadi",
    "sirketunvani",
    "kurum",
    "kurumadi",
    "musteri",
    "musteriadi",
    "isletme",
    "isletmeadi",
    "company",
    "companyname",
    "name",
    "account",
    "accountname",
    "organization",
    "organisation",
)
COMPANY_PARTS = ("unvan", "firmaadi", "sirketadi", "companyname")
_BLANK = frozenset({"", "nan", "none", "null", "-", "--", "n/a", "na", "yok", "#n/a"})


class InputError(Exception):
    """An input that cannot be read at all (missing file, unsupported format)."""


def fold(text: str) -> str:
    """Compare headers the way a Turkish reader would: İ/I/ı all become i, spaces and punctuation go."""
    t = text.replace("İ", "i").replace("I", "i").replace("ı", "i").lower()
    t = t.translate(str.maketrans("çğöşü", "cgosu"))
    return "".join(c for c in t if c.isalnum() or c == "-").replace("-", "") if t else ""


_WEBSITE = {fold(h) for h in WEBSITE_HEADERS}
_EMAIL = {fold(h) for h in EMAIL_HEADERS}
_COMPANY = {fold(h) for h in COMPANY_HEADERS}


def _is_company_header(text: str) -> bool:
    f = fold(text)
    return bool(f) and (f in _COMPANY or any(p in f for p in COMPANY_PARTS))


def clean_company(text: str | None) -> str | None:
    """A company name as typed, or None for blanks and spreadsheet placeholders ("nan", "-", ...)."""
    if text is None:
        return None
    name = " ".join(str(text).split())
    return None if name.lower() in _BLANK else name[:200]


@dataclass(frozen=True, slots=True)
class ColumnHints:
    """Columns named on the command line: header text, 1-based number, or Excel letter."""

    domain: str | None = None
    company: str | None = None


@dataclass
class InputStats:
    lines: int = 0  # rows/lines looked at (blank lines and comments included)
    accepted: int = 0  # unique domains handed to the scan
    duplicates: int = 0
    headers: int = 0
    companies: int = 0  # unique domains that came with a company name
    skipped: dict[str, list[str]] = field(default_factory=dict)  # reason -> locations (first few)
    skipped_counts: dict[str, int] = field(default_factory=dict)
    consumer: int = 0

    def skip(self, reason: str, where: str) -> None:
        self.skipped_counts[reason] = self.skipped_counts.get(reason, 0) + 1
        examples = self.skipped.setdefault(reason, [])
        if len(examples) < EXAMPLES_PER_REASON:
            examples.append(where)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped_counts.values())


@dataclass(frozen=True, slots=True)
class Candidate:
    """One cell or line that may hold a domain; ``fallback`` is tried when ``text`` is unusable."""

    text: str
    where: str
    fallback: tuple[str, ...] = ()
    company: str | None = None


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1254", errors="replace")  # Turkish Windows exports


def _lines(stream, name: str, stats: InputStats) -> Iterator[tuple[int, str]]:
    """Decoded lines with numbers; over-long lines and NUL bytes are reported, not passed on."""
    for number, raw in enumerate(stream, 1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if len(raw) > MAX_LINE:
            stats.skip("line too long", f"{name}:{number}")
            yield number, ""
            continue
        if b"\x00" in raw:
            stats.skip("binary data", f"{name}:{number}")
            yield number, ""
            continue
        yield number, _decode(raw).rstrip("\r\n")


def _text_candidates(stream, name: str, stats: InputStats) -> Iterator[Candidate]:
    for number, line in _lines(stream, name, stats):
        stats.lines += 1
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        cut = text.find(" #")
        if cut >= 0:
            text = text[:cut].strip()
        fields: tuple[str, ...] = ()
        if any(sep in text for sep in ",;\t"):
            fields = tuple(f.strip() for f in text.replace(";", ",").replace("\t", ",").split(",") if f.strip())
        if number == 1 and fold(text) in _WEBSITE | _EMAIL:
            stats.headers += 1
            continue
        yield Candidate(text, f"{name}:{number}", fields)


def _column_index(spec: str, header: list[str] | None) -> int | None:
    """Resolve a --domain-column/--company-column value against the header row."""
    spec = spec.strip()
    if spec.isdigit() and int(spec) > 0:
        return int(spec) - 1
    if header is not None:
        for i, cell in enumerate(header):
            if fold(cell) == fold(spec):
                return i
    if spec.isalpha() and len(spec) <= 2 and spec.isupper():
        n = 0
        for ch in spec:
            n = n * 26 + (ord(ch) - 64)
        return n - 1
    return None


def _pick_columns(
    rows: list[tuple[int, list[str]]], hints: ColumnHints = ColumnHints()
) -> tuple[int | None, list[int], int | None]:
    """Find the header row, the domain-bearing columns and the company column among the first rows.

    Returns (header row number or None, domain columns in order of preference,
    company column or None). A header name proposes a column; its cells must
    also look right to be chosen, so a postal-address column never wins on its
    name alone and a company column is never one full of domains.
    """

    def usable(col: int, start: int) -> int:
        n = 0
        for number, cells in rows:
            if number > start and col < len(cells) and cells[col].strip():
                if not isinstance(normalize(cells[col]), Rejected) or "@" in cells[col]:
                    n += 1
        return n

    def names(col: int, start: int) -> int:
        n = 0
        for number, cells in rows:
            if number > start and col < len(cells) and clean_company(cells[col]) is not None:
                if isinstance(normalize(cells[col]), Rejected) and "@" not in cells[col]:
                    n += 1
        return n

    header_at = None
    header: list[str] | None = None
    proposed: list[int] = []
    for number, cells in rows[:15]:
        web = [i for i, c in enumerate(cells) if fold(c) in _WEBSITE]
        mail = [i for i, c in enumerate(cells) if fold(c) in _EMAIL]
        if web or mail:
            header_at, header = number, cells
            proposed = web + mail
            break
    if header_at is None and rows:
        # No known header word: a first row without any domain in it is still a header
        number, cells = rows[0]
        if any(c.strip() for c in cells) and all(
            isinstance(normalize(c), Rejected) and "@" not in c for c in cells if c.strip()
        ):
            header_at, header = number, cells
    start = header_at if header_at is not None else 0
    if hints.domain:
        col = _column_index(hints.domain, header)
        if col is None:
            raise InputError(f"--domain-column {hints.domain!r}: no such column" + _columns_note(header))
        chosen = [col] + [c for c in proposed if c != col]
    else:
        chosen = [c for c in proposed if usable(c, start) > 0]
        if not chosen:
            width = max((len(cells) for _, cells in rows), default=0)
            scored = sorted(((usable(c, start), c) for c in range(width)), reverse=True)
            chosen = [c for n, c in scored if n > 0]
    company = None
    if hints.company:
        company = _column_index(hints.company, header)
        if company is None:
            raise InputError(f"--company-column {hints.company!r}: no such column" + _columns_note(header))
    elif header is not None:
        for i, cell in enumerate(header):
            if i not in chosen and _is_company_header(cell) and names(i, start) > 0:
                company = i
                break
    return header_at, chosen, company


def _columns_note(header: list[str] | None) -> str:
    if not header:
        return " (the file has no header row; give a column number or letter)"
    return "; columns are: " + ", ".join(f"{i + 1}={c.strip()!r}" for i, c in enumerate(header) if c.strip())


def _table_candidates(
    rows: Iterator[tuple[int, list[str]]], name: str, stats: InputStats, hints: ColumnHints = ColumnHints()
) -> Iterator[Candidate]:
    head: list[tuple[int, list[str]]] = []
    for item in rows:
        head.append(item)
        if len(head) >= 50:
            break
    header_at, columns, company_col = _pick_columns(head, hints)
    if not columns:
        for number, cells in head:
            stats.lines += 1
            if any(c.strip() for c in cells):
                stats.skip("no domain, website or e-mail column found", f"{name}:{number}")
        for number, cells in rows:
            stats.lines += 1
            if any(c.strip() for c in cells):
                stats.skip("no domain, website or e-mail column found", f"{name}:{number}")
        return

    def emit(number: int, cells: list[str]) -> Iterator[Candidate]:
        stats.lines += 1
        if header_at is not None and number <= header_at:
            stats.headers += 1
            return
        values = [cells[c].strip() for c in columns if c < len(cells) and cells[c] and cells[c].strip()]
        if not values:
            if any(c.strip() for c in cells if c):
                stats.skip("no domain in the chosen column", f"{name}:{number}")
            return
        company = clean_company(cells[company_col]) if company_col is not None and company_col < len(cells) else None
        yield Candidate(values[0], f"{name}:{number}", tuple(values[1:]), company)

    for number, cells in head:
        yield from emit(number, cells)
    for number, cells in rows:
        yield from emit(number, cells)


def _csv_rows(stream, name: str, stats: InputStats) -> Iterator[tuple[int, list[str]]]:
    numbered = _lines(stream, name, stats)
    first = next(numbered, None)
    if first is None:
        return
    sample = first[1]
    delimiter = max(",;\t|", key=sample.count) if any(d in sample for d in ",;\t|") else ","
    pending = [first]

    def source() -> Iterator[str]:
        while pending:
            yield pending.pop()[1]
        for _, line in numbered:
            yield line

    reader = csv.reader(source(), delimiter=delimiter)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            stats.lines += 1
            stats.skip(f"unreadable CSV row ({exc})", f"{name}:{reader.line_num}")
            continue
        yield reader.line_num, cells


def _xlsx_rows(path: str, name: str) -> Iterator[tuple[int, list[str]]]:
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(f"{name}: cannot read this Excel file ({exc.__class__.__name__}: {exc})") from None
    try:
        ws = wb.worksheets[0]
        for number, row in enumerate(ws.iter_rows(values_only=True), 1):
            yield number, ["" if v is None else str(v) for v in row]
    finally:
        wb.close()


def missing_files(args: Iterable[str]) -> list[str]:
    """Arguments that name a file (by their extension) that does not exist."""
    return [a for a in args if a != "-" and not os.path.exists(a) and a.lower().endswith(FILE_EXTENSIONS)]


def candidates(arg: str, stats: InputStats, hints: ColumnHints = ColumnHints()) -> Iterator[Candidate]:
    """Candidates from one command-line INPUT: ``-``, a file path, or a literal domain/URL/e-mail."""
    if arg == "-":
        yield from _text_candidates(sys.stdin.buffer, "stdin", stats)
        return
    lower = arg.lower()
    if not os.path.exists(arg):
        if lower.endswith(FILE_EXTENSIONS):
            raise InputError(f"{arg}: no such file")
        stats.lines += 1
        yield Candidate(arg, "argument")
        return
    if os.path.isdir(arg):
        raise InputError(f"{arg}: is a directory, not a file")
    name = os.path.basename(arg)
    if lower.endswith((".xls", ".ods")):
        raise InputError(f"{name}: this spreadsheet format is not supported; save it as .xlsx or .csv")
    if lower.endswith(XLSX_EXTENSIONS):
        yield from _table_candidates(_xlsx_rows(arg, name), name, stats, hints)
        return
    with open(arg, "rb") as fh:
        if lower.endswith(CSV_EXTENSIONS):
            yield from _table_candidates(_csv_rows(fh, name, stats), name, stats, hints)
        else:
            yield from _text_candidates(fh, name, stats)


@dataclass(frozen=True, slots=True)
class Lead:
    """A domain from the input, with the company name the row gave (if any).

    ``duplicate`` leads repeat an earlier domain; they are only passed on when
    they carry a company name, so an empty name can be filled in.
    """

    domain: str
    company: str | None = None
    duplicate: bool = False


def leads(args: Iterable[str], stats: InputStats, hints: ColumnHints = ColumnHints()) -> Iterator[Lead]:
    """Leads from all inputs, in input order, counted into ``stats``."""
    seen: set[int] = set()  # hashes, not strings: a million inputs stay small
    for arg in args:
        for cand in candidates(arg, stats, hints):
            result = normalize(cand.text)
            if isinstance(result, Rejected):
                for alt in cand.fallback:
                    alt_result = normalize(alt)
                    if not isinstance(alt_result, Rejected):
                        result = alt_result
                        break
            if isinstance(result, Rejected):
                if result.consumer:
                    stats.consumer += 1
                stats.skip(result.reason, cand.where)
                continue
            key = hash(result)
            if key in seen:
                stats.duplicates += 1
                if cand.company:
                    yield Lead(result, cand.company, duplicate=True)
                continue
            seen.add(key)
            stats.accepted += 1
            if cand.company:
                stats.companies += 1
            yield Lead(result, cand.company)


def domains(args: Iterable[str], stats: InputStats) -> Iterator[str]:
    """Unique registrable domains from all inputs, in input order."""
    for lead in leads(args, stats):
        if not lead.duplicate:
            yield lead.domain


def count_lines(args: Iterable[str]) -> int | None:
    """Rough total for a progress bar (lines or rows), without parsing; None when unknown."""
    total = 0
    for arg in args:
        if arg == "-":
            return None
        if not os.path.isfile(arg):
            total += 1
            continue
        if arg.lower().endswith(XLSX_EXTENSIONS):
            try:
                from openpyxl import load_workbook

                wb = load_workbook(arg, read_only=True)
                total += wb.worksheets[0].max_row or 0
                wb.close()
            except Exception:
                return None
            continue
        with open(arg, "rb") as fh:
            while chunk := fh.read(1 << 20):
                total += chunk.count(b"\n")
    return total
