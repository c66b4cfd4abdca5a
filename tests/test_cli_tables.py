"""Tables as people read them: the scan table's Tenant column when no tenant was asked, and headers that
never break inside a word however many columns a command keeps (docs/cli.md, "Tables at 80 columns")."""

from __future__ import annotations

import re

import pytest

DOMAINS = ("firma.com.tr", "gmailer.de", "federe.com.tr", "google-tenant.com.tr")


def _results(stdout: str) -> list[str]:
    """The lines of the 'Scanned domains' table, title to caption."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Scanned domains"))
    return lines[start:]


def _header(lines: list[str]) -> str:
    return next(line for line in lines if re.match(r"\s*Domain\b", line))


@pytest.mark.parametrize("columns", ["120", "80"])
def test_a_scan_without_tenant_lookups_says_so_instead_of_a_column_of_question_marks(hunter, columns):
    scanned = hunter("scan", *DOMAINS, "--no-whois", "--no-tenant", env={"COLUMNS": columns})
    assert scanned.exit_code == 0, scanned.stderr
    table = _results(scanned.stdout)
    assert "Tenant" not in _header(table)
    assert "Tenant: not looked up (--no-tenant)" in scanned.stdout
    rows = [line for line in table if any(d in line for d in DOMAINS)]
    assert len(rows) == len(DOMAINS) and not any(re.search(r"\s\?\s", row) for row in rows), rows


def test_a_tenant_lookup_that_failed_still_shows_a_question_mark_and_no_note(hunter, ms):
    ms.faults["gmailer.de"] = ("500", 50)  # every try fails: the tenant is not known
    scanned = hunter("scan", *DOMAINS, "--no-whois", env={"COLUMNS": "120"})
    assert scanned.exit_code in (0, 3), scanned.stderr  # 3: some lookups failed
    table = _results(scanned.stdout)
    assert "Tenant" in _header(table) and "not looked up" not in scanned.stdout
    row = next(line for line in table if "gmailer.de" in line)
    assert re.search(r"\s\?\s", row), row
    managed = next(line for line in table if "firma.com.tr" in line)
    assert "Managed" in managed


# Every header of `hunter leads` and the words it is made of.
LEAD_HEADERS = ("Domain", "Company", "Provider", "Gateway", "Tenant", "Footprint", "DMARC", "Score", "Segment")
LEAD_HEADERS += ("Cat", "Scanned", "Tags", "Ref", "CRM")


FOOTPRINTS = ("fp-svc-zoom.com.tr", "fp-exo-ornek.com.tr", "fp-bos-ornek.com.tr", "fp-hibrit-ornek.com.tr")


def _header_lines(stdout: str) -> list[str]:
    """The lines above the rule under the header (a header folded over lines takes several)."""
    lines = stdout.splitlines()
    rule = next(i for i, line in enumerate(lines) if set(line.strip()) == {"─"})
    return lines[:rule]


@pytest.mark.parametrize(
    "options",
    [
        ["--workload", "exchange-online", "--sort", "company,provider,gateway,tenant,segment,scanned,dmarc"],
        ["--tag", "vip", "--sort", "gateway,tenant,segment,scanned", "--crm-status", "none"],
        ["--uses", "zoom,slack", "--missing", "intune", "--sort", "-score,company"],
        ["--no-referral", "--sort", "tenant,dmarc,segment,scanned,company"],
        [],
    ],
    ids=["workload+sorts", "tag+sorts", "uses+missing", "referral+sorts", "plain"],
)
@pytest.mark.parametrize("columns", ["80", "60"])
def test_lead_list_headers_never_split_inside_a_word(hunter, options, columns):
    hunter.scan_json(*DOMAINS, *FOOTPRINTS, "--no-whois")
    hunter("tag", "firma.com.tr", "vip", "call-back-next-week")
    hunter("tag", "fp-svc-zoom.com.tr", "vip")
    listed = hunter("leads", *options, "--limit", "0", env={"COLUMNS": columns})
    assert listed.exit_code == 0, listed.stderr
    if "match" in listed.stderr and not listed.stdout.strip():
        pytest.skip("no lead matches these filters in the test zones")
    heads = _header_lines(listed.stdout)
    assert len(heads) == 1, heads  # on one line: nothing folded onto a second
    for word in heads[0].split():
        # each header is whole, or a start of one cut with "…": never the tail of a folded word
        stem = word.removesuffix("…")
        assert any(h.startswith(stem) for h in LEAD_HEADERS) and (stem in LEAD_HEADERS or word.endswith("…")), word
    assert all(len(line) <= int(columns) for line in listed.stdout.splitlines())


def test_at_80_columns_kept_columns_cut_headers_before_the_domain(hunter):
    """With every column kept, a header wider than its values is cut ("Prov…") before Rich squeezes the
    domain: the domain stays whole on its line."""
    hunter.scan_json(*DOMAINS, "--no-whois")
    listed = hunter(
        "leads",
        "--workload",
        "exchange-online",
        "--sort",
        "company,provider,gateway,tenant,segment,scanned,dmarc",
        env={"COLUMNS": "80"},
    )
    assert listed.exit_code == 0, listed.stderr
    lines = listed.stdout.splitlines()
    for domain in ("firma.com.tr", "federe.com.tr"):
        assert any(line.split()[:1] == [domain] for line in lines), (domain, listed.stdout)
