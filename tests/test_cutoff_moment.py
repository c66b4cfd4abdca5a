"""A cut-off taken from a duration (`db prune --keep 0d`, `changes --since 1d`) is a moment, now minus the
duration, and is printed with its time: a trial saw "36 scans older than 2026-11-30" for scans made on
2026-11-30 and "changes since 2026-11-29" for `--since 1d`, in both languages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from test_big_lists import _events_db

WIDE = {"COLUMNS": "200"}


def _moments(ago: timedelta) -> set[str]:
    """The local ``YYYY-MM-DD HH:MM`` of now minus ``ago``, and of a minute either side (the run takes time)."""
    now = datetime.now().astimezone() - ago
    return {(now + timedelta(minutes=d)).strftime("%Y-%m-%d %H:%M") for d in (-1, 0, 1)}


@pytest.mark.parametrize(
    "lang, said", [("en", r"scans older than (\S+ \d\d:\d\d):"), ("tr", r"(\S+ \d\d:\d\d) tarihinden eski \d+ tarama")]
)
def test_prune_says_its_cut_off_with_the_minute(hunter, lang, said):
    hunter.scan_json("firma.com.tr")
    result = hunter("db", "prune", "--keep", "0d", "--dry-run", "--lang", lang, env=WIDE)
    assert result.exit_code == 0, result.stderr
    found = re.search(said, re.sub(r"\s+", " ", result.stdout))
    assert found and found.group(1) in _moments(timedelta(0)), result.stdout


@pytest.mark.parametrize(
    "lang, said", [("en", r"changes since (\S+ \d\d:\d\d)"), ("tr", r"(\S+ \d\d:\d\d) tarihinden bu yana")]
)
def test_changes_says_its_cut_off_with_the_minute(hunter, db, lang, said):
    _events_db(db, 3)
    for since, ago in (("1d", timedelta(days=1)), ("2h", timedelta(hours=2))):
        result = hunter("changes", "--since", since, "--lang", lang, env=WIDE)
        assert result.exit_code == 0, result.stderr
        found = re.search(said, re.sub(r"\s+", " ", result.stderr))
        assert found and found.group(1) in _moments(ago), result.stderr
