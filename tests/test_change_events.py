"""Change events say what really changed: a DMARC event records the effective policy (RFC 7489 6.6.3,
6.6.4), so a ``pct=0`` or an invalid tag must not read as a new ``p=``; an SPF record that hands ``all`` to
its redirect target (RFC 7208 6.1) does not read as having none. Over the suite's real DNS server, in
English and Turkish, in the brief and in `hunter changes`."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from hunter_cli.brief.events import event_text, messages
from hunter_cli.lead.posture import change_detail

D = "pct-degisen.com.tr"
BASE = f"""{D}. 300 IN MX 10 mx.{D}.
mx.{D}. 300 IN A 198.51.100.171
"""


def _dmarc(tags: str) -> str:
    return f'_dmarc.{D}. 300 IN TXT "v=DMARC1; {tags}"\n'


def _spf(record: str) -> str:
    return f'{D}. 300 IN TXT "{record}"\n_spf.{D}. 300 IN TXT "v=spf1 ip4:198.51.100.0/24 -all"\n'


def _scan_through(hunter, dns, zone_text, *zones: str, domain: str = D, base: str = BASE) -> None:
    """Scan ``domain`` once with each of ``zones`` (after ``base``) loaded in turn; the suite's zones again after."""
    try:
        for zone in zones:
            dns.load(zone_text + base + zone)
            assert hunter("scan", domain, "--no-whois", "--no-tenant", "-q").exit_code == 0
    finally:
        dns.load(zone_text)


def _events(db) -> list[tuple[str, str | None, str | None, str | None]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT kind, old, new, detail FROM events WHERE domain = ? AND kind LIKE 'dmarc%' ORDER BY scan_id, id",
            (D,),
        ).fetchall()
    finally:
        conn.close()


def test_pct_zero_is_told_as_pct_not_as_a_new_policy(hunter, dns, db, zone_text):
    _scan_through(
        hunter,
        dns,
        zone_text,
        "",
        _dmarc("p=reject; pct=0; rua=mailto:d@pct-degisen.com.tr"),  # published with pct=0: quarantine applies
        _dmarc("p=reject; rua=mailto:d@pct-degisen.com.tr"),  # pct back to 100
        _dmarc("p=reject; pct=0; rua=mailto:d@pct-degisen.com.tr"),  # only pct changed, to 0
        _dmarc("p=quarantine; pct=0; rua=mailto:d@pct-degisen.com.tr"),  # p changed, pct=0 stays: none applies
        _dmarc("p=quarantine; sp=bogus; rua=mailto:d@pct-degisen.com.tr"),  # an invalid sp: applied as none
        _dmarc("p=reject; sp=bogus"),  # no valid rua either: no policy applies
    )
    stored = _events(db)
    assert [(k, o, n) for k, o, n, _ in stored] == [
        ("dmarc_added", None, "quarantine"),
        ("dmarc_policy_changed", "quarantine", "reject"),
        ("dmarc_policy_changed", "reject", "quarantine"),
        ("dmarc_policy_changed", "quarantine", "none"),
        ("dmarc_policy_changed", "none", None),
    ]
    assert json.loads(stored[2][3]) == {"p": ["reject", "reject"], "pct": [100, 0]}
    en = [event_text(messages("en"), *row) for row in stored]
    assert en == [
        "DMARC published: p=reject, but with pct=0 effectively quarantine",
        "DMARC: pct is no longer 0 (now 100), so p=reject applies again (was effectively quarantine)",
        "DMARC: pct set to 0, so p=reject is now effectively quarantine",
        "DMARC: p=reject, but with pct=0 effectively quarantine → p=quarantine, but with pct=0 effectively none",
        "DMARC: p=quarantine, but with an invalid p or sp effectively none → p=reject, but the record is invalid,"
        " so no policy applies",
    ]
    tr = [event_text(messages("tr"), *row) for row in stored]
    assert tr[0] == (
        "DMARC kaydı yayımlandı; politika: reddetme (p=reject), ama pct=0 olduğundan fiilen karantina (p=quarantine)"
    )
    assert tr[2] == (
        "DMARC: pct=0 yapıldı; yayımlanan reddetme (p=reject) politikası artık fiilen karantina (p=quarantine)"
    )
    assert tr[1].startswith("DMARC: pct artık 0 değil (pct=100); yayımlanan reddetme (p=reject) politikası")

    brief = hunter("sales-summary", D, "--format", "markdown").stdout
    assert "DMARC: pct set to 0, so p=reject is now effectively quarantine." in brief
    assert "p=reject → p=quarantine" not in brief
    brief_tr = hunter("sales-summary", D, "--format", "markdown", "--lang", "tr").stdout
    assert "DMARC: pct=0 yapıldı; yayımlanan reddetme (p=reject) politikası" in brief_tr
    changes = hunter("changes", "--since", "1d", "--format", "json")
    rows = [r for r in json.loads(changes.stdout) if r["domain"] == D and r["kind"].startswith("dmarc")]
    assert {r["detail"] for r in rows} == {d for *_, d in stored}


def test_plain_policy_changes_keep_their_words_and_no_detail(hunter, dns, db, zone_text):
    _scan_through(hunter, dns, zone_text, _dmarc("p=none"), _dmarc("p=reject; pct=50"), "")
    stored = _events(db)
    assert stored == [("dmarc_policy_changed", "none", "reject", None), ("dmarc_removed", "reject", None, None)]
    assert [event_text(messages("en"), *row) for row in stored] == [
        "DMARC: p=none → p=reject",
        "DMARC removed (was p=reject)",
    ]


@pytest.mark.parametrize(
    ("old", "new", "detail"),
    [
        ({"policy": "reject", "published_policy": "reject", "pct": 100}, None, None),
        (None, {"policy": "quarantine", "published_policy": "reject", "pct": 0}, {"p": [None, "reject"], "pct": [None, 0]}),
        ({"policy": "none", "published_policy": "rejct", "pct": 100}, None, {"p": ["rejct", None], "pct": [100, None]}),
        ({"policy": "none", "published_policy": "none", "pct": 0}, {"policy": "reject", "published_policy": "reject", "pct": 100}, None),
        ({"policy": "reject"}, {"policy": "quarantine"}, None),  # views stored before published_policy existed
    ],
)  # fmt: skip
def test_the_detail_is_kept_only_when_a_policy_is_not_the_one_published(old, new, detail):
    got = change_detail("dmarc_policy_changed", {"dmarc": old}, {"dmarc": new})
    assert (json.loads(got) if got else None) == detail
    assert change_detail("spf_changed", {"dmarc": old}, {"dmarc": new}) is None


@pytest.mark.parametrize("detail", [None, "", "{", "[]", '{"p": "reject"}', '{"p": [1], "pct": [0]}'])
def test_an_unreadable_detail_falls_back_to_the_plain_words(detail):
    m = messages("en")
    assert event_text(m, "dmarc_policy_changed", "reject", "quarantine", detail) == "DMARC: p=reject → p=quarantine"


def test_an_spf_record_that_hands_all_to_its_redirect_target_does_not_read_as_having_none(hunter, dns, zone_text):
    m = messages("en")
    said = event_text(m, "spf_changed", "v=spf1 mx -all", f"v=spf1 redirect=_spf.{D}")
    assert said == f"SPF: modifier `redirect=_spf.{D}` added; mechanism `mx` removed; -all → the redirect target's all"
    assert event_text(m, "spf_changed", "v=spf1 mx -all", "v=spf1 mx") == "SPF: -all → no all"
    tr = event_text(messages("tr"), "spf_changed", "v=spf1 mx ~all", f"v=spf1 redirect=_spf.{D}")
    assert tr.endswith("~all → yönlendirilen kaydın all mekanizması")


# -- the tenant: only a tenant whose absence was observed can appear ---------------------------------


def _all_events(db, domain: str) -> list[tuple[str, str | None, str | None]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT kind, old, new FROM events WHERE domain = ? ORDER BY id", (domain,)).fetchall()
    finally:
        conn.close()


def test_a_tenant_lookup_that_failed_then_answers_is_no_change_at_the_company(hunter, ms, db):
    """A sign-in outage during the first scan: the domain's tenant (and the mailbox behind its gateway,
    deduced from it) are learned at the next scan. Neither is a tenant that appeared, a provider that
    changed or a category that moved: nothing changed at the company."""
    ms.faults["gw-ms-token.com"] = ("500", 100)  # every request of the first scan fails
    first = hunter("scan", "gw-ms-token.com", "--no-whois", "--json")
    assert json.loads(first.stdout)["status"] == "partial", first.stderr
    ms.clear_faults()
    second = hunter("scan", "gw-ms-token.com", "--no-whois", "--json")
    assert json.loads(second.stdout)["tenant"]["id"].startswith("0b1c2d3e")
    assert _all_events(db, "gw-ms-token.com") == []


def test_a_tenant_never_asked_for_is_not_one_that_appeared(hunter, ms, db):
    assert hunter("scan", "firma.com.tr", "--no-whois", "--no-tenant", "-q").exit_code == 0
    assert hunter("scan", "firma.com.tr", "--no-whois", "-q").exit_code == 0
    assert [e for e in _all_events(db, "firma.com.tr") if e[0] == "tenant_appeared"] == []


def test_a_tenant_that_was_looked_for_and_is_new_appears(hunter, ms, db):
    """The guard: a lookup that answered "no tenant", then a tenant, is the event reps call about."""
    from msserver import Tenant

    ms.tenants.pop("firma.com.tr")
    assert hunter("scan", "firma.com.tr", "--no-whois", "-q").exit_code == 0
    ms.tenants["firma.com.tr"] = Tenant(id="3f2c8a71-5b0e-4c1d-9a6f-0e7d2b4c8a10", brand="Firma A.Ş.")
    conn = sqlite3.connect(db)
    with conn:  # the "no tenant" answer is a day old: the next scan asks again
        conn.execute("UPDATE tenant_cache SET fetched_at = '2020-01-01T00:00:00+00:00'")
    conn.close()
    assert hunter("scan", "firma.com.tr", "--no-whois", "-q").exit_code == 0
    assert ("tenant_appeared", None, "3f2c8a71-5b0e-4c1d-9a6f-0e7d2b4c8a10") in _all_events(db, "firma.com.tr")


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_domain_that_becomes_parked_is_a_change(hunter, dns, db, zone_text, lang):
    """No MX, then a null MX (RFC 7505): the provider stays `none` both times, but the domain went from in
    use to parked, and `hunter changes` and the brief say so (the trial's "No change seen across 4 scans")."""
    name = "durum-degisen.com.tr"
    site = f"{name}. 300 IN A 192.0.2.70\n"
    try:
        for zone in (site, site + f"{name}. 300 IN MX 0 .\n"):
            dns.load(zone_text + zone)
            assert hunter("scan", name, "--no-whois", "--no-tenant", "-q").exit_code == 0
    finally:
        dns.load(zone_text)
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT kind, old, new FROM events WHERE domain = ?", (name,)).fetchall()
    finally:
        conn.close()
    assert ("state_changed", "active", "parked") in rows
    m = messages(lang)
    said = event_text(m, "state_changed", "active", "parked")
    assert said == m("event.state_changed", old=m("event.state.active"), new=m("event.state.parked"))
    out = hunter("changes", "--kind", "state_changed", "--lang", lang, "-f", "json")
    assert out.exit_code == 0 and [e["kind"] for e in json.loads(out.stdout)] == ["state_changed"]
    brief = hunter("sales-summary", name, "--lang", lang, "--format", "markdown").stdout
    assert said in brief


def test_a_move_between_suites_is_one_change_not_a_service_too(hunter, dns, db, zone_text):
    """Google Workspace by its MX, then Yandex: the provider change says it; "no longer uses Google Workspace"
    and "now uses Yandex 360" beside it would tell the same move twice."""
    name = "tasinan-suit.com.tr"
    try:
        for mx in ("smtp.google.com.", "mx.yandex.net."):
            dns.load(zone_text + f"{name}. 300 IN MX 10 {mx}\n")
            assert hunter("scan", name, "--no-whois", "--no-tenant", "-q").exit_code == 0
    finally:
        dns.load(zone_text)
    conn = sqlite3.connect(db)
    try:
        kinds = [k for (k,) in conn.execute("SELECT kind FROM events WHERE domain = ? ORDER BY id", (name,))]
    finally:
        conn.close()
    assert kinds == ["provider_changed"]


# -- SPF terms are named as mechanisms and modifiers (RFC 7208 5, 6) ---------------------------------


@pytest.mark.parametrize(
    "term, kind",
    [
        ("a", "mechanism"),
        ("mx", "mechanism"),
        ("mx:mail.example.com/24", "mechanism"),
        ("ip4:192.0.2.20", "mechanism"),
        ("ip6:2001:db8::/32", "mechanism"),
        ("exists:%{i}.spf.example.com", "mechanism"),
        ("ptr", "mechanism"),
        ("~include:_spf.google.com", "mechanism"),
        ("redirect=_spf.example.com", "modifier"),
        ("exp=explain.example.com", "modifier"),
    ],
)
def test_every_spf_term_added_or_removed_is_named_as_what_it_is(term, kind):
    """``mx removed`` read as "the MX was removed" (trial 30): the term is quoted and called a mechanism or
    a modifier, in English and Turkish."""
    en, tr = messages("en"), messages("tr")
    assert event_text(en, "spf_changed", "v=spf1 -all", f"v=spf1 {term} -all") == f"SPF: {kind} `{term}` added"
    assert event_text(en, "spf_changed", f"v=spf1 {term} -all", "v=spf1 -all") == f"SPF: {kind} `{term}` removed"
    word = {"mechanism": "mekanizması", "modifier": "değiştiricisi"}[kind]
    assert event_text(tr, "spf_changed", f"v=spf1 {term} -all", "v=spf1 -all").endswith(f"`{term}` {word} çıkarıldı")


@pytest.mark.parametrize("lang, said", [("en", "mechanism `mx` removed"), ("tr", "`mx` mekanizması çıkarıldı")])
def test_a_removed_mx_mechanism_does_not_read_as_a_removed_mx(hunter, dns, zone_text, lang, said):
    """The trial's company: `v=spf1 mx -all`, then Microsoft's include; `hunter changes` and the brief."""
    _scan_through(
        hunter, dns, zone_text, _spf("v=spf1 mx -all"), _spf("v=spf1 include:spf.protection.outlook.com -all")
    )
    out = hunter("changes", "--kind", "spf_changed", "--lang", lang, env={"COLUMNS": "250"})
    assert out.exit_code == 0, out.stderr
    table = re.sub(r"\s+", " ", out.stdout)
    assert said.replace("`", "") in table, out.stdout  # a table shows the quoted term plain
    assert not re.search(r"(?<!mechanism )\bmx (removed|çıkarıldı)", table), out.stdout
    brief = hunter("prep", D, "--lang", lang, "--format", "markdown").stdout
    assert said in brief, brief
