"""The brief reads the Microsoft footprint as the lists state it (lead/footprint.py, "each fact about a lead is
defined once"): real scans of tests/zones/footprint12.zone through the suite's DNS server and sign-in stand-in.

For each kind of footprint the list's column, `--workload` / `--missing`, `leads show` and the brief (its mail
section, "what they run / what they do not yet", its plays and its offer) say the same thing:

- an Exchange Online SPF include left over after a move away from Microsoft 365 (the MX delivers to a hosting
  firm), no tenant: Exchange Online is missing; no output calls them a Microsoft user, nor doubts a tenant;
- the same include with a tenant still answering: a Microsoft user (the tenant), Exchange Online still missing;
- MX at Microsoft 365 with no tenant behind it: Exchange Online unconfirmed (``exo?``), asked about everywhere;
- a tenant with Exchange Online and Teams records: in use everywhere, nothing sold that they already have;
- Exchange on a server of their own: on-premises everywhere, the migration play offered.

The plays the scoring counts (rules condition ``plays_min``) are the plays the brief offers.
"""

from __future__ import annotations

import json

import pytest

# domain -> the footprint column
CELLS = {
    "f12-kalinti.com.tr": "none | zoom",
    "f12-kalinti-tenant.com.tr": "none",
    "f12-mx-tenantsiz.com.tr": "exo? | zoom",
    "f12-tenantli.com.tr": "exo,teams | zoom",
    "f12-onprem.com.tr": "exch-onprem",
    "f12-google-kalinti.com.tr": "exo",  # the Google include is a leftover
}
WITH_TENANT = ("f12-kalinti-tenant.com.tr", "f12-tenantli.com.tr", "f12-google-kalinti.com.tr")
WIDE = {"COLUMNS": "400"}  # no cell of `leads show` wraps: the sentences are matched whole


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, _session_dns, _session_ms, _session_reg):
    """The domains above scanned once; the sign-in stand-in knows a tenant for those in WITH_TENANT."""
    from conftest import scanned_once

    return scanned_once(
        tmp_path_factory, _session_dns, _session_ms, _session_reg, "footprint12", CELLS, WITH_TENANT, "1212"
    )


def _listed(h, *args: str) -> set[str]:
    out = h("leads", *args, "--format", "json")
    assert out.exit_code == 0, out.stderr
    return {r["domain"] for r in json.loads(out.stdout)} & set(CELLS)


def _microsoft_row(h, domain: str, lang: str = "en") -> str:
    out = h("leads", "show", domain, "--lang", lang, env=WIDE)
    assert out.exit_code == 0, out.stderr
    return " ".join(next(line for line in out.stdout.splitlines() if "│ Microsoft" in line).split())


def _brief(h, domain: str, lang: str = "en") -> dict:
    out = h("sales-summary", domain, "--json", "--lang", lang)
    assert out.exit_code == 0, out.stderr
    return json.loads(out.stdout)


def _text(brief: dict) -> str:
    """Every sentence of the brief, for matching."""
    parts = [brief["one_liner"], *brief["mail"], *brief["microsoft"], *brief["services"]]
    parts += [*brief["talking_points"], *brief["questions"], *brief["offer"]["lines"], *brief["priority"]]
    return " ".join(" ".join(parts).split())


def test_the_list_states_each_footprint(scanned):
    out = scanned("leads", "--format", "json")
    rows = {r["domain"]: r["footprint"] for r in json.loads(out.stdout)}
    assert {d: rows[d] for d in CELLS} == CELLS
    assert _listed(scanned, "--workload", "exchange-online") == {"f12-tenantli.com.tr", "f12-google-kalinti.com.tr"}
    assert _listed(scanned, "--workload", "exchange-onprem") == {"f12-onprem.com.tr"}
    # a leftover include is missing Exchange Online, as is their own server; records no tenant confirms are
    # neither in use nor missing
    missing = {"f12-kalinti.com.tr", "f12-kalinti-tenant.com.tr", "f12-onprem.com.tr"}
    assert _listed(scanned, "--missing", "exchange-online") == missing


def test_a_leftover_include_is_no_microsoft_user_anywhere(scanned):
    """Before: the leftover include counted as Exchange Online in the brief, so the brief doubted a tenant
    ("some records point at Microsoft, but no tenant confirms them: ask") and offered the mailboxes to a
    "Microsoft user", while the list said Exchange Online is missing."""
    show = _microsoft_row(scanned, "f12-kalinti.com.tr")
    assert "Exchange: absent (only an SPF include names it" in show
    assert "by the records" not in show  # no doubt: nothing but the leftover names Microsoft
    brief = _brief(scanned, "f12-kalinti.com.tr")
    text = _text(brief)
    assert "only their SPF record names it" in text  # what they run: the include, read as a leftover
    assert "a greenfield Microsoft 365 opportunity" in brief["one_liner"]
    assert "No Microsoft tenant claims this domain." in brief["mail"]
    assert "no tenant confirms" not in text and "not confirmed" not in text
    assert "They have no cloud mailbox suite yet" in text  # the offer: a greenfield, not "already use Microsoft"
    assert [p["id"] for p in brief["plays"]] == ["teams"]  # Zoom's play; nothing on the include
    tr = _microsoft_row(scanned, "f12-kalinti.com.tr", "tr")
    assert "Exchange: yok (adını yalnızca taşınma öncesinden kalma bir SPF include'u anıyor" in tr
    assert "tenant bunu doğrulamıyor" not in _text(_brief(scanned, "f12-kalinti.com.tr", "tr"))


def test_a_leftover_include_beside_a_tenant_keeps_the_tenant(scanned):
    """The tenant makes them a Microsoft user; the leftover include still makes no Exchange Online customer."""
    assert "Exchange: absent (only an SPF include names it" in _microsoft_row(scanned, "f12-kalinti-tenant.com.tr")
    brief = _brief(scanned, "f12-kalinti-tenant.com.tr")
    assert "although they already have a Microsoft tenant" in brief["one_liner"]
    assert "Their mailboxes are not in Microsoft 365 yet" in _text(brief)
    assert [p["id"] for p in brief["plays"]] == ["intune"]


def test_mx_at_microsoft_365_with_no_tenant_is_asked_about_everywhere(scanned):
    assert "Exchange: online by the records (no tenant found)" in _microsoft_row(scanned, "f12-mx-tenantsiz.com.tr")
    brief = _brief(scanned, "f12-mx-tenantsiz.com.tr")
    text = _text(brief)
    assert "Records point at Microsoft 365, not confirmed" in brief["one_liner"]
    assert "so their mailboxes may not be there (any more): ask" in text
    assert "not confirmed: ask first" in text  # the offer is a condition
    assert [p["id"] for p in brief["plays"]] == ["teams"]  # Teams is not taken as theirs


def test_a_tenant_with_records_is_a_user_everywhere(scanned):
    assert "Exchange: online; Teams / Skype for Business: online" in _microsoft_row(scanned, "f12-tenantli.com.tr")
    brief = _brief(scanned, "f12-tenantli.com.tr")
    text = _text(brief)
    assert "Already on Microsoft 365" in brief["one_liner"]
    assert "so their mailboxes are in Microsoft's cloud" in text
    # they use Teams: Teams Phone for Zoom, never Teams itself
    assert [p["id"] for p in brief["plays"]] == ["teams-phone", "intune"]


def test_exchange_on_premises_is_offered_the_move_everywhere(scanned):
    assert "Exchange: on-premises" in _microsoft_row(scanned, "f12-onprem.com.tr")
    brief = _brief(scanned, "f12-onprem.com.tr")
    assert "Exchange on a server of their own" in _text(brief)
    assert [p["id"] for p in brief["plays"]] == ["exchange-online-migration"]
    assert "exchange-online-migration" in brief["offer"]["plays"]


def test_the_score_counts_the_plays_the_brief_offers(scanned):
    """Before: the score counted plays on the raw footprint, so a Microsoft 365 customer whose SPF still names
    Google Workspace had a "Google Workspace" play for ``plays_min`` that its brief (rightly) never offered."""
    import sqlite3

    from hunter_cli.lead import Lead
    from hunter_cli.scoring import facts_from
    from hunter_cli.store.packing import loads

    conn = sqlite3.connect(scanned.db)
    views = dict(conn.execute("SELECT domain, current_view FROM domains"))
    conn.close()
    for domain in CELLS:
        facts = facts_from(Lead.from_view(loads(views[domain])))
        assert facts is not None
        assert facts.plays == len(_brief(scanned, domain)["plays"]), domain
    assert [p["id"] for p in _brief(scanned, "f12-google-kalinti.com.tr")["plays"]] == ["intune"]
