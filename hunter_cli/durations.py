"""Durations people type on the command line: ``90s``, ``30m``, ``12h``, ``7d``, ``2w``; Turkish ``1g``, ``1ay``,
``30dk``; a date ``2026-12-01`` (the time since that day began)."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone

from .said import Said

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# The Turkish units, as a Turkish speaker types them: saniye, dakika, saat, gün, hafta, ay (30 days)
TURKISH_UNITS = {"sn": "s", "dk": "m", "sa": "h", "g": "d", "gün": "d", "hf": "w", "hafta": "w", "ay": "mo"}
_DAYS_A_MONTH = 30  # "1ay": a month back, as 30 days (the store keeps times, not calendar months)
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([^\W\d_]+)\s*$", re.IGNORECASE)
_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def unit_of(text: str) -> tuple[float, str] | None:
    """``"7d"`` -> ``(7.0, "d")``, ``"1ay"`` -> ``(1.0, "mo")``, ``"30dk"`` -> ``(30.0, "m")``: the number and the
    English unit (s, m, h, d, w, or mo for the Turkish ay) of a duration; None when it is not one."""
    m = _PATTERN.match(text or "")
    if not m:
        return None
    unit = m.group(2).casefold()
    unit = unit if unit in _UNITS else TURKISH_UNITS.get(unit, "")
    return (float(m.group(1)), unit) if unit else None


def date_of(text: str) -> datetime | None:
    """``"2026-12-01"`` -> that day's local midnight (aware); None when ``text`` is not such a date."""
    m = _DATE.match(text or "")
    if not m:
        return None
    try:
        return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3))).astimezone()
    except ValueError:
        return None


# The longest duration accepted: 100 years back from now is still a date Python can hold and far
# older than any scan a store keeps, so "everything" is never cut short; beyond it a cut-off would
# fall before year 1 (OverflowError) or say nothing more.
LONGEST_DAYS = 36500
LONGEST = timedelta(days=LONGEST_DAYS)


def parse_duration(text: str) -> timedelta:
    """``"7d"`` -> 7 days; ``"0"`` (zero needs no unit) -> no time at all, at most :data:`LONGEST`. The Turkish
    units too (:data:`TURKISH_UNITS`: ``1g``, ``1ay``, ``30dk``), and a date (``2026-12-01``: since that day began).

    Raises ValueError with a message fit for the user (one that names the longest value accepted
    when the number is too big, or the date when it lies in the future)."""
    if (text or "").strip() == "0":
        return timedelta(0)
    if (day := date_of(text)) is not None:  # a date: the time since that day began (local time)
        if day > datetime.now(timezone.utc):  # `--since 2099-01-01`: a typo, not "nothing since then" (trial 32)
            raise ValueError(Said("cli.duration.future", value=text.strip()))
        return datetime.now(timezone.utc) - day
    found = unit_of(text)
    if found is None:
        raise ValueError(Said("cli.duration.bad", value=repr(text)))
    number, unit = found
    seconds = number * (_DAYS_A_MONTH * 86400 if unit == "mo" else _UNITS[unit])
    if not math.isfinite(seconds) or seconds > LONGEST.total_seconds():
        raise ValueError(Said("cli.duration.too_long", value=repr(text.strip()), days=LONGEST_DAYS))
    return timedelta(seconds=seconds)


def ago_iso(delta: timedelta) -> str:
    """The UTC timestamp ``delta`` ago, in the same form the store writes."""
    return (datetime.now(timezone.utc) - delta).isoformat(timespec="seconds")
