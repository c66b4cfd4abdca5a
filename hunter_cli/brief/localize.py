"""Dates, numbers and percentages as each language writes them. Pure functions, no I/O.

English keeps the ISO day (``2026-12-14``) and ``50%``. Turkish writes the day in
prose as ``14 Aralık 2026`` and in lists and tables as ``14.12.2026``; the decimal
sign is a comma and thousands are grouped with dots (``1.250.000``, ``12,5``); the
percent sign comes first (``%50``) and a suffix after a number is joined with an
apostrophe in the form vowel harmony gives it (``%50'si``, ``%10'u``, ``%3'te``),
as TDK's spelling guide (Yazım Kılavuzu, "Kesme işareti" and "Sayıların yazılışı")
sets out.

Message files use these through format specs (see :class:`MessageFormatter`):

``{date}``           a :class:`datetime.date`: the prose form
``{date:short}``     the numeric form for lists and tables
``{date:long}``      English ``14 December 2026`` (Turkish: the prose form)
``{when}``           a :class:`datetime.datetime` (local): the day as above, then ``HH:MM``
                     (en ``2026-12-14 09:05``, tr ``14 Aralık 2026 09:05``)
``{n:,}``            any Python number spec; Turkish swaps the separators
``{pct:%}``          a percentage: ``50%`` / ``%50``
``{pct:%'sine}``     Turkish only: a percentage with a suffix, written as it attaches to
                     ``%50`` ("elli"); it is adapted to the number read aloud
                     (``%10'una``, ``%25'ine``, ``%100'üne``)
"""

from __future__ import annotations

import string
from datetime import date, datetime

MONTHS_TR = (
    "Ocak",
    "Şubat",
    "Mart",
    "Nisan",
    "Mayıs",
    "Haziran",
    "Temmuz",
    "Ağustos",
    "Eylül",
    "Ekim",
    "Kasım",
    "Aralık",
)

_UNITS = ("sıfır", "bir", "iki", "üç", "dört", "beş", "altı", "yedi", "sekiz", "dokuz")
_TENS = ("", "on", "yirmi", "otuz", "kırk", "elli", "altmış", "yetmiş", "seksen", "doksan")
_VOWELS = "aeıioöuü"
_FRONT = "eiöü"
_ROUNDED = "oöuü"
_VOICELESS = "fstkçşhp"  # "fıstıkçı şahap": after these a suffix's d becomes t


def as_day(value: object) -> date | None:
    """``value`` (a date, a datetime or ISO 8601 text like ``2026-12-14T09:00:00+00:00``) as a day, else None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(day: date, lang: str, spec: str = "") -> str:
    """``day`` for people: en ``2026-12-14`` (``14 December 2026`` with spec ``long``, for messages on
    stderr); tr ``14 Aralık 2026`` (also with ``long``), or ``14.12.2026`` with spec ``short``."""
    if lang != "tr":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}" if spec == "long" else day.isoformat()
    if spec == "short":
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    return f"{day.day} {MONTHS_TR[day.month - 1]} {day.year}"


def format_number(value: float, lang: str, spec: str = "") -> str:
    """``value`` with a Python format ``spec``; Turkish swaps the separators (``1.250.000``, ``12,5``)."""
    text = format(value, spec)
    if lang != "tr":
        return text
    return text.translate(str.maketrans(",.", ".,"))


def last_word(number: str) -> str:
    """The last word said when a number written as digits (``50``, ``12,5``, ``1.000``) is read in Turkish.

    ``50`` → ``elli``; ``100`` → ``yüz``; ``2000`` → ``bin``; ``12,5`` → ``beş`` (the
    decimals are read as a number after "virgül").
    """
    digits = number.replace(".", "").replace(" ", "")
    if "," in digits:
        whole, frac = digits.split(",", 1)
        digits = frac if frac.strip("0") or not whole else whole
    digits = "".join(c for c in digits if c.isdigit()) or "0"
    n = int(digits)
    if n == 0:
        return _UNITS[0]
    if n % 10:
        return _UNITS[n % 10]
    if n % 100:
        return _TENS[(n % 100) // 10]
    if n % 1000:
        return "yüz"
    for power, word in ((10**6, "bin"), (10**9, "milyon"), (10**12, "milyar")):
        if n % power:
            return word
    return "trilyon"


def _high(vowel: str) -> str:
    front, rounded = vowel in _FRONT, vowel in _ROUNDED
    return ("ü" if rounded else "i") if front else ("u" if rounded else "ı")


def _low(vowel: str) -> str:
    return "e" if vowel in _FRONT else "a"


def attach(word: str, suffix: str) -> str:
    """``suffix`` written as it attaches to ``elli`` ("'si", "'sine", "'de", "'ye", "'nin") adapted to ``word``.

    Follows Turkish vowel harmony (i/ı/u/ü, e/a), drops the buffer consonant
    (s, y, n) after a consonant and hardens d to t after a voiceless consonant:
    ``attach("on", "'sine") == "'una"``, ``attach("üç", "'de") == "'te"``.
    """
    body = suffix.lstrip("'")
    prev = next((c for c in reversed(word) if c in _VOWELS), "e")
    ends_in_vowel = word[-1] in _VOWELS
    out = []
    for i, ch in enumerate(body):
        if i == 0 and ch in "syn" and len(body) > 1 and body[1] in _VOWELS:
            if ends_in_vowel:
                out.append(ch)
            continue
        if ch in "iıuü":
            ch = _high(prev)
            prev = ch
        elif ch in "ea":
            ch = _low(prev)
            prev = ch
        elif ch in "dt" and i == 0:
            ch = "t" if word[-1] in _VOICELESS else "d"
        elif ch in "cç" and i == 0:
            ch = "ç" if word[-1] in _VOICELESS else "c"
        out.append(ch)
    return "'" + "".join(out)


def format_percent(value: float, lang: str, spec: str = "%") -> str:
    """A percentage: en ``50%``; tr ``%50``, with a suffix when ``spec`` carries one (``%'si`` → ``%50'si``)."""
    number = format_number(value, lang, "g" if isinstance(value, float) else "")
    if lang != "tr":
        return f"{number}%"
    suffix = spec[1:]
    return f"%{number}" + (attach(last_word(number), suffix) if suffix else "")


class MessageFormatter(string.Formatter):
    """``str.format`` with the language's dates, numbers and percentages (module docstring)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value, format_spec: str) -> str:
        if isinstance(value, datetime):  # a moment: its day as the language writes it, then the local time
            return f"{format_date(value.date(), self.lang, format_spec)} {value:%H:%M}"
        if isinstance(value, date):
            return format_date(value, self.lang, format_spec)
        if format_spec.startswith("%"):
            return format_percent(value, self.lang, format_spec)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return format_number(value, self.lang, format_spec)
        return super().format_field(value, format_spec)
