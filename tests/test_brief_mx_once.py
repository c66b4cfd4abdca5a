"""A host listed at two MX preferences (``MX 5 aspmx.l.google.com`` and ``MX 20 aspmx.l.google.com``) is one
server: the brief (`prep`), its Turkish and `hunter leads show` name it once (a trial saw "MX records point at:
aspmx.l.google.com, aspmx.l.google.com."). Real scans of tests/zones/trial15.zone."""

from __future__ import annotations

import re

import pytest

WIDE = {"COLUMNS": "400"}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, _session_dns, _session_ms, _session_reg):
    from conftest import scanned_once

    return scanned_once(
        tmp_path_factory,
        _session_dns,
        _session_ms,
        _session_reg,
        "mxonce",
        ("iki-tercih.com.tr", "iki-yok.com.tr"),
        (),
        "1515",
    )


def _said(text: str, host: str) -> int:
    return len(re.findall(re.escape(host) + r"(?![\w.-]*\w)", text))


@pytest.mark.parametrize("lang", ["en", "tr"])
@pytest.mark.parametrize("command", [("prep",), ("leads", "show")])
def test_a_host_at_two_preferences_is_named_once(scanned, lang, command):
    result = scanned(*command, "iki-tercih.com.tr", "--lang", lang, env=WIDE)
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "aspmx.l.google.com" in line]
    assert lines and all(_said(line, "aspmx.l.google.com") == 1 for line in lines), result.stdout


@pytest.mark.parametrize("lang", ["en", "tr"])
@pytest.mark.parametrize("command", [("prep",), ("leads", "show")])
def test_a_host_that_does_not_resolve_at_two_preferences_is_named_once_in_each_line(scanned, lang, command):
    result = scanned(*command, "iki-yok.com.tr", "--lang", lang, env=WIDE)
    assert result.exit_code == 0, result.stderr
    for line in result.stdout.splitlines():
        assert _said(line, "mx-yok.iki-yok.com.tr") <= 1, result.stdout
    assert _said(result.stdout, "mx-yok.iki-yok.com.tr") >= 1, result.stdout


def test_leads_show_gives_the_host_its_lowest_preference(scanned):
    out = scanned("leads", "show", "iki-tercih.com.tr", env=WIDE).stdout
    assert re.search(r"\b5 aspmx\.l\.google\.com\b", out) and "20 aspmx" not in out, out
