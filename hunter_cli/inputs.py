"""Read scan inputs (domains, URLs, e-mails, .txt/.csv/.xlsx files, stdin) as a stream.

Nothing here holds a whole file in memory: rows are read, normalised and handed
on one at a time. Every line that is not used is counted with its reason and
location, so the summary can say exactly what was skipped.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import sys
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .domains import Rejected, normalize
from .said import Said, said_of

log = logging.getLogger("hunter.inputs")
if TYPE_CHECKING:  # imported when the input is read: the store package is not needed to parse a line
    from .store.seen import SeenDomains

TEXT_EXTENSIONS = (".txt", ".list", ".lst")
CSV_EXTENSIONS = (".csv", ".tsv")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
FILE_EXTENSIONS = TEXT_EXTENSIONS + CSV_EXTENSIONS + XLSX_EXTENSIONS + (".xls", ".ods")
MAX_LINE_BYTES = 1 << 20  # a longer physical line is skipped unread ("line too long")
MAX_QUOTED_LINES = 20  # a quoted CSV value may run over at most this many lines ...
MAX_QUOTED_BYTES = 64 << 10  # ... and this many bytes; beyond that its quote is unbalanced
MAX_COLUMNS = 1024  # cells right of this column are not used (Excel's own limit is 16,384)
EXAMPLES_PER_REASON = 5
BROKEN_QUOTE = "broken CSV row: unbalanced quote (line skipped)"

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


class ColumnError(InputError):
    """A column or sheet named on the command line that the input does not have: a usage error.

    ``option`` is the option at fault (``--domain-column``, ``--company-column``, ``--sheet``); the
    message names the columns or sheets the input does have.
    """

    def __init__(self, message: str, option: str) -> None:
        super().__init__(message)
        self.option = option


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
    """Columns named on the command line: header text, 1-based number, or Excel letter; and a workbook's sheet."""

    domain: str | None = None
    company: str | None = None
    sheet: str | None = None  # name or 1-based number

    def __bool__(self) -> bool:
        return bool(self.domain or self.company or self.sheet)


@dataclass
class InputStats:
    lines: int = 0  # rows/lines looked at (blank lines and comments included)
    accepted: int = 0  # unique domains handed to the scan
    duplicates: int = 0
    duplicated: list[str] = field(default_factory=list)  # where the first few duplicates were (file:line)
    other_names: int = 0  # repeats of a domain under another company name than its first row's (left out)
    # the first few of them: (where, the name left out, the name kept, where the kept name was)
    other_named: list[tuple[str, str, str, str]] = field(default_factory=list)
    headers: int = 0
    companies: int = 0  # unique domains that came with a company name
    skipped: dict[str, list[str]] = field(default_factory=dict)  # reason -> locations (first few)
    skipped_counts: dict[str, int] = field(default_factory=dict)
    consumer: int = 0
    unreadable: list[str] = field(default_factory=list)  # one message per input that could not be read
    notes: list[str] = field(default_factory=list)  # what was read with a caveat (cells ignored, ...)

    def duplicate(self, where: str) -> None:
        """A domain met again at ``where`` (``file:line``): counted, and the first few places kept for the summary."""
        self.duplicates += 1
        if len(self.duplicated) < EXAMPLES_PER_REASON:
            self.duplicated.append(where)

    def other_name(self, where: str, name: str, kept: str, kept_where: str) -> None:
        """A repeat of a domain at ``where`` under ``name``, another company than the ``kept`` one its first
        row (``kept_where``) gave: the name is left out, counted, and the first few said in the summary."""
        log.info("%s: company name %r left out: the domain was listed at %s as %r", where, name, kept_where, kept)
        self.other_names += 1
        if len(self.other_named) < EXAMPLES_PER_REASON:
            self.other_named.append((where, name, kept, kept_where))

    def skip(self, reason: str, where: str) -> None:
        log.info("%s: skipped: %s", where, reason)
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


def checkpoint() -> None:
    """Raise CancelledError when the asyncio task reading this input has been cancelled.

    Reading runs inside the scan's event loop without awaiting, so Ctrl-C (which
    asyncio turns into cancelling the main task) would otherwise wait until the
    next domain is handed on. Called every few thousand lines and after every
    chunk of a workbook; a no-op outside an event loop (``hunter import``).
    """
    asyncio = sys.modules.get("asyncio")
    if asyncio is None:
        return
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no running event loop
        return
    cancelling = getattr(task, "cancelling", None)  # Python 3.11+
    if cancelling is not None and cancelling():
        raise asyncio.CancelledError


def _peek(stream, n: int = 4) -> bytes:
    """The first ``n`` bytes of a binary stream without consuming them (b"" when it cannot tell)."""
    peek = getattr(stream, "peek", None)
    if peek is None:
        return b""
    return bytes(peek(n)[:n])


_BLOCK = 1 << 16  # bytes read at a time by _bounded_lines


def _bounded_lines(stream, limit: int) -> Iterator[bytes | str | None]:
    """Lines (terminator kept) of at most ``limit`` bytes or characters; None for a longer one.

    A line ends at LF, CR or CR LF, as Python's universal newlines and the csv module read
    them (and as an editor counts lines): Excel for Mac's "CSV (Macintosh)" ends its rows
    with CR alone, and a file pasted together from several ends some lines one way and some
    another. A longer line is consumed in pieces and never held whole, so memory stays
    bounded whatever the input (a 2 GB file without a line break). Text streams (a
    ``TextIOWrapper``) are read with ``readline``: open them with ``newline=None``.
    """
    if isinstance(stream, io.TextIOBase):
        while True:
            raw = stream.readline(limit + 1)
            if not raw:
                return
            if len(raw) > limit and not raw.endswith("\n"):
                while raw and not raw.endswith("\n"):
                    raw = stream.readline(limit + 1)
                yield None
                continue
            yield raw
    read = getattr(stream, "read1", None) or getattr(stream, "read", None)
    if read is None:  # any iterable of lines (tests, generators)
        for raw in stream:
            yield raw if len(raw) <= limit else None
        return
    carry = b""
    skipping = False  # the rest of a line already reported as too long is dropped
    while True:
        block = read(_BLOCK)
        if not block:
            break
        pieces = (carry + block if carry else block).splitlines(keepends=True)
        # The last piece may go on in the next block: no terminator yet, or a CR whose LF is still to come.
        carry = pieces.pop()
        if carry.endswith(b"\n"):
            pieces.append(carry)
            carry = b""
        for raw in pieces:
            if skipping:
                skipping = False
            else:
                yield raw if len(raw) <= limit + 2 else None
        if len(carry) > limit + 2:
            if not skipping:
                yield None
            skipping, carry = True, carry[-1:] if carry.endswith(b"\r") else b""
    if carry and not skipping:
        yield carry if len(carry) <= limit + 2 else None


def _utf16(head: bytes) -> str | None:
    """The UTF-16 codec a file's first bytes show: a BOM (Excel's "Unicode text"), or, without
    one, mostly Latin text (at least 3 in 4 high bytes NUL, no NUL low byte); None otherwise."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = head[: len(head) & ~1]
    if len(head) < 4:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    if odd * 4 >= half * 3 and even == 0:  # mostly Latin text, little-endian
        return "utf-16-le"
    if even * 4 >= half * 3 and odd == 0:
        return "utf-16-be"
    return None


def _lines(stream, name: str, stats: InputStats) -> Iterator[tuple[int, str | None]]:
    """Decoded lines with numbers; None for a line that is reported as skipped (too long, NUL bytes).

    Text is UTF-8 (a BOM is dropped), UTF-16 (Excel's "Unicode text" export, with
    a BOM; without one when its first characters are ASCII), or else Turkish
    Windows cp1254, decided line by line (ISO-8859-9, latin-5, differs from cp1254
    only in 0x80-0x9F, control codes there, so cp1254 reads both).
    """
    wrapper = None
    codec = _utf16(_peek(stream, 64))
    if codec is not None:
        wrapper = io.TextIOWrapper(stream, encoding=codec, errors="replace", newline=None)
        source: Iterator[bytes | str | None] = _bounded_lines(wrapper, MAX_LINE_BYTES // 2)
    else:
        source = _bounded_lines(stream, MAX_LINE_BYTES)
    try:
        for number, raw in enumerate(source, 1):
            if not number & 4095:
                checkpoint()
            if raw is None:
                stats.skip("line too long (over 1 MiB)", f"{name}:{number}")
                yield number, None
                continue
            if isinstance(raw, bytes):
                if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                if b"\x00" in raw:
                    stats.skip("binary data", f"{name}:{number}")
                    yield number, None
                    continue
                text = _decode(raw)
            else:
                text = raw
                if "\x00" in text:
                    stats.skip("binary data", f"{name}:{number}")
                    yield number, None
                    continue
            yield number, text.rstrip("\r\n")
    finally:
        if wrapper is not None:
            wrapper.detach()  # the caller owns the stream (stdin must not be closed here)


def _text_candidates(stream, name: str, stats: InputStats) -> Iterator[Candidate]:
    for number, line in _lines(stream, name, stats):
        stats.lines += 1
        if line is None:
            continue
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        cut = text.find(" #")
        if cut >= 0:
            text = text[:cut].strip()
        fields = _fields(text, TEXT_SEPARATORS)
        if number == 1 and _is_header_line(text, fields):
            stats.headers += 1
            continue
        where = f"{name}:{number}"
        listed = _domain_list(fields)
        if listed:
            for f in listed:  # "a.com.tr, b.com.tr": every field a domain, so each one is a lead
                yield Candidate(f, where)
            continue
        found, company = _line_company(text, fields)
        if found:  # "Acme Ltd, acme.com.tr", "acme.com.tr;Acme Ltd": each domain a lead of the line's company
            for f in found:
                yield Candidate(f, where, (), company)
            continue
        yield Candidate(text, where, fields)


# A text line's fields are split at any of these (a CSV export's delimiters; tab from Excel's copy).
TEXT_SEPARATORS = ",;\t|"
# Words of a legal form (compared after fold()): a field holding one is the company when a line has
# several texts ("İstanbul, acme.com.tr, Acme Ltd"), and a line's rest made only of them is not a name.
LEGAL_FORMS = frozenset(
    fold(w)
    for w in (
        "a.ş.", "aş", "as", "ltd", "ltd.", "şti", "şti.", "limited", "şirketi", "sirketi", "san", "san.", "tic",
        "tic.", "holding", "inc", "inc.", "llc", "corp", "corp.", "co", "co.", "company", "plc", "gmbh", "ag",
        "sa", "s.a.", "srl", "bv", "b.v.", "nv", "oy", "ab", "kg",
    )
)  # fmt: skip
# Words (compared after fold()) that make an e-mail address's display name a company's rather than a
# person's: what a business calls itself besides a legal form ("Ayna Tekstil", "Bimi Danışmanlık").
COMPANY_WORDS = frozenset(
    fold(w)
    for w in (
        "holding", "grup", "group", "şirket", "şirketleri", "firma", "ticaret", "sanayi", "sanayii", "teknoloji",
        "teknolojileri", "technology", "technologies", "tech", "yazılım", "software", "bilişim", "bilgisayar",
        "danışmanlık", "consulting", "mühendislik", "engineering", "inşaat", "construction", "otomotiv", "lojistik",
        "logistics", "nakliyat", "kargo", "gıda", "tekstil", "enerji", "energy", "sigorta", "insurance", "bank",
        "banka", "bankası", "hastane", "hastanesi", "hospital", "klinik", "kliniği", "eczane", "eczanesi", "okul",
        "okulu", "kolej", "koleji", "school", "üniversite", "üniversitesi", "university", "vakıf", "vakfı",
        "dernek", "derneği", "belediye", "belediyesi", "ajans", "agency", "medya", "media", "sistem", "sistemleri",
        "systems", "çözüm", "çözümleri", "solutions", "hizmetleri", "services", "mimarlık", "architects", "hukuk",
        "avukatlık", "law", "bürosu", "muhasebe", "turizm", "tourism", "otel", "oteli", "hotel", "hotels",
        "mağazacılık", "market", "marketleri", "stüdyo", "studio", "labs", "laboratuvar", "global", "uluslararası",
        "international", "ilaç", "pharma", "kimya", "chemicals", "makina", "makine", "elektrik", "elektronik",
        "plastik", "metal", "mobilya", "matbaa", "matbaacılık", "yayınevi", "yayıncılık", "reklam", "pazarlama",
        "marketing", "ithalat", "ihracat", "dış", "petrol", "maden", "madencilik", "tarım", "hayvancılık",
    )
)  # fmt: skip
_BRACKETS = "()<>[]{}\"'"
_JOINERS = " -–—|:/()<>[]{}\"'"


def _is_header_line(text: str, fields: tuple[str, ...]) -> bool:
    """A first line that only names columns: "domain", "Firma;Web Sitesi", "company, website"."""
    names = fields or (text,)
    folded = [fold(f) for f in names]
    known = _WEBSITE | _EMAIL
    pairs = zip(folded, names, strict=True)
    return any(f in known for f in folded) and all(f in known or _is_company_header(n) for f, n in pairs)


def _company_text(text: str) -> str | None:
    """``text`` as a company name: None when it is a placeholder, has no letter, or looks like an
    address, a URL or a domain Hunter rejected (``acme.example``, ``ali@gmail.com``)."""
    name = clean_company(text.strip(_JOINERS))
    if name is None or not any(c.isalpha() for c in name):
        return None
    if "@" in name or "://" in name or name.lower().startswith("www."):
        return None
    if " " not in name and "." in name.strip(".") and fold(name) not in LEGAL_FORMS:
        return None  # one dotted word: a (bad) domain, never a name
    return name


def _is_legal_form(name: str) -> bool:
    return any(fold(w) in LEGAL_FORMS for w in name.replace(",", " ").split())


# RFC 5322 §3.4 name-addr with a quoted display name: ``"Yılmaz, Ahmet" <ahmet@firma.com.tr>``
_QUOTED_NAME_ADDR = re.compile(r'^\s*"(?P<name>(?:[^"\\]|\\.)*)"\s*<(?P<addr>[^<>\s]+@[^<>\s]+)>\s*$')


def _is_address(field: str) -> bool:
    return "@" in field.strip(_BRACKETS + ",;")


def _display_name_is_company(name: str, found: tuple[str, ...]) -> bool:
    """Whether ``name``, the display name beside the e-mail addresses ``found``, names a company.

    RFC 5322 §3.4's name-addr (``Ahmet <ahmet@firma.com.tr>``, ``"Yılmaz, Ahmet" <...>``, or the
    older ``ahmet@firma.com.tr (Ahmet)``) carries the sender's name, most often a person's: it is a
    company's only when it has a legal form (:data:`LEGAL_FORMS`), a word only businesses call
    themselves by (:data:`COMPANY_WORDS`), or is the address's domain by name (``Acme <info@acme.com.tr>``)."""
    if _is_legal_form(name):
        return True
    if any(fold(w) in COMPANY_WORDS for w in name.replace(",", " ").split()):
        return True
    squashed = fold(name)
    for address in found:
        domain = normalize(address.strip(_BRACKETS + ",;"))
        label = fold(domain.split(".")[0]) if isinstance(domain, str) else ""
        if len(squashed) >= 3 and label and (squashed.startswith(label) or label == squashed):
            return True
    return False


def _line_company(text: str, fields: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    """The domains on a text line and the company name beside them, in any order (:func:`_line_names`);
    the display name beside e-mail addresses only when it names a company, not a person
    (:func:`_display_name_is_company`): ``Ahmet <ahmet@firma.com.tr>`` is the address without a company."""
    quoted = _QUOTED_NAME_ADDR.match(text)
    if quoted is not None and not isinstance(normalize(quoted["addr"]), Rejected):
        # "Yılmaz, Ahmet" <ahmet@firma.com.tr>: one display name, its commas inside the quotes (RFC 5322 §3.2.4)
        name = _company_text(re.sub(r"\\(.)", r"\1", quoted["name"]))
        addr: tuple[str, ...] = (quoted["addr"],)
        return addr, name if name is not None and _display_name_is_company(name, addr) else None
    found, company = _line_names(text, fields)
    if company is not None and found and all(_is_address(f) for f in found):
        if not _display_name_is_company(company, found):
            return found, None
    return found, company


def _line_names(text: str, fields: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    """The domains on a text line and the company name beside them, in any order.

    Fields (``fields``, split quote-aware by :func:`_fields`) that are domains, URLs or
    e-mail addresses are the leads; of the others, the one with a legal form
    (Ltd, A.Ş., Inc, GmbH, ...) else the first with a letter is the company:
    ``Acme Ltd, acme.com.tr``, ``acme.com.tr;Acme Ltd``, ``"Acme, Inc.",acme.com``,
    ``Acme Ltd<TAB>acme.com.tr``. A line without separators is split at spaces
    when exactly one word is a domain: ``Acme Ltd acme.com.tr``,
    ``Acme Ltd <info@acme.com.tr>``, ``Acme Ltd (acme.com.tr)``. Returns ((), None)
    when the line holds no domain, or no name beside it.
    """
    if not fields:
        words = text.split()
        if len(words) < 2:
            return (), None
        hits = [i for i, w in enumerate(words) if not isinstance(normalize(w.strip(_BRACKETS + ",;")), Rejected)]
        if len(hits) != 1:
            return (), None
        i = hits[0]
        rest = " ".join(words[:i] + words[i + 1 :])
        company = _company_text(rest)
        if company is None:
            return (), None
        if all(fold(w) in LEGAL_FORMS for w in rest.split()):
            company = clean_company(text)  # "Acme.com Ltd": the whole line is the name
        return (words[i].strip(_BRACKETS + ",;"),), company
    found = tuple(f for f in fields if not isinstance(normalize(f), Rejected))
    if not found:
        return (), None
    names = [n for f in fields if isinstance(normalize(f), Rejected) and (n := _company_text(f)) is not None]
    if not names:
        return (), None
    return found, next((n for n in names if _is_legal_form(n)), names[0])


def _fields(text: str, separators: str = ",;") -> tuple[str, ...]:
    """The non-empty pieces of ``text`` (stripped) split at any of ``separators``; () when it has none.

    A piece that starts with a double quote runs to its closing quote, separators
    inside included, and ``""`` in it is one quote (RFC 4180 §2 rules 5-7):
    ``"Acme, Inc.",acme.com`` is two pieces, ``Acme, Inc.`` and ``acme.com``.
    """
    if not any(sep in text for sep in separators):
        return ()
    if '"' not in text:
        for sep in separators[1:]:
            text = text.replace(sep, separators[0])
        return tuple(f.strip() for f in text.split(separators[0]) if f.strip())
    pieces: list[str] = []
    piece: list[str] = []
    quoted = closed = False
    i = 0
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"' and text[i + 1 : i + 2] == '"':
                piece.append('"')
                i += 1
            elif ch == '"':
                quoted, closed = False, True
            else:
                piece.append(ch)
        elif ch in separators:
            pieces.append("".join(piece))
            piece, closed = [], False
        elif ch == '"' and not closed and not "".join(piece).strip():
            piece, quoted = [], True
        else:
            piece.append(ch)
        i += 1
    if quoted:  # an unbalanced quote is a character like any other
        return _fields(text.replace('"', ""), separators)
    pieces.append("".join(piece))
    return tuple(f.strip() for f in pieces if f.strip())


def _domain_list(fields: tuple[str, ...]) -> tuple[str, ...]:
    """``fields`` when there are two or more and every one is a domain ("a.com.tr; b.com.tr" in one line
    or cell: each a lead), else ()."""
    if len(fields) > 1 and all(not isinstance(normalize(f), Rejected) for f in fields):
        return fields
    return ()


def _column_index(spec: str, header: list[str] | None, width: int) -> int | None:
    """Resolve a --domain-column/--company-column value (header text, 1-based number, Excel letter)
    against the header row; None when the table has no such column (``width``: its widest row)."""
    spec = spec.strip()
    if header is not None:
        for i, cell in enumerate(header):
            if cell.strip() and fold(cell) == fold(spec):
                return i
    index = None
    if spec.isdigit() and int(spec) > 0:
        index = int(spec) - 1
    elif spec.isascii() and spec.isalpha() and len(spec) <= 3:
        n = 0
        for ch in spec.upper():
            n = n * 26 + (ord(ch) - 64)
        index = n - 1
    return index if index is not None and index < width else None


def _letter(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cell_text(cell: str) -> str:
    """The text a cell gives a domain from: its own, or, when that names no domain ("Web Sitesi", "Site",
    the company's name), the link attached to it (a workbook's hyperlink or HYPERLINK formula,
    xlsx.LinkedText; a ``mailto:`` link gives the address's domain)."""
    link = getattr(cell, "link", None)
    if link and isinstance(normalize(cell), Rejected):
        return str(link)
    return cell


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
                text = _cell_text(cells[col])
                if not isinstance(normalize(text), Rejected) or "@" in text:
                    n += 1
        return n

    def linked(col: int, start: int) -> bool:
        """Whether the column's domains come from links on names (a company column linked to websites)."""
        return any(
            number > start and col < len(cells) and _cell_text(cells[col]) is not cells[col] for number, cells in rows
        )

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
    width = max((len(cells) for _, cells in rows), default=0)
    if hints.domain:
        col = _column_index(hints.domain, header, width)
        if col is None:
            raise ColumnError(
                Said(
                    "input.column.none",
                    option="--domain-column",
                    wanted=repr(hints.domain),
                    columns=_columns_note(header, width, hints.domain),
                ),
                "--domain-column",
            )
        chosen = [col]  # the column asked for, and only it: never the detected one instead
    else:
        chosen = [c for c in proposed if usable(c, start) > 0]
        if not chosen:
            width = max((len(cells) for _, cells in rows), default=0)
            scored = sorted(((usable(c, start), c) for c in range(width)), reverse=True)
            chosen = [c for n, c in scored if n > 0]
    company = None
    if hints.company:
        company = _column_index(hints.company, header, width)
        if company is None:
            raise ColumnError(
                Said(
                    "input.column.none",
                    option="--company-column",
                    wanted=repr(hints.company),
                    columns=_columns_note(header, width, hints.company),
                ),
                "--company-column",
            )
    elif header is not None:
        for i, cell in enumerate(header):
            if (i not in chosen or linked(i, start)) and _is_company_header(cell) and names(i, start) > 0:
                company = i
                break
    return header_at, chosen, company


def _columns_note(header: list[str] | None, width: int, wanted: str = "") -> Said:
    """The columns the input has, and the header nearest to ``wanted`` (choices.closest), if one is."""
    if not width:
        return Said("input.column.no_rows")
    if not header:
        return Said("input.column.no_header", width=width, last=_letter(width - 1))
    named = [f"{_letter(i)}/{i + 1}={c.strip()!r}" for i, c in enumerate(header) if c.strip()]
    from .choices import closest

    near = closest(wanted, [c.strip() for c in header if c.strip()]) if wanted else None
    if near:
        return Said("input.column.list_near", columns=", ".join(named), near=repr(near))
    return Said("input.column.list", columns=", ".join(named))


def _table_candidates(
    rows: Iterator[tuple[int, list[str]]], name: str, stats: InputStats, hints: ColumnHints = ColumnHints()
) -> Iterator[Candidate]:
    head: list[tuple[int, list[str]]] = []
    for item in rows:
        head.append(item)
        if len(head) >= 50:
            break
    try:
        header_at, columns, company_col = _pick_columns(head, hints)
    except ColumnError as exc:
        raise ColumnError(Said("input.column.in_file", name=name, error=said_of(exc)), exc.option) from None
    if not columns:
        for number, cells in head:
            stats.lines += 1
            if company_col is not None and header_at is not None and number <= header_at:
                stats.headers += 1  # a header row it recognised (a company column), no row of data to skip
            elif any(c.strip() for c in cells):
                stats.skip("no domain, website or e-mail column found", f"{name}:{number}")
        for number, cells in rows:
            stats.lines += 1
            if any(c.strip() for c in cells):
                stats.skip("no domain, website or e-mail column found", f"{name}:{number}")
        return

    last = [0]  # the row number read last: blank rows between (a sheet stores none) are rows of the file too

    def emit(number: int, cells: list[str]) -> Iterator[Candidate]:
        stats.lines += number - last[0] if number > last[0] else 1
        last[0] = max(last[0], number)
        if header_at is not None and number <= header_at:
            stats.headers += 1
            return
        values = [_cell_text(cells[c]).strip() for c in columns if c < len(cells) and cells[c] and cells[c].strip()]
        if not values:
            if any(c.strip() for c in cells if c):
                stats.skip("no domain in the chosen column", f"{name}:{number}")
            return
        company = clean_company(cells[company_col]) if company_col is not None and company_col < len(cells) else None
        first = values[0]
        parts = _fields(first)
        listed = _domain_list(parts)
        if listed:  # a cell holding "a.com.tr; b.com.tr": each domain a lead of the row's company
            for f in listed:
                yield Candidate(f, f"{name}:{number}", (), company)
            return
        yield Candidate(first, f"{name}:{number}", parts + tuple(values[1:]), company)  # "a.com.tr, ofis": a.com.tr

    for number, cells in head:
        yield from emit(number, cells)
    for number, cells in rows:
        yield from emit(number, cells)


# States of the quote scanner, after csv's default dialect (doublequote, non-strict).
_FIELD_START, _UNQUOTED, _QUOTED, _QUOTE_IN_QUOTED = range(4)


def _quote_state(line: str, delimiter: str, state: int = _FIELD_START) -> int:
    """Where a CSV line leaves the parser; ``_QUOTED`` means a quoted value runs on to the next line.

    Follows RFC 4180 §2 rules 5-7 as Python's csv module applies them: a quote
    opens a value only at its start, ``""`` inside is a literal quote, and text
    after a closing quote is kept (csv's non-strict mode).
    """
    for ch in line:
        if state == _QUOTED:
            if ch == '"':
                state = _QUOTE_IN_QUOTED
        elif ch == delimiter:
            state = _FIELD_START
        elif state == _FIELD_START:
            state = _QUOTED if ch == '"' else _UNQUOTED
        elif state == _QUOTE_IN_QUOTED:
            state = _QUOTED if ch == '"' else _UNQUOTED
    return state


def _csv_rows(stream, name: str, stats: InputStats) -> Iterator[tuple[int, list[str]]]:
    """CSV records as (first line number, cells), resynchronising after a broken quote.

    The rule (docs/reliability.md, "Input files"): a quoted value may run over
    at most MAX_QUOTED_LINES lines and MAX_QUOTED_BYTES bytes, and a record that
    does run over several lines must have as many columns as the file's first
    row. A quote still open after that, or at the end of the file, is
    unbalanced: its line alone is skipped and reported, and reading resumes on
    the next line. So one stray quote costs one line, never the rest of the file.
    Rows are cut at MAX_COLUMNS cells.
    """
    if csv.field_size_limit() < MAX_LINE_BYTES:  # a line's one value may be as long as the line
        csv.field_size_limit(MAX_LINE_BYTES)
    numbered = _lines(stream, name, stats)
    pending: list[tuple[int, str | None]] = []  # lines to read again, last first

    def next_line() -> tuple[int, str | None] | None:
        return pending.pop() if pending else next(numbered, None)

    delimiter: str | None = None
    width: int | None = None
    while (item := next_line()) is not None:
        number, line = item
        if line is None:
            stats.lines += 1
            continue
        if delimiter is None:
            delimiter = max(",;\t|", key=line.count) if any(d in line for d in ",;\t|") else ","
        if '"' not in line:
            cells = line.split(delimiter)
        elif _quote_state(line, delimiter) != _QUOTED:
            try:
                cells = next(csv.reader([line], delimiter=delimiter), [])
            except csv.Error as exc:  # e.g. a quoted value over csv's field size limit
                stats.lines += 1
                stats.skip(f"broken CSV row ({exc})", f"{name}:{number}")
                continue
        else:
            taken: list[tuple[int, str | None]] = [item]
            state, size = _QUOTED, len(line)
            while state == _QUOTED and len(taken) < MAX_QUOTED_LINES and size <= MAX_QUOTED_BYTES:
                more = next_line()
                if more is None:
                    break
                taken.append(more)
                if more[1] is None:  # an unreadable line cannot be part of a value
                    break
                state = _quote_state(more[1], delimiter, _QUOTED)
                size += len(more[1]) + 1
            cells = []
            if state != _QUOTED and taken[-1][1] is not None:
                try:
                    records = list(csv.reader([str(t) + "\n" for _, t in taken], delimiter=delimiter))
                except csv.Error:  # what csv cannot read is an unbalanced row like any other
                    records = []
                cells = records[0] if len(records) == 1 else []
            if not cells or (width is not None and len(cells) != width):
                stats.lines += 1
                stats.skip(BROKEN_QUOTE, f"{name}:{number}")
                pending.extend(reversed(taken[1:]))
                continue
        if width is None and any(c.strip() for c in cells):
            width = len(cells)
        if len(cells) > MAX_COLUMNS:
            del cells[MAX_COLUMNS:]
        yield number, cells


def _xlsx_rows(
    path: str, name: str, stats: InputStats, sheet: str | None = None
) -> Generator[tuple[int, list[str]], None, None]:
    """Rows of the first worksheet (or ``sheet``) through the bounded reader (hunter_cli/xlsx.py).

    Refusals become InputError; a sheet that is not there, ColumnError (a usage error).
    """
    from . import xlsx

    notes = xlsx.ReadNotes()
    try:
        yield from xlsx.read_rows(path, name, notes, checkpoint, sheet)
    except xlsx.SheetNotFound as exc:
        raise ColumnError(said_of(exc), "--sheet") from None
    except xlsx.WorkbookError as exc:
        raise InputError(said_of(exc)) from None
    finally:
        if notes.ignored_cells:
            rows = ", ".join(str(r) for r in notes.ignored_rows)
            more = ", ..." if notes.ignored_cells > len(notes.ignored_rows) else ""
            stats.notes.append(
                Said(
                    "input.note.ignored_cells", name=name, n=notes.ignored_cells, max=xlsx.MAX_COLUMNS, rows=rows + more
                )
            )
        if notes.cut_texts:
            stats.notes.append(Said("input.note.cut_texts", name=name, n=notes.cut_texts, max=xlsx.MAX_CELL_CHARS))


ALL_SHEETS = "all"  # --sheet all: every sheet with a usable column (a sheet named "all" by its number)


def _workbook_candidates(path: str, name: str, stats: InputStats, hints: ColumnHints) -> Iterator[Candidate]:
    """Candidates from a workbook: the sheet named by ``--sheet``, every sheet with a usable column for
    ``--sheet all`` (each row named ``book.xlsx[Sheet]:5``), else the first sheet with a usable column.

    A workbook whose first sheet is a cover page is read from the next sheet that
    has a domain, website or e-mail column (said in ``stats.notes``); a later sheet
    that has one too is named in ``stats.notes`` with its rows, and how to read it.
    When no sheet has one, InputError names the sheets looked at.
    """
    import itertools

    from . import xlsx

    every = hints.sheet is not None and hints.sheet.strip().casefold() == ALL_SHEETS
    if hints.sheet is not None and not every:
        yield from _table_candidates(_xlsx_rows(path, name, stats, hints.sheet), name, stats, hints)
        return
    try:
        names = xlsx.sheet_names(path, name)
    except xlsx.WorkbookError as exc:
        raise InputError(said_of(exc)) from None
    if len(names) <= 1 and not every:
        yield from _table_candidates(_xlsx_rows(path, name, stats), name, stats, hints)
        return
    refused: ColumnError | None = None  # a column named on the command line that the first sheets lack
    read: list[str] = []
    for number, sheet in enumerate(names, 1):
        rows = _xlsx_rows(path, name, stats, str(number))
        try:
            head = list(itertools.islice(rows, 50))
        except ColumnError:  # a chart sheet
            continue
        try:
            picked = _pick_columns(head, hints)
        except ColumnError as exc:  # --domain-column E on a cover sheet: look for it in the next sheets
            refused = refused or exc
            rows.close()
            continue
        if not picked[1]:
            rows.close()
            continue
        if read and not every:  # a later sheet with a usable column: say so, with how to read it
            rows_with = _rows_in_columns(itertools.chain(head, rows), *picked[:2])
            if rows_with:
                key = "input.note.other_sheet." + ("one" if rows_with == 1 else "many")
                stats.notes.append(Said(key, name=name, sheet=repr(sheet), n=rows_with, option=_quoted(sheet)))
            continue
        if number > 1 and not read and not every:
            before = ", ".join(repr(n) for n in names[: number - 1])
            stats.notes.append(Said("input.note.read_sheet", name=name, sheet=repr(sheet), before=before))
        read.append(sheet)
        shown = f"{name}[{sheet}]" if every else name
        yield from _table_candidates(itertools.chain(head, rows), shown, stats, hints)
    if read:
        return
    looked = ", ".join(repr(n) for n in names)
    if refused is not None:
        raise ColumnError(Said("input.column.sheets", name=name, error=said_of(refused), looked=looked), refused.option)
    raise InputError(Said("input.error.no_column_any_sheet", name=name, looked=looked))


def _rows_in_columns(rows: Iterable[tuple[int, list[str]]], header_at: int | None, columns: list[int]) -> int:
    """How many rows below the header row have a value in one of ``columns``."""
    return sum(
        1
        for number, cells in rows
        if (header_at is None or number > header_at) and any(c < len(cells) and cells[c].strip() for c in columns)
    )


def _quoted(sheet: str) -> str:
    """A sheet's name as a shell word for ``--sheet``: ``'Ek Liste'``, ``Sayfa2``."""
    import shlex

    return shlex.quote(sheet)


def check_hints(args: Iterable[str], hints: ColumnHints) -> None:
    """Raise ColumnError when a column or sheet named on the command line is not in a table input.

    Reads the first rows of each CSV/workbook input (nothing else), so a usage error
    is reported before a scan or import starts. Inputs that cannot be read at all
    are left for the read itself to report.
    """
    if not hints:
        return
    for arg in args:
        lower = arg.lower()
        if arg == "-" or not os.path.isfile(arg) or not lower.endswith(CSV_EXTENSIONS + XLSX_EXTENSIONS):
            continue
        try:
            for _ in candidates(arg, InputStats(), hints):
                break
        except ColumnError:
            raise
        except InputError:
            continue


def missing_files(args: Iterable[str]) -> list[str]:
    """Arguments that name a file (by their extension) that does not exist."""
    return [a for a in args if a != "-" and not os.path.exists(a) and a.lower().endswith(FILE_EXTENSIONS)]


ZIP_MAGIC = b"PK\x03\x04"


def candidates(
    arg: str, stats: InputStats, hints: ColumnHints = ColumnHints(), position: int | None = None
) -> Iterator[Candidate]:
    """Candidates from one command-line INPUT: ``-``, a file path, or a literal domain/URL/e-mail.

    ``position`` is the INPUT's place on the command line (1 for the first): a literal's place is then
    said as ``argument 2: xn--zz.com`` (in the command's language), else as ``argument``.

    Raises InputError when the input cannot be read at all, or stops being
    readable part-way (candidates already yielded stay valid); the message
    starts with the input's name and fits on one line.
    """
    if arg == "-":
        stdin = sys.stdin
        if stdin is None or getattr(stdin, "buffer", None) is None:
            raise InputError(Said("input.error.stdin_closed"))
        read = stats.lines
        try:
            yield from _text_candidates(stdin.buffer, "stdin", stats)
        except (OSError, ValueError) as exc:  # ValueError: I/O on a closed file
            raise InputError(Said("input.error.stdin_unreadable", why=_why(exc))) from None
        if stats.lines == read:  # nothing came: `hunter scan - < empty.txt`
            raise InputError(Said("input.error.stdin_empty"))
        return
    lower = arg.lower()
    if not os.path.lexists(arg):
        if lower.endswith(FILE_EXTENSIONS):
            raise InputError(Said("input.error.no_such_file", name=arg))
        parts = list(_fields(arg)) or [arg.strip() or arg]
        for part in parts:  # "a.com.tr,b.com.tr; c.com": a list pasted from a CRM
            stats.lines += 1
            where = "argument" if position is None else Said("input.where.argument", n=position, text=part)
            yield Candidate(part, where)
        return
    if os.path.isdir(arg):
        raise InputError(Said("input.error.directory", name=arg))
    name = os.path.basename(arg)
    if _blank(arg):
        raise InputError(Said("input.error.empty", name=name))
    if lower.endswith((".xls", ".ods")):
        raise InputError(Said("input.error.old_format", name=name))
    if lower.endswith(XLSX_EXTENSIONS):
        yield from _workbook_candidates(arg, name, stats, hints)
        return
    try:
        fh = open(arg, "rb")
    except OSError as exc:
        raise InputError(Said("input.error.cannot_open", name=arg, why=_why(exc))) from None
    read = stats.lines
    try:
        with fh:
            if _peek(fh, 4) == ZIP_MAGIC:  # a workbook saved under another name
                fh.close()
                yield from _workbook_candidates(arg, name, stats, hints)
            elif lower.endswith(CSV_EXTENSIONS) or _is_unicode_text_table(fh):
                yield from _table_candidates(_csv_rows(fh, name, stats), name, stats, hints)
            else:
                yield from _text_candidates(fh, name, stats)
    except OSError as exc:
        done = stats.lines - read
        raise InputError(
            Said(f"input.error.stopped.{'one' if done == 1 else 'many'}", name=name, n=done, why=_why(exc))
        ) from None


# Up to this many bytes, a file is read whole to tell whether it is empty (blank lines, a byte-order mark)
_BLANK_PEEK = 1 << 16


def _blank(path: str) -> bool:
    """Whether the file at ``path`` holds nothing to read: 0 bytes, or only white space, NULs and byte-order
    marks (UTF-8, UTF-16). False when it cannot be read (opening it says why) or is larger than 64 KiB."""
    try:
        if os.path.getsize(path) > _BLANK_PEEK:
            return False
        with open(path, "rb") as fh:
            data = fh.read(_BLANK_PEEK)
    except OSError:
        return False
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        data = data.replace(bom, b"")
    return not data.replace(b"\x00", b"").strip()


def _why(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__


def _is_unicode_text_table(fh) -> bool:
    """Excel's text exports read as a table: "Unicode text" (UTF-16, tab-separated), and "Text (Tab
    delimited)" (cp1254 or UTF-8) when its first line is a tab-separated header without a domain in it."""
    head = _peek(fh, 4096)
    codec = _utf16(head)
    if codec is not None:
        first = next(iter(head.decode(codec, errors="ignore").splitlines()), "")
        return "\t" in first
    line = next(iter(head.splitlines()), b"").removeprefix(b"\xef\xbb\xbf")
    if b"\t" not in line:
        return False
    cells = [c.strip() for c in _decode(line).rstrip("\r").split("\t") if c.strip()]
    return bool(cells) and all(isinstance(normalize(c), Rejected) and "@" not in c for c in cells)


@dataclass(frozen=True, slots=True)
class Lead:
    """A domain from the input, with the company name the row gave (if any).

    ``duplicate`` leads repeat an earlier domain; they are only passed on when
    they carry a company name and no earlier row named one, so an empty name can be filled in. A repeat
    under another company name than the first row's is not passed on: the first name is kept, and the
    summary says which (:meth:`InputStats.other_name`).
    """

    domain: str
    company: str | None = None
    duplicate: bool = False


def leads(args: Iterable[str], stats: InputStats, hints: ColumnHints = ColumnHints()) -> Iterator[Lead]:
    """Leads from all inputs, in input order, counted into ``stats``."""
    from .domains import DATA_PROBLEMS
    from .store.seen import SeenDomains

    seen = SeenDomains()  # exact, and flat in memory past 100,000 domains (store/seen.py)
    try:
        for position, arg in enumerate(args, 1):
            try:
                yield from _leads_of(arg, stats, hints, seen, position)
            except ColumnError:
                raise  # a usage error: the command line is wrong, not this input
            except InputError as exc:
                stats.unreadable.append(said_of(exc))  # the other inputs are still read
    finally:
        seen.close()
        stats.notes.extend(p for p in DATA_PROBLEMS if p not in stats.notes)


def _leads_of(
    arg: str, stats: InputStats, hints: ColumnHints, seen: SeenDomains, position: int | None = None
) -> Iterator[Lead]:
    """Leads of one input (the ``position``-th on the command line); raises InputError when it cannot be
    read (see :func:`candidates`)."""
    for cand in candidates(arg, stats, hints, position):
        result = normalize(cand.text)
        if isinstance(result, Rejected):
            for alt in cand.fallback:
                alt_result = normalize(alt)
                if not isinstance(alt_result, Rejected) or (alt_result.telling and not result.telling):
                    result = alt_result  # a free mailbox or social page beside a name says more than "contains spaces"
                if not isinstance(result, Rejected):
                    break
        if isinstance(result, Rejected):
            if result.consumer:
                stats.consumer += 1
            stats.skip(result.reason, cand.where)
            continue
        if not seen.add(result):
            stats.duplicate(cand.where)
            if cand.company:
                first = seen.name_of(result)
                if first is None:  # the first name given for it: fills in an empty one
                    seen.set_name(result, cand.company, cand.where)
                    yield Lead(result, cand.company, duplicate=True)
                elif not same_company(first[0], cand.company):
                    stats.other_name(cand.where, cand.company, *first)
            continue
        stats.accepted += 1
        if cand.company:
            stats.companies += 1
            seen.set_name(result, cand.company, cand.where)
        yield Lead(result, cand.company)


def same_company(a: str, b: str) -> bool:
    """Whether two company names are the same name written alike: spaces and letter case aside
    (``Firma  A.Ş.`` and ``firma a.ş.``)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


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
            total += max(1, arg.count(",") + arg.count(";"))
            continue
        if arg.lower().endswith(XLSX_EXTENSIONS):
            from .xlsx import estimate_rows

            rows = estimate_rows(arg)
            if rows is None:
                return None
            total += rows
            continue
        try:
            with open(arg, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    total += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")  # LF, CR, CR LF
        except OSError:
            return None
    return total
