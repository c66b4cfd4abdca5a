"""One time format for people and one for machines, for every table, brief and file Hunter writes.

People read local time to the minute: ``2026-11-29 15:30`` (:func:`for_people`); a day alone
as ``2026-11-29`` (:func:`day_for_people`). That is English; Turkish writes the day as its briefs do,
``29 Kasım 2026 15:30`` and ``29 Kasım 2026`` (``lang="tr"``), so one screen says every date one way
(hunter_cli/brief/localize.py: the briefs' ``{date}`` and ``{when}``). Machines (JSON, CSV) get ISO 8601 with its UTC
offset: ``2026-11-29T12:30:00+00:00`` (:func:`for_machines`). The store keeps UTC ISO 8601.
Pure functions: the local zone is the process's (``TZ``).
"""

from __future__ import annotations

from datetime import date, datetime, timezone


def _parse(ts: str) -> datetime | None:
    try:
        t = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)  # the store writes UTC


def _day(day: date, lang: str) -> str:
    if lang == "tr":
        from .brief.localize import format_date  # the briefs' Turkish day: 29 Kasım 2026

        return format_date(day, lang)
    return day.isoformat()


def for_people(ts: str | None, lang: str = "en") -> str:
    """``2026-11-29T12:30:05+00:00`` -> ``2026-11-29 15:30`` in local time (``lang`` tr:
    ``29 Kasım 2026 15:30``); a date stays a date (``29 Kasım 2026``); "" for None; text that is no
    time as it is."""
    if not ts:
        return ""
    if len(ts) == 10:
        try:
            return _day(date.fromisoformat(ts), lang)
        except ValueError:
            return ts
    t = _parse(ts)
    if t is None:
        return ts
    t = t.astimezone()
    return f"{_day(t.date(), lang)} {t:%H:%M}"


def day_for_people(ts: str | None, lang: str = "en") -> str:
    """The local calendar day of ``ts``: ``2026-11-29`` (``lang`` tr: ``29 Kasım 2026``); "" for None."""
    if not ts:
        return ""
    if len(ts) == 10:
        return for_people(ts, lang)
    t = _parse(ts)
    return _day(t.astimezone().date(), lang) if t else ts


def for_machines(ts: str | None) -> str | None:
    """``2026-11-29T12:30:05+00:00`` (ISO 8601 with offset, seconds); a date stays a date; None stays None."""
    if not ts or len(ts) == 10:
        return ts
    t = _parse(ts)
    return t.isoformat(timespec="seconds") if t else ts
