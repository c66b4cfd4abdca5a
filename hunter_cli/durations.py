"""Durations people type on the command line: ``90s``, ``30m``, ``12h``, ``7d``, ``2w``."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone

from .said import Said

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
# The longest duration accepted: 100 years back from now is still a date Python can hold and far
# older than any scan a store keeps, so "everything" is never cut short; beyond it a cut-off would
# fall before year 1 (OverflowError) or say nothing more.
LONGEST_DAYS = 36500
LONGEST = timedelta(days=LONGEST_DAYS)


def parse_duration(text: str) -> timedelta:
    """``"7d"`` -> 7 days; ``"0"`` (zero needs no unit) -> no time at all, at most :data:`LONGEST`.

    Raises ValueError with a message fit for the user (one that names the longest value accepted
    when the number is too big)."""
    if (text or "").strip() == "0":
        return timedelta(0)
    m = _PATTERN.match(text or "")
    if not m:
        raise ValueError(Said("cli.duration.bad", value=repr(text)))
    seconds = float(m.group(1)) * _UNITS[m.group(2).lower()]
    if not math.isfinite(seconds) or seconds > LONGEST.total_seconds():
        raise ValueError(Said("cli.duration.too_long", value=repr(text.strip()), days=LONGEST_DAYS))
    return timedelta(seconds=seconds)


def ago_iso(delta: timedelta) -> str:
    """The UTC timestamp ``delta`` ago, in the same form the store writes."""
    return (datetime.now(timezone.utc) - delta).isoformat(timespec="seconds")
