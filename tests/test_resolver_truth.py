"""Answers that are not the truth: lying resolvers, CNAME loops, garbage answers, NXDOMAIN and parked domains.

Every fault is injected by the loopback DNS server (tests/dnsserver.py) over real
sockets; see docs/reliability.md for the list and what Hunter promises under each.
"""

import json
import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from dnsserver import DNSTestServer  # noqa: E402

from hunter_cli.dns import health  # noqa: E402
from hunter_cli.dns.resolver import NODATA, NXDOMAIN, Answer, LookupFailure  # noqa: E402
from hunter_cli.exits import ExitStatus  # noqa: E402

EXPECTED = json.loads((Path(__file__).parent / "zones" / "providers_expected.json").read_text())
GOOD = ["firma.com.tr", "gmailer.de", "oz-sunucu.com.tr", "m365-zayif.com.tr", "gw-ms-token.com"]
CANARIES = ["spf.protection.outlook.com", "_spf.google.com", "com"]


def q(db, sql, *args):
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(sql, args).fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


def snapshot(db):
    """What a lying resolver must not touch: every lead's view and columns, and the events."""
    return (
        q(
            db,
            "SELECT domain, provider, category, score, current_view, last_good_at, last_ok_at FROM domains ORDER BY 1",
        ),
        q(db, "SELECT id, domain, kind, old, new FROM events ORDER BY id"),
        q(db, "SELECT domain, tag FROM tags ORDER BY 1, 2"),
    )


def scan(hunter, *args):
    return hunter("scan", *args, "-q", "--no-whois")


# -- 1. a resolver that lies ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "lie, said",
    [("nxdomain", "names that always exist"), (("address", "198.51.100.7"), "198.51.100.7 for hunter-check-")],
)
def test_a_lying_resolver_changes_nothing_stored(hunter, dns, db, lie, said):
    assert scan(hunter, *GOOD).exit_code == 0
    before = snapshot(db)
    assert len(before[0]) == len(GOOD) and all(r[1] not in ("none", "unknown") for r in before[0])
    dns.faults["*"] = lie
    result = scan(hunter, *GOOD, "nomail.com")
    assert result.exit_code == 4, result.stderr
    message = " ".join(result.stderr.split())
    assert f"not trusting the DNS resolver {dns.nameserver}" in message and said in message
    # as stored: every lead's result stays, and the attempt is in its history as failed (trial 16 read "nothing
    # stored was changed" beside a failed row in the history)
    assert "no lead's stored result was changed, and the attempt is kept as failed" in message, message
    after = snapshot(db)
    assert after[1:] == before[1:]  # no event, no tag
    assert [r for r in after[0] if r[0] in GOOD] == before[0]  # no view or column changed
    assert ("nomail.com", None, None, None, None, None, None) in after[0]  # a new lead, not a "no mail" one
    # each lookup is recorded as a failure of kind resolver_suspect, and the run says why
    kinds = q(db, "SELECT domain, status, errors_json FROM scans WHERE status = 'failed'")
    assert {d for d, _, _ in kinds} == set(GOOD) | {"nomail.com"}
    assert all(json.loads(e)[0]["kind"] == "resolver_suspect" for _, _, e in kinds)
    assert q(db, "SELECT outcome FROM runs ORDER BY id DESC LIMIT 1")[0][0] == "resolver_suspect"
    # --json prints the failures honestly, nothing that looks like "no mail"
    out = hunter("scan", "firma.com.tr", "--json", "--no-whois")
    assert out.exit_code == 4
    (line,) = out.stdout.splitlines()
    obj = json.loads(line)
    assert obj["status"] == "failed" and obj["provider"] == "unknown" and obj["errors"][0]["kind"] == "resolver_suspect"
    # a lead whose last attempt was not trusted says so in words, never the stored code (trial 14); the English
    # scan history keeps its codes, as for every failure (render/leads.py failure_words)
    for lang, words in (("en", "MX answers not trusted"), ("tr", "MX yanıtlarına güvenilmedi")):
        panel = hunter("leads", "show", "nomail.com", "--lang", lang, env={"COLUMNS": "400"}).stdout
        shown = " ".join(panel.split())
        assert words in shown and f"({words})" in shown, shown
        assert lang == "en" or "resolver_suspect" not in shown, shown
    dns.clear_faults()
    assert scan(hunter, *GOOD).exit_code == 0  # the truth again: the scan goes through


def test_a_resolver_that_starts_lying_mid_run_is_caught_by_the_leads_it_knew(hunter, dns, db):
    domains = sorted(EXPECTED)
    assert scan(hunter, *domains).exit_code == 0
    before = snapshot(db)
    had_mail = sum(1 for r in before[0] if r[1] not in ("none", "unknown"))
    assert had_mail >= 20
    # the checked names still tell the truth; every lead's own name is denied
    dns.faults["*"] = "nxdomain"
    for name in CANARIES:
        dns.faults[name] = ("delay", 0)
    result = scan(hunter, *domains, "-c", "4")
    assert result.exit_code == 4, result.stderr
    assert "domains that had mail servers at their last scan now answer" in " ".join(result.stderr.split())
    assert snapshot(db) == before


def _closed(dns, domain: str) -> None:
    """The company closed: its domain and every name below it are gone (RFC 8020)."""
    for name in (domain, f"_dmarc.{domain}", f"_domainkey.{domain}"):
        dns.faults[name] = "nxdomain"


def test_a_few_closed_companies_are_believed(hunter, dns, db):
    assert scan(hunter, *GOOD).exit_code == 0
    _closed(dns, "gmailer.de")  # one company of five closed: that happens
    result = hunter.scan_json(*GOOD, "--no-whois")
    assert result["gmailer.de"]["state"] == "nxdomain" and result["gmailer.de"]["status"] == "ok"
    assert all(result[d]["state"] == "active" for d in GOOD if d != "gmailer.de")
    assert q(db, "SELECT provider, category FROM domains WHERE domain = 'gmailer.de'")[0] == ("none", "P6")


def test_closed_companies_spread_through_a_long_list_do_not_make_the_resolver_suspect(hunter, dns, db):
    """trial 23 (A0): a closed company's denial is one question and a live domain's answer twenty, so denials
    arrive first; counted in the order they arrived, 15 closed of 300 (5 %) read as "15 of 15 denied" and the
    whole run was thrown away as a lying resolver, every night. They are counted in the order they started."""
    names = [f"live{i:03d}.com.tr" for i in range(300)]
    dns.add("\n".join(f'{n}. 300 IN MX 10 mx.{n}.\n{n}. 300 IN TXT "v=spf1 mx -all"' for n in names))
    assert scan(hunter, *names).exit_code == 0
    closed = names[7::20]
    for name in closed:
        _closed(dns, name)
    for name in names:
        if name not in closed:
            dns.faults[(name, "TXT")] = ("delay", 0.3)  # a live domain takes longer, as on a real network
    result = scan(hunter, *names)
    assert result.exit_code == 0, result.stderr
    states = dict(q(db, "SELECT domain, provider FROM domains"))
    assert {n for n in names if states[n] == "none"} == set(closed)
    assert q(db, "SELECT outcome FROM runs ORDER BY id DESC LIMIT 1")[0][0] != "resolver_suspect"


def test_a_resolver_that_denies_one_lead_in_three_is_not_trusted(hunter, dns, db):
    """trial 25: denials of a third of the leads that had mail were believed (the check asked for half), and 127
    healthy leads were rewritten "gone from DNS" with exit 0. Closed companies are a few percent."""
    names = [f"uc{i:03d}.com.tr" for i in range(240)]
    dns.add("\n".join(f'{n}. 300 IN MX 10 mx.{n}.\n{n}. 300 IN TXT "v=spf1 mx -all"' for n in names))
    assert scan(hunter, *names).exit_code == 0
    before = snapshot(db)
    for name in names[::3]:
        _closed(dns, name)
    result = scan(hunter, *names)
    assert result.exit_code == 4, result.stderr
    assert "domains that had mail servers at their last scan now answer" in " ".join(result.stderr.split())
    denied = set(names[::3])
    after = snapshot(db)
    # no denied lead rewritten, no event; the healthy leads answered before the check tripped are stored as usual
    assert [r for r in after[0] if r[0] in denied] == [r for r in before[0] if r[0] in denied]
    assert after[1] == before[1]


def test_a_txt_denied_while_the_mx_answers_is_a_failed_lookup(hunter, dns, db):
    """trial 25: NXDOMAIN for the domain's TXT while its MX answered was believed: "no SPF record", services
    removed, false change events. A name that exists for one type cannot be NXDOMAIN for another (RFC 8020)."""
    assert scan(hunter, *GOOD).exit_code == 0
    before = snapshot(db)
    dns.faults[("firma.com.tr", "TXT")] = "nxdomain"
    out = json.loads(hunter("scan", "firma.com.tr", "--no-whois", "--json").stdout)
    assert out["status"] == "partial", out
    assert [(e["check"], e["kind"]) for e in out["errors"]] == [("txt", "inconsistent")]
    after = snapshot(db)
    assert after[1:] == before[1:]  # no event, no tag
    lead = {r["domain"]: r for r in json.loads(hunter("leads", "-f", "json").stdout)}["firma.com.tr"]
    assert lead["spf_all"] == "-all" and "txt" in lead["failed_checks"], lead


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_domain_denied_while_a_name_below_it_answers_is_a_failed_lookup(hunter, dns, db, lang):
    """trial 23 (A8): NXDOMAIN means nothing exists at or below the name (RFC 8020 2); a resolver that denies
    the domain while answering its _dmarc record contradicts itself. The lead was rewritten as "gone from
    DNS" with 18 change events; the lookup now fails, the stored view stays and no event is written."""
    assert scan(hunter, *GOOD).exit_code == 0
    before = snapshot(db)
    dns.faults["firma.com.tr"] = "nxdomain"  # MX and TXT denied, _dmarc.firma.com.tr still answers
    result = hunter("scan", "firma.com.tr", "--no-whois", "--json")
    assert result.exit_code == 7, result.stderr  # the one domain failed, though DNS answered (docs/cli.md)
    out = json.loads(result.stdout)
    assert out["status"] == "failed" and out["state"] != "nxdomain", out
    assert [(e["check"], e["kind"]) for e in out["errors"]] == [("mx", "inconsistent")]
    assert "_dmarc.firma.com.tr" in out["errors"][0]["message"]
    after = snapshot(db)
    assert after[1:] == before[1:]  # no event, no tag
    assert [r for r in after[0] if r[0] == "firma.com.tr"] == [r for r in before[0] if r[0] == "firma.com.tr"]
    shown = hunter("leads", "show", "firma.com.tr", "--lang", lang)
    assert shown.exit_code == 0, shown.stderr
    words = "contradictory answers" if lang == "en" else "çelişkili yanıtlar"
    assert words in " ".join(shown.stdout.split()), shown.stdout


def test_judge_names_what_the_resolver_did():
    must = [(("spf.protection.outlook.com", "TXT"), Answer(NXDOMAIN)), (("com", "SOA"), Answer(NODATA))]
    assert "denies that spf.protection.outlook.com TXT, com SOA exist" in health.judge(must, "x.com", Answer(NXDOMAIN))
    fine = [(("spf.protection.outlook.com", "TXT"), Answer("noerror", ["v=spf1 -all"]))] + must[1:]
    assert health.judge(fine, "x.com", Answer(NXDOMAIN)) is None
    assert "203.0.113.9 for x.com" in health.judge(fine, "x.com", Answer("noerror", ["203.0.113.9"]))
    # a resolver that does not answer proves nothing here; the scan records the timeouts itself
    down = [(n, LookupFailure("timeout", n[0], n[1])) for n, _ in must]
    assert health.judge(down, "x.com", LookupFailure("timeout", "x.com", "A")) is None


# -- 2. CNAME loops --------------------------------------------------------------------------------

M365 = """
loopco.com. MX 0 loopco-com.mail.protection.outlook.com.
loopco-com.mail.protection.outlook.com. A 192.0.2.25
loopco.com. TXT "v=spf1 include:spf.protection.outlook.com -all"
_dmarc.loopco.com. TXT "v=DMARC1; p=reject"
selector1._domainkey.loopco.com. CNAME selector1-loopco-com._domainkey.loopco.onmicrosoft.com.
selector1-loopco-com._domainkey.loopco.onmicrosoft.com. TXT "v=DKIM1; k=rsa; p=MIGf"
spf.protection.outlook.com. TXT "v=spf1 ip4:192.0.2.2 -all"
_spf.google.com. TXT "v=spf1 ip4:192.0.2.1 -all"
"""
LOOPED = """
loopco.com. CNAME www.loopco.com.
www.loopco.com. CNAME loopco.com.
spf.protection.outlook.com. TXT "v=spf1 ip4:192.0.2.2 -all"
_spf.google.com. TXT "v=spf1 ip4:192.0.2.1 -all"
"""


def test_a_cname_loop_never_overwrites_a_good_view_nor_counts_as_fresh(hunter, db):
    with DNSTestServer(M365) as srv:
        args = ["scan", "loopco.com", "-q", "--no-whois", "--nameserver", srv.nameserver]
        assert hunter(*args, dns_args=False).exit_code == 0
        before = snapshot(db)
        assert before[0][0][1] == "m365"
        srv.load(LOOPED)
        assert hunter(*args, dns_args=False).exit_code == ExitStatus.ALL_FAILED  # the one domain failed
        assert snapshot(db) == before
        status, errors = q(db, "SELECT status, errors_json FROM scans ORDER BY id DESC LIMIT 1")[0]
        assert status == "failed" and json.loads(errors)[0]["kind"] == "cname-loop"
        # --max-age does not take the failed attempt for a fresh scan: it asks again
        q(db, "UPDATE domains SET last_ok_at = '2000-01-01T00:00:00+00:00'")  # the good scan is old
        # still looped: a retry (--max-age) of a lead that failed last time too is no news (0), though it failed
        assert hunter(*args, "--max-age", "7d", dns_args=False).exit_code == ExitStatus.OK
        assert q(db, "SELECT count(*) FROM scans")[0][0] == 3


def test_cname_loops_in_the_zone_are_errors_not_nodata(hunter):
    out = hunter.scan_json("loop-apex.com", "loop-dmarc.com", "firma.com.tr", "--no-whois")
    assert out["loop-apex.com"]["status"] == "failed"
    assert {e["kind"] for e in out["loop-apex.com"]["errors"]} >= {"cname-loop"}
    # A loop at _dmarc is the zone's fault, not a failed lookup: no policy, an error of the record,
    # and the domain complete (tests/test_cname_loops.py has the other kinds)
    dmarc = out["loop-dmarc.com"]
    assert dmarc["status"] == "ok" and dmarc["errors"] == []
    assert [e["code"] for e in dmarc["dmarc"]["errors"]] == ["dmarc-cname-loop"]
    assert out["firma.com.tr"]["status"] == "ok"


def test_a_long_chain_cut_short_by_the_resolver_is_followed():
    import asyncio

    from hunter_cli.dns.resolver import AresResolver, ResolverConfig

    chain = "".join(f"hop{i}.example. CNAME hop{i + 1}.example.\n" for i in range(12)) + 'hop12.example. TXT "end"\n'
    chain += "ring0.example. CNAME ring1.example.\n" + "".join(
        f"ring{i}.example. CNAME ring{(i + 1) % 20}.example.\n" for i in range(1, 20)
    )

    async def ask(srv):
        r = AresResolver(ResolverConfig(nameservers=(srv.nameserver,), timeout=0.5, retries=0))
        try:
            return await r.query_many([("hop0.example", "TXT"), ("ring0.example", "TXT")])
        finally:
            await r.close()

    with DNSTestServer(chain) as srv:  # the server stops after 9 CNAMEs
        hop, ring = asyncio.run(ask(srv))
    assert isinstance(hop, Answer) and hop.records == ["end"] and len(hop.cnames) == 12
    assert isinstance(ring, LookupFailure) and ring.kind == "cname-loop"


# -- 3. one malformed answer -------------------------------------------------------------------------


def _healthy_zone(n):
    lines = ['spf.protection.outlook.com. TXT "v=spf1 ip4:192.0.2.2 -all"', '_spf.google.com. TXT "v=spf1 -all"']
    for i in range(n):
        lines += [
            f"ok{i}.com. MX 0 ok{i}-com.mail.protection.outlook.com.",
            f"ok{i}-com.mail.protection.outlook.com. A 192.0.2.25",
            f'ok{i}.com. TXT "v=spf1 include:spf.protection.outlook.com -all"',
            f'_dmarc.ok{i}.com. TXT "v=DMARC1; p=reject"',
        ]
    lines += ["junk.com. MX 0 junk-com.mail.protection.outlook.com.", "junktxt.com. MX 10 mx.junktxt.com."]
    lines += ["emptytxt.com. MX 0 emptytxt-com.mail.protection.outlook.com.", 'emptytxt.com. TXT ""']
    lines += ["emptytxt-com.mail.protection.outlook.com. A 192.0.2.25"]
    return "\n".join(lines) + "\n"


def test_one_garbage_answer_costs_only_its_own_domain(hunter, tmp_path):
    n = 300
    with DNSTestServer(_healthy_zone(n), log=False) as srv:
        srv.faults["junk.com"] = "garbage"  # every answer for this name is unparsable
        srv.faults[("junktxt.com", "TXT")] = "garbage"  # only its TXT
        names = [f"ok{i}.com" for i in range(n)]
        names[n // 3 : n // 3] = ["junk.com", "junktxt.com", "emptytxt.com"]
        path = tmp_path / "list.txt"
        path.write_text("\n".join(names) + "\n")
        result = hunter(
            "scan", str(path), "--json", "--no-whois", "--no-tenant", "-c", "500",
            "--nameserver", srv.nameserver, "--timeout", "1", dns_args=False,
        )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    out = {o["domain"]: o for o in map(json.loads, result.stdout.splitlines())}
    bad = {d: o["status"] for d, o in out.items() if o["status"] != "ok"}
    assert bad == {"junk.com": "failed", "junktxt.com": "partial"}
    assert {e["kind"] for e in out["junk.com"]["errors"]} == {"bad-response"}
    assert out["emptytxt.com"]["provider"] == "m365" and out["emptytxt.com"]["spf"] is None


def test_an_empty_txt_string_beside_spf_is_harmless(hunter):
    out = hunter.scan_json("empty-txt.com", "firma.com.tr", "--no-whois")
    assert out["empty-txt.com"]["status"] == "ok"
    assert out["empty-txt.com"]["spf"]["record"] == "v=spf1 include:spf.protection.outlook.com -all"


# -- 4. domains that do not exist, and parked domains ---------------------------------------------


def test_nxdomain_and_parked_are_states_not_spoofing_risks(hunter, db):
    out = hunter.scan_json("no-such-company-4711.com", "nomail.com", "parked-spf.com", "parked.net", "--no-whois")
    assert out["no-such-company-4711.com"]["state"] == "nxdomain"
    assert out["nomail.com"]["state"] == "parked"  # null MX
    assert out["parked-spf.com"]["state"] == "parked"  # no MX, v=spf1 -all
    assert out["parked.net"]["state"] == "active"  # no MX and no SPF: anyone can spoof it
    for d, rule in [("no-such-company-4711.com", "domain_does_not_exist"), ("nomail.com", "parked")]:
        o = out[d]
        assert (o["category"], o["segment"], o["score"]) == ("P6", "Skip", 0)
        assert f"segment:{rule}" in o["reasons"]
        assert not any(r.startswith(("no_", "dmarc_")) for r in o["reasons"])  # no security-risk points
    tags = {d: t for d, t in q(db, "SELECT domain, tag FROM tags WHERE tag = 'security-risk'")}
    assert "parked.net" in tags and not {"nomail.com", "parked-spf.com", "no-such-company-4711.com"} & set(tags)
    brief = hunter("sales-summary", "no-such-company-4711.com", "--format", "json")
    data = json.loads(brief.stdout)
    assert data["state"] == "nxdomain" and data["risk"] == "none" and "does not exist" in data["one_liner"]
    tr = json.loads(hunter("sales-summary", "parked-spf.com", "--format", "json", "--lang", "tr").stdout)
    assert tr["risk"] == "none" and "e-posta almıyor" in tr["one_liner"] and "park" not in tr["one_liner"]


# -- 5. prep tells the truth -------------------------------------------------------------------------


def _prep(hunter, *args):
    return hunter("prep", *args, "--nameserver", hunter.server.nameserver, "--timeout", "0.2", "--no-whois")


def test_prep_shows_the_stored_brief_with_a_warning_when_the_rescan_fails(hunter, dns, db):
    assert scan(hunter, "firma.com.tr").exit_code == 0
    q(db, "UPDATE domains SET last_good_at = '2026-11-20T09:00:00+00:00'")  # stale: prep rescans
    dns.faults["firma.com.tr"] = "drop"
    result = _prep(hunter, "firma.com.tr")
    assert result.exit_code == 5, result.stderr
    warning = " ".join(result.stderr.split())
    assert "could not refresh: MX timeout" in warning and "showing the scan of 20 November 2026" in warning
    assert "firma.com.tr" in result.stdout and "Microsoft 365" in result.stdout  # the stored brief


def test_prep_while_a_bulk_scan_holds_the_database_prints_the_stored_brief(hunter, dns, db):
    from hunter_cli.store.scanlock import Holder, ScanLock

    assert scan(hunter, "gmailer.de").exit_code == 0
    q(db, "UPDATE domains SET last_good_at = '2026-11-20T09:00:00+00:00'")
    lock = ScanLock(db, Holder("scan"))  # as a bulk scan holds it
    assert lock.try_acquire()
    try:
        result = _prep(hunter, "gmailer.de")
        never = _prep(hunter, "firma.com.tr")
    finally:
        lock.release()
    assert result.exit_code == 5 and "a bulk scan is writing" in result.stderr
    assert "gmailer.de" in result.stdout
    assert never.exit_code == 1 and "no stored scan" in never.stderr
    assert dns.count("gmailer.de", "MX") == 1  # the first scan only: prep did not scan under the lock


def test_prep_of_a_never_scanned_domain_with_dns_down_says_so(hunter, db):
    result = hunter("prep", "firma.com.tr", "--nameserver", "127.0.0.1:9", "--timeout", "0.2", "--no-whois")
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "DNS is unreachable" in message and "127.0.0.1:9" in message
    assert "run: hunter prep" not in message


def test_summary_and_show_tell_a_failed_attempt_from_never_scanned(hunter, dns, db):
    dns.faults[("halfbroken.com", "MX")] = "servfail"
    assert scan(hunter, "halfbroken.com").exit_code == ExitStatus.ALL_FAILED
    summary = hunter("sales-summary", "halfbroken.com")
    assert summary.exit_code == 1
    assert "no successful scan yet; last attempt failed (MX SERVFAIL) on" in " ".join(summary.stderr.split())
    show = hunter("leads", "show", "halfbroken.com")
    assert show.exit_code == 0
    assert "no successful scan yet; last attempt failed (MX SERVFAIL)" in " ".join(show.stdout.split())


def test_a_resolver_that_trips_the_monitor_mid_run_stores_and_prints_each_domain_once(hunter, dns, db):
    # Leads still in flight when the monitor trips, some of them finishing in the same
    # loop turn: those used to be counted both as "in flight" and as "finished while the
    # resolver was suspect", so they were stored, counted and printed twice, a different
    # number on each run (issue 11 item 1). Several runs make the race show up.
    extra = [f"once{i:03d}.com.tr" for i in range(120)]
    dns.add("\n".join(f'{n}. 300 IN MX 10 mx.{n}.\n{n}. 300 IN TXT "v=spf1 mx -all"' for n in extra))
    names = sorted(EXPECTED) + extra
    assert scan(hunter, *names).exit_code == 0
    before = snapshot(db)
    dns.faults["*"] = "nxdomain"
    for name in CANARIES:
        dns.faults[name] = ("delay", 0)
    for attempt in range(6):
        result = hunter("scan", *names, "--json", "--no-whois")
        assert result.exit_code == 4, result.stderr
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        printed = [obj["domain"] for obj in lines]
        assert sorted(printed) == sorted(names), (attempt, len(printed), len(names))
        assert all(obj["errors"][0]["kind"] == "resolver_suspect" for obj in lines if obj["status"] == "failed")
        run_id, stats = q(db, "SELECT id, stats_json FROM runs ORDER BY id DESC LIMIT 1")[0]
        per_domain = q(db, "SELECT domain, count(*) FROM scans WHERE run_id = ? GROUP BY domain", run_id)
        assert {d for d, _ in per_domain} == set(names) and {c for _, c in per_domain} == {1}, attempt
        assert json.loads(stats)["scanned"] == json.loads(stats)["stored"] == len(names)
    assert snapshot(db) == before
