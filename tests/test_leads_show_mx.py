"""`hunter leads show` says what the MX set's errors and warnings mean, in the brief's words and the command's
language (trial 13, B2: "each fact about a lead is defined once"): real scans of the suite's zones.

The scan's ``mx_errors`` and ``mx_warnings`` (docs/json-schema.md) hold a split between two providers at one
preference, a backup MX at another provider, an MX that is an alias (RFC 2181 10.3), an IP address where a
host belongs (RFC 5321 5.1), hosts that do not resolve, a null MX beside real hosts and a malformed null MX
(RFC 7505 3). The brief has long said each; `leads show` showed only the hosts.
"""

from __future__ import annotations

import json

import pytest

from hunter_cli.brief.messages import LANGUAGES, Messages

# domain -> (the scan's finding code, the brief's message key that says it)
CASES = {
    "t12-esit.com.tr": ("mx-split-providers", "mail.mx_split"),
    "t12-yedek.com.tr": ("mx-backup-elsewhere", "mail.mx_backup"),
    "t12-yedek-ev.com.tr": ("mx-backup-elsewhere", "mail.mx_backup"),
    "orman-ahsap.com.tr": ("mx-alias", "mail.mx_alias"),
    "ip-mx.com.tr": ("mx-ip-literal", "mail.mx_ip_literal"),
    "yedekli.com.tr": ("mx-host-unresolved", "mail.mx_unresolved"),
    "yazim-hatasi.com.tr": ("mx-host-unresolved", "mail.mx_broken"),
    "gunes-cam.com.tr": ("null-mx-mixed", "mail.null_mx_mixed"),
    "sifir-degil.com.tr": ("null-mx-malformed", "mail.null_mx_malformed"),
}
WIDE = {"COLUMNS": "400"}  # no cell wraps: the sentences are matched whole


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, _session_dns, _session_ms, _session_reg):
    from conftest import scanned_once

    return scanned_once(
        tmp_path_factory, _session_dns, _session_ms, _session_reg, "showmx", CASES, ("t12-esit.com.tr",), "1313"
    )


def _flat(text: str) -> str:
    return " ".join(text.split())


def _start(m: Messages, key: str) -> str:
    """The message's words before its first value: what every sentence of it starts with."""
    return m.data[key].split("{")[0].strip()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("domain", sorted(CASES))
def test_leads_show_says_each_mx_finding_as_the_brief_does(scanned, domain, lang):
    code, key = CASES[domain]
    detail = json.loads(scanned("leads", "show", domain, "--json").stdout)
    view = detail["view"]
    assert code in [f["code"] for f in view["mx_errors"] + view["mx_warnings"]]
    m = Messages(lang)
    brief = json.loads(scanned("sales-summary", domain, "--json", "--lang", lang).stdout)
    said = [line for line in brief["mail"] if line.startswith(_start(m, key))]
    assert said, brief["mail"]  # the brief says it...
    show = scanned("leads", "show", domain, "--lang", lang, env=WIDE)
    assert show.exit_code == 0, show.stderr
    text = _flat(show.stdout)
    for line in said:  # ...and `leads show` in the same words
        assert _flat(line) in text, (line, text)


def test_every_line_is_in_the_mx_row_once(scanned):
    """The backup line stands once, under the hosts, and no word of English is left in Turkish."""
    show = scanned("leads", "show", "t12-yedek.com.tr", "--lang", "tr", env=WIDE).stdout
    m = Messages("tr")
    start = _start(m, "mail.mx_backup")
    rows = [line for line in show.splitlines() if start in line]
    assert len(rows) == 1
    lines = show.splitlines()
    at = lines.index(rows[0])
    assert "MX" in lines[at - 1] and "smtp.google.com" in lines[at - 1]  # the hosts, then what they mean
    assert "backup" not in show.lower()


def test_a_lead_without_mx_findings_shows_only_its_hosts(scanned, hunter):
    out = hunter.scan_json("firma.com.tr", "--no-whois")["firma.com.tr"]
    assert out["mx_errors"] == [] and out["mx_warnings"] == []
    show = hunter("leads", "show", "firma.com.tr", env=WIDE).stdout
    mx = [line for line in show.splitlines() if "MX" in line]
    assert len(mx) == 1, mx
