"""One time format for people and one for machines, for every table, brief and file Hunter writes.

People read local time to the minute: ``2026-11-29 15:30`` (:func:`for_people`); a day alone
as ``2026-11-29`` (:func:`day_for_people`). Machines (JSON, CSV) get ISO 8601 with its UTC
offset: ``2026-11-29T12:30:00+00:00`` (:func:`for_machines`). The store keeps UTC ISO 8601.
Pure functions: the local zone is the process's (``TZ``).
"""

from __future__ import annotations

from datetime import datetime, timezone


def _parse(ts: str) -> datetime | None:
    try:
        t = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)  # the store writes UTC


def for_people(ts: str | None) -> str:
    """``2026-11-29T12:30:05+00:00`` -> ``2026-11-29 15:30`` in local time; a date stays a date; "" for None."""
    if not ts:
        return ""
    if len(ts) == 10:
        return ts
    t = _parse(ts)
    return t.astimezone().strftime("%Y-%m-%d %H:%M") if t else ts


def day_for_people(ts: str | None) -> str:
    """The local calendar day of ``ts``: ``2026-11-29``; "" for None."""
    return for_people(ts)[:10]


def for_machines(ts: str | None) -> str | None:
    """``2026-11-29T12:30:05+00:00`` (ISO 8601 with offset, seconds); a date stays a date; None stays None."""
    if not ts or len(ts) == 10:
        return ts
    t = _parse(ts)
    return t.isoformat(timespec="seconds") if t else ts
