"""A cut-off taken from a duration (`db prune --keep 0d`, `changes --since 1d`) is a moment, now minus the
duration, and is printed with its time: a trial saw "36 scans older than 2026-11-30" for scans made on
2026-11-30 and "changes since 2026-11-29" for `--since 1d`, in both languages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from test_big_lists import _events_db

WIDE = {"COLUMNS": "200"}


def _moments(ago: timedelta, lang: str = "en") -> set[str]:
    """The local ``YYYY-MM-DD HH:MM`` (Turkish ``1 Aralık 2026 09:30``, as its briefs write a day) of now minus
    ``ago``, and of a minute either side (the run takes time)."""
    from hunter_cli.brief.localize import format_date

    now = datetime.now().astimezone() - ago
    return {f"{format_date(t.date(), lang)} {t:%H:%M}" for t in (now + timedelta(minutes=d) for d in (-1, 0, 1))}


@pytest.mark.parametrize(
    "lang, said",
    [("en", r"scans older than (\S+ \d\d:\d\d):"), ("tr", r"(\d+ \S+ \d{4} \d\d:\d\d) tarihinden eski \d+ tarama")],
)
def test_prune_says_its_cut_off_with_the_minute(hunter, lang, said):
    hunter.scan_json("firma.com.tr")
    result = hunter("db", "prune", "--keep", "0d", "--dry-run", "--lang", lang, env=WIDE)
    assert result.exit_code == 0, result.stderr
    found = re.search(said, re.sub(r"\s+", " ", result.stdout))
    assert found and found.group(1) in _moments(timedelta(0), lang), result.stdout


@pytest.mark.parametrize(
    "lang, said", [("en", r"changes since (\S+ \d\d:\d\d)"), ("tr", r"(\d+ \S+ \d{4} \d\d:\d\d) tarihinden bu yana")]
)
def test_changes_says_its_cut_off_with_the_minute(hunter, db, lang, said):
    _events_db(db, 3)
    for since, ago in (("1d", timedelta(days=1)), ("2h", timedelta(hours=2))):
        result = hunter("changes", "--since", since, "--lang", lang, env=WIDE)
        assert result.exit_code == 0, result.stderr
        found = re.search(said, re.sub(r"\s+", " ", result.stderr))
        assert found and found.group(1) in _moments(ago, lang), result.stderr
