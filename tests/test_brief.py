"""The call brief: message files in step, golden briefs in English and Turkish, and the CLI.

Golden files live in tests/golden/. After an intended change, regenerate them
with `HUNTER_UPDATE_GOLDEN=1 pytest tests/test_brief.py` and read the diff.
"""

import json
import os
import re
import sqlite3
import string
from datetime import date
from pathlib import Path

import pytest

from hunter_cli import store
from hunter_cli.brief.compose import compose
from hunter_cli.brief.messages import LANGUAGES, load
from hunter_cli.render.brief import markdown
from hunter_cli.store.packing import loads

GOLDEN = Path(__file__).parent / "golden"
TODAY = date(2026, 11, 27)
FROZEN = "2026-11-27T09:00:00+00:00"

# A dozen realistic leads: M365 strong and weak, Google with a tenant, a gateway in front of M365,
# an own server, shared hosting, Yandex (IDN), a federated tenant, no mail, a failed lookup, an SPF mess.
DOMAINS = [
    "firma.com.tr",
    "m365-zayif.com.tr",
    "google-tenant.com.tr",
    "gw-ms-token.com",
    "gmailer.de",
    "oz-sunucu.com.tr",
    "natro-ornek.com.tr",
    "xn--ieki-ahmet-n6abc.com.tr",
    "federe.com.tr",
    "nomail.com",
    "slowmx.com",
    "heavy.com",
    # the Microsoft footprint and other services (tests/zones/footprint.zone)
    "fp-sunucu-ornek.com.tr",
    "fp-onprem-guclu.com.tr",
    "fp-m365-aciklar.com.tr",
    "fp-coklu-ornek.com.tr",
    "fp-hata-ornek.com.tr",
]
# briefs only (test_tables_golden.py's database keeps DOMAINS): Exchange Online seen only through a DKIM
# key in the tenant or the SPF include (tests/zones/providers.zone, tests/zones/br5-brief.zone); a DKIM key in
# testing mode, parked domains with and without DMARC p=reject, SPF still naming the old provider (brief7.zone)
GOLDEN_DOMAINS = [
    *DOMAINS,
    "gw-mimecast-m365.co.uk",
    "br5-proofpoint-dkim.com",
    "br5-spf-kendi.com.tr",
    "b7-dkim-test.com.tr",
    "b7-park-spf.com.tr",
    "b7-park-tam.com.tr",
    "b7-tasindi.com.tr",
]


def _fields(value):
    values = value if isinstance(value, list) else [value]
    return {(name, spec) for v in values for _, name, spec, _ in string.Formatter().parse(v) if name is not None}


def _placeholders(value):
    return sorted({name for name, _ in _fields(value)})


# Format specs a message may use (hunter_cli/brief/localize.py); Turkish may add a suffix to a percentage.
SPECS = {"", "short", "long", "+d", ",.0f", "%"}


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_message_files_have_the_same_keys_and_placeholders(lang):
    en, other = load("en"), load(lang)
    assert list(en) == list(other), "keys differ or are in another order"
    for key in en:
        assert type(en[key]) is type(other[key]), key
        if isinstance(en[key], list):
            assert len(en[key]) == len(other[key]), key
        assert _placeholders(en[key]) == _placeholders(other[key]), key
        for _, spec in _fields(en[key]) | _fields(other[key]):
            assert spec in SPECS or (lang == "tr" and re.fullmatch(r"%'[a-zıüçğşö]+", spec)), (key, spec)


def test_every_literal_key_used_in_code_exists():
    src = "".join(p.read_text() for p in (Path(__file__).parent.parent / "hunter_cli").rglob("*.py"))
    used = set(re.findall(r'\bm\("([a-zA-Z_]+\.[a-z_.0-9A-Z-]+)"', src))
    assert used and not used - set(load("en"))


def test_turkish_is_not_english_in_disguise():
    tr = load("tr")
    same = [
        k for k, v in load("en").items() if v == tr[k] and isinstance(v, str) and re.search(r"[a-z]{4,} [a-z]{4,}", v)
    ]
    assert not same, same


def _freeze(data: dict) -> dict:
    data["view"]["scanned_at"] = FROZEN
    for h in data["history"]:
        h["scanned_at"] = FROZEN
    return data


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, _session_dns, _session_ms, _session_reg):
    """Scan the dozen once; the failed one with its MX broken."""
    from conftest import TENANTS, Hunter

    db = tmp_path_factory.mktemp("brief") / "hunter.db"
    _session_ms.tenants.clear()
    _session_ms.tenants.update(TENANTS)
    _session_dns.clear_faults()
    _session_dns.faults[("slowmx.com", "MX")] = "servfail"
    for name in ("enterpriseenrollment", "lyncdiscover", "_sipfederationtls._tcp", "_mta-sts"):
        _session_dns.faults[f"{name}.fp-hata-ornek.com.tr"] = "servfail"  # the footprint unknown, not absent
    try:
        h = Hunter(_session_dns, db, _session_ms, _session_reg)
        result = h("scan", *GOLDEN_DOMAINS, "-q")
        assert result.exit_code == 0, result.stderr
    finally:
        _session_dns.clear_faults()
    conn = store.connect(db)
    yield db, conn
    conn.close()


def _inputs(conn, domain):
    data = store.brief_inputs(conn, domain)
    if data is None:  # a domain whose only scan failed has no current view: brief from that scan
        row = conn.execute("SELECT result FROM scans WHERE domain = ? ORDER BY id DESC", (domain,)).fetchone()
        data = {"view": loads(row[0]), "company": None, "history": [], "registration": None}
    return _freeze(data)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("domain", GOLDEN_DOMAINS)
def test_golden_brief(scanned, domain, lang):
    _, conn = scanned
    data = _inputs(conn, domain)
    brief = compose(
        data["view"],
        lang=lang,
        history=data["history"],
        registration=data["registration"],
        company=data["company"],
        today=TODAY,
    )
    text = markdown(brief)
    path = GOLDEN / f"{domain}.{lang}.md"
    if os.environ.get("HUNTER_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with HUNTER_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_brief_never_claims_what_was_not_observed(scanned):
    _, conn = scanned
    failed = compose(_inputs(conn, "slowmx.com")["view"], lang="en", today=TODAY)
    assert failed.score is None and failed.category is None
    assert "hunter scan slowmx.com" in failed.one_liner
    assert any("MX lookup failed" in line for line in failed.mail)
    gw = compose(_inputs(conn, "gw-ms-token.com")["view"], lang="en", today=TODAY)
    assert any("Mimecast" in line for line in gw.mail)
    assert gw.provider == "m365"


def test_changes_are_told_from_the_stored_events():
    """Each event on a dated line (a list entry: the short date in Turkish), names for ids; a note for
    what is left out, for a first scan and for scans that saw nothing change."""
    view = {"domain": "x.com", "provider": "m365", "status": "ok", "mx": [], "errors": [], "scanned_at": FROZEN}
    events = [
        {"occurred_at": "2026-03-02T08:00:00+00:00", "kind": "provider_changed", "old": "google", "new": "m365"},
        {"occurred_at": "2026-03-02T08:00:00+00:00", "kind": "gateway_added", "old": None, "new": "mimecast"},
        {"occurred_at": "2026-02-11T23:30:00+00:00", "kind": "tenant_appeared", "old": None, "new": "3f2c8a71"},
        {"occurred_at": "2026-02-01T08:00:00+00:00", "kind": "service_removed", "old": "box", "new": None},
    ]
    en = compose(view, lang="en", events=events, events_total=4, today=TODAY)
    assert [c.text for c in en.changes] == [
        "2026-03-02: Provider: Google Workspace → Microsoft 365.",
        "2026-03-02: Gateway Mimecast added.",
        "2026-02-11: Microsoft tenant appeared (3f2c8a71).",
        "2026-02-01: No longer uses Box.",  # an id where a name was expected is looked up in the catalog
    ]
    assert en.changes_note is None and en.changes_total == 4
    assert [(c.kind, c.old, c.new, c.occurred_at) for c in en.changes] == [
        (e["kind"], e["old"], e["new"], e["occurred_at"]) for e in events
    ]
    tr = compose(view, lang="tr", events=events, events_total=4, today=TODAY)
    assert [c.text for c in tr.changes] == [
        "2 Mart 2026: E-posta sağlayıcısı değişti: Google Workspace → Microsoft 365.",
        "2 Mart 2026: E-posta güvenlik ağ geçidi eklendi: Mimecast.",
        "11 Şubat 2026: Alan adı artık bir Microsoft tenant'ına kayıtlı (tenant kimliği: 3f2c8a71).",
        "1 Şubat 2026: Artık Box kullanmıyor.",
    ]
    many = [dict(events[0], occurred_at=f"2026-03-{d:02d}T08:00:00+00:00") for d in range(20, 8, -1)]
    told = compose(view, lang="en", events=many, events_total=40, today=TODAY)
    assert len(told.changes) == 8 and told.changes[0].text.startswith("2026-03-20: ")
    assert told.changes_note == "And 32 earlier changes: `hunter leads show x.com` lists them all."
    assert compose(view, lang="tr", events=many, events_total=1250, today=TODAY).changes_note.startswith(
        "Bunlardan önce 1.242 değişiklik daha var"
    )
    history = [
        {"scanned_at": "2026-01-10T08:00:00+00:00", "status": "ok", "provider": "google", "gateway": None},
        {"scanned_at": "2026-02-01T08:00:00+00:00", "status": "failed", "provider": "unknown", "gateway": None},
        {"scanned_at": "2026-03-02T08:00:00+00:00", "status": "partial", "provider": "google", "gateway": None},
    ]
    quiet = compose(view, lang="en", history=history, today=TODAY)
    assert quiet.changes == [] and quiet.changes_note == "No change seen since 2026-01-10."
    first = compose(view, lang="tr", history=history[:2], today=TODAY)
    assert (
        first.changes == [] and first.changes_note == "İlk tarama: 10 Ocak 2026; henüz karşılaştırılacak bir şey yok."
    )


def test_sales_summary_cli(hunter, db):
    no_db = hunter("sales-summary", "acme-never.com", dns_args=False)
    assert no_db.exit_code == 1 and f"no database at {db}" in no_db.stderr and not db.exists()
    store.connect(db).close()
    missing = hunter("sales-summary", "acme-never.com", dns_args=False)
    assert missing.exit_code == 1 and "hunter prep acme-never.com" in missing.stderr
    hunter("scan", "firma.com.tr", "-q")
    as_json = json.loads(hunter("sales-summary", "firma.com.tr", "--json", dns_args=False).stdout)
    assert as_json["category"] == "P4" and as_json["lang"] == "en" and as_json["talking_points"]
    tr = hunter(
        "sales-summary",
        "https://www.firma.com.tr",
        "--format",
        "markdown",
        dns_args=False,
        env={**hunter.env, "HUNTER_LANG": "tr"},
    )
    assert tr.exit_code == 0 and tr.stdout.startswith("# ") and "Görüşme" in tr.stdout
    rich_out = hunter("sales-summary", "firma.com.tr", dns_args=False, env={**hunter.env, "COLUMNS": "80"})
    assert max(len(line) for line in rich_out.stdout.splitlines()) <= 80
    assert "\x1b[" not in rich_out.stdout  # no colour when NO_COLOR is set / not a terminal
    assert hunter("sales-summary", "firma.com.tr", "--lang", "de", dns_args=False).exit_code == 2


def test_prep_scans_when_stale_and_not_when_fresh(hunter, dns, db):
    first = hunter(
        "prep",
        "firma.com.tr",
        "--format",
        "markdown",
        "--nameserver",
        dns.nameserver,
        "--timeout",
        "0.3",
        dns_args=False,
    )
    assert first.exit_code == 0, first.stderr
    assert "firma.com.tr" in first.stdout
    assert dns.count("firma.com.tr", "MX") == 1
    again = hunter("prep", "firma.com.tr", "--format", "json", "--nameserver", dns.nameserver, dns_args=False)
    assert again.exit_code == 0 and dns.count("firma.com.tr", "MX") == 1  # fresh: no rescan
    conn = sqlite3.connect(db)
    conn.execute("UPDATE domains SET last_good_at = '2026-01-01T00:00:00+00:00'")
    conn.commit()
    hunter("prep", "firma.com.tr", "--format", "json", "--nameserver", dns.nameserver, dns_args=False)
    assert dns.count("firma.com.tr", "MX") == 2


def test_a_tenant_lookup_not_made_is_never_told_as_no_tenant(hunter):
    """`--no-tenant` scans: the brief says the lookup was not made, or names the tenant the DKIM CNAMEs
    point at; it never says that no tenant claims the domain."""
    assert hunter("scan", "gmailer.de", "dangling.com", "--no-tenant", "--no-whois", "-q").exit_code == 0
    for lang, not_checked, from_dkim, no_tenant in (
        ("en", "lookup was not made", "danglingco.onmicrosoft.com", "No Microsoft tenant claims"),
        ("tr", "sorgusu yapılmadı", "danglingco.onmicrosoft.com", "hiçbir Microsoft tenant"),
    ):
        plain = hunter("sales-summary", "gmailer.de", "--lang", lang).stdout
        assert not_checked in plain and no_tenant not in plain
        named = hunter("sales-summary", "dangling.com", "--lang", lang).stdout
        assert from_dkim in named and no_tenant not in named
    # with the lookup made and answered "none", the brief still says so
    assert hunter("scan", "gmailer.de", "--no-whois", "-q").exit_code == 0
    assert "No Microsoft tenant claims" in hunter("sales-summary", "gmailer.de").stdout


def test_brief_shows_no_spf_macros_and_names_a_malformed_null_mx(hunter, tmp_path):
    """A rep never reads `%{i}._ip...` as a sender; `MX 10 .` is told as a malformed null MX."""
    assert hunter("scan", "sifir-degil.com.tr", "--no-whois", "-q").exit_code == 0
    text = hunter("sales-summary", "sifir-degil.com.tr").stdout
    assert "malformed null MX" in text and "has no MX record" not in text
    assert "hatalı bir boş MX" in hunter("sales-summary", "sifir-degil.com.tr", "--lang", "tr").stdout
    assert hunter("scan", "makro-gonderen.com.tr", "--no-whois", "-q").exit_code == 0
    assert "%{" not in hunter("sales-summary", "makro-gonderen.com.tr").stdout


def test_prep_asks_the_registry_at_the_same_time_as_dns(hunter, dns, db, registries):
    """DNS takes 0.8 s and the registry 1.4 s: asked one after the other, the registry's answer would
    come 2.2 s in, past prep's one second beyond the scan; asked together, it comes at 1.4 s."""
    rdap, _ = registries
    dns.faults[("nomail.com", "TXT")] = ("delay", 0.8)
    rdap.faults["nomail.com"] = ("slow", 1.4)
    out = hunter(
        "prep", "nomail.com", "--format", "json", "--no-tenant", "--nameserver", dns.nameserver, dns_args=False
    )
    assert out.exit_code == 0, out.stderr
    row = sqlite3.connect(db).execute("SELECT registrar, status FROM registrations WHERE domain = 'nomail.com'")
    assert row.fetchone() == ("GoDaddy.com, LLC", "ok")  # in time for this prep, not the next one


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_table_brief_of_a_domain_that_takes_no_mail(hunter, lang):
    """Risk level `none` (no such domain, null MX, parked) on screen: the table format, not only markdown
    and JSON (a fresh user's crash: the risk line had no style for it)."""
    hunter.scan_json("nomail.com", "yok-boyle-bir-alan.com.tr", "--no-whois")
    for domain in ("nomail.com", "yok-boyle-bir-alan.com.tr"):
        out = hunter("sales-summary", domain, "--lang", lang, env={"COLUMNS": "80"})
        assert out.exit_code == 0, out.stderr
        assert "Traceback" not in out.stderr
        assert domain in out.stdout
