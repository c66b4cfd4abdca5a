"""Each DKIM, SPF and DMARC fact is defined once (hunter_cli/facts.py): the scan table,
`hunter leads`, `leads show`, `explain` and the brief must tell the same story for a domain."""

from __future__ import annotations

import json

import pytest

# domain -> (DKIM state, scan-table cell, `leads show` text, brief sentence, explain item)
DKIM_CASES = {
    "firma.com.tr": ("key", "yes", "yes: selector1", "DKIM keys are published", "dkim"),
    "dangling.com": ("delegated", "no key", "no key: delegated to", "no key stands behind them", "no_dkim"),
    "double.com": ("none", "-", "no key found", "No DKIM key was found", "no_dkim"),
}


@pytest.fixture
def scanned(hunter):
    results = hunter.scan_json(*DKIM_CASES, "--no-whois")
    return results


@pytest.mark.parametrize("domain", sorted(DKIM_CASES))
def test_dkim_state_agrees_everywhere(hunter, scanned, domain):
    from hunter_cli.facts import dkim_state

    state, cell, show_text, brief_text, explain_code = DKIM_CASES[domain]
    assert dkim_state(scanned[domain]["dkim"]) == state

    table = hunter("scan", domain, "--no-whois", env={"COLUMNS": "160"})
    row = next(line for line in table.stdout.splitlines() if line.lstrip().startswith(domain))
    cells = [c.strip() for c in row.split("  ") if c.strip()]
    assert cell in cells, row

    listed = hunter("leads", "-f", "json", "--limit", "0")
    lead = next(row for row in json.loads(listed.stdout) if row["domain"] == domain)
    assert lead["dkim"] is (state == "key")

    assert show_text in hunter("leads", "show", domain).stdout
    assert brief_text in hunter("sales-summary", domain).stdout
    explained = hunter("explain", domain, "--json")
    codes = {item["code"] for item in json.loads(explained.stdout)["items"]}
    assert explain_code in codes
