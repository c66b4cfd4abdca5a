"""Turkish as Turkish readers write it: dates, numbers, percentages with their suffixes, and no English
enumeration value (a policy, a region, a state) left inside a Turkish sentence.

Every golden Turkish brief (tests/golden/*.tr.md) is checked, and so is a brief composed for each value
of each enumeration a brief or the CRM facts can show: DMARC policies and percentages, SPF results and
all qualifiers, DKIM states, tenant namespace types and regions, failed lookups, registration states,
referral statuses and sub-statuses, Dynamics 365 states, mail providers.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import date
from pathlib import Path

import pytest

from hunter_cli.brief.compose import compose
from hunter_cli.brief.localize import attach, format_date, format_number, format_percent, last_word
from hunter_cli.brief.messages import Messages, load
from hunter_cli.crm.push import crm_dkim, crm_dmarc, crm_spf
from hunter_cli.lead import as_lead
from hunter_cli.render.brief import markdown

GOLDEN = Path(__file__).parent / "golden"
CATALOG = Path(__file__).parent.parent / "hunter_cli" / "catalog"
TODAY = date(2026, 11, 27)
FROZEN = "2026-11-27T09:00:00+00:00"

# -- the enumerations ----------------------------------------------------------------------------
DMARC_POLICIES = ("none", "quarantine", "reject")
SPF_RESULTS = ("valid", "permerror", "temperror", "none")
SPF_ALLS = ("-all", "~all", "?all", "+all", None)
DKIM_STATES = ("key", "delegated", "none")
NAMESPACES = ("Managed", "Federated", "Unknown", None)
REGIONS = ("NA", "SA", "EU", "AS", "OC", "AF", "WW", "XQ", None)  # XQ: a code Microsoft may add one day
CHECKS = ("mx", "txt", "spf", "dmarc", "dkim", "mx_host", "dmarc_report", "tenant", "footprint", "registration")
REFERRAL_STATUSES = ("New", "Active", "Closed", "Unknown")
REFERRAL_SUBSTATUSES = (
    "Pending",
    "Received",
    "Accepted",
    "Engaged",
    "Declined",
    "Lost",
    "Won",
    "Expired",
    "Error",
    "Unknown",
    None,
)
REFERRAL_KINDS = ("cosell", "marketplace", "partner")
CRM_STATES = ("open", "qualified", "disqualified")
WORKLOAD_STATES = ("online", "on_premises", "hybrid", "other", "absent", "unknown")
SPECIAL_PROVIDERS = ("self-hosted", "hosting", "other", "none", "unknown", "broken")
SEGMENTS = ("Existing", "Migration", "Cold", "Skip")
RISKS = ("high", "medium", "low")


def _providers() -> list[str]:
    data = json.loads((CATALOG / "providers.json").read_text("utf-8"))
    return sorted({p["id"] for p in data["mailbox"]} | set(SPECIAL_PROVIDERS))


def _service_categories() -> list[str]:
    return list(json.loads((CATALOG / "services.json").read_text("utf-8"))["categories"])


# Raw values that would betray an untranslated enumeration. Left out on purpose: "tenant" and
# "hosting" and "partner" (Turkish IT writes these loanwords: "Microsoft tenant'ı", "paylaşımlı hosting",
# "partneriniz"); the translation of those enumerations is checked value by value below.
ENUM_WORDS = (
    set(DMARC_POLICIES)
    | {"valid", "invalid", "permerror", "temperror", "pass", "fail", "softfail", "neutral"}
    | {"key", "delegated", "published"}
    | {n for n in NAMESPACES if n}
    | {r for r in REGIONS if r and r != "XQ"}
    | (set(CHECKS) - {"tenant"})
    | {s for s in REFERRAL_STATUSES + REFERRAL_SUBSTATUSES if s}
    | set(CRM_STATES)
    | set(WORKLOAD_STATES)
    | (set(_providers()) - {"hosting"})
    | set(SEGMENTS)
    | set(RISKS)
    | {"active", "nxdomain", "parked"}
    | set(_service_categories())
)

# What may stand in a Turkish sentence although it contains such a word: record syntax (p=reject,
# -all), host names and addresses, commands and flags in backticks, product names, a technical term
# glossed in parentheses after its Turkish words ("hatalı (permerror)"), and the XQ test region.
_ALLOWED = [
    r"`[^`]*`",
    r"\S*\w[.=@/]\w\S*",
    r"[~?+-]all\b",
    r"--[a-z-]+",
    r"\b(?:Exchange|Business|Skype for Business) Online\b",
    r"\((?:permerror|temperror|registry|selector|referral|co-sell|CNAME|NXDOMAIN)\)",
    r"\((?:fail|softfail|neutral|pass)\)",  # RFC 7208's result after its Turkish word
    r"\bXQ\b",
    r"seçiciler: [^)]*",  # DKIM selector names are DNS labels ("google", "k1")
    r"\S+(?= (?:eklendi|çıkarıldı)\b)",  # an SPF term added or removed ("mx çıkarıldı"), as the record writes it
]


def untranslated(text: str) -> list[str]:
    """The enumeration values left in a Turkish ``text`` (empty when it reads as Turkish)."""
    for pattern in _ALLOWED:
        text = re.sub(pattern, " ", text)
    return sorted({w for w in ENUM_WORDS if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)})


def english_forms(text: str) -> list[str]:
    """Dates and percentages written the English way in a Turkish ``text``."""
    text = re.sub(r"`[^`]*`", " ", text)
    return re.findall(r"\b\d{4}-\d{2}-\d{2}\b|\b\d+(?:[.,]\d+)?%", text)


# -- the formatting rules --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "spec", "expected"),
    [
        (50, "%'si", "%50'si"),
        (10, "%'si", "%10'u"),
        (25, "%'si", "%25'i"),
        (3, "%'si", "%3'ü"),
        (6, "%'si", "%6'sı"),
        (40, "%'si", "%40'ı"),
        (100, "%'si", "%100'ü"),
        (90, "%'sine", "%90'ına"),
        (20, "%'sine", "%20'sine"),
        (9, "%'sine", "%9'una"),
        (4, "%'de", "%4'te"),
        (60, "%'de", "%60'ta"),
        (8, "%'de", "%8'de"),
        (30, "%'den", "%30'dan"),
        (1000, "%'ye", "%1000'e"),
        (7, "%'ye", "%7'ye"),
        (0, "%'nin", "%0'ın"),
        (12.5, "%'si", "%12,5'i"),
        (75, "%", "%75"),
    ],
)
def test_turkish_percent_and_suffix(value, spec, expected):
    assert format_percent(value, "tr", spec) == expected


def test_english_percent_stays_english():
    assert format_percent(50, "en", "%") == "50%"
    said = Messages("en")("sec.dmarc_partial", policy="quarantine", pct=30, rest="apply their usual filtering")
    assert "applies to only 30% of the mail that fails DMARC" in said, said


def test_last_word_read_aloud():
    assert [last_word(n) for n in ("0", "11", "70", "300", "2.000", "1.000.000", "3,75", "100,0")] == [
        "sıfır",
        "bir",
        "yetmiş",
        "yüz",
        "bin",
        "milyon",
        "beş",
        "yüz",
    ]
    assert attach("kırk", "'de") == "'ta" and attach("yüz", "'nin") == "'ün" and attach("altı", "'nin") == "'nın"


def test_dates_and_numbers():
    assert format_date(date(2026, 12, 14), "tr") == "14 Aralık 2026"
    assert format_date(date(2026, 2, 1), "tr", "short") == "01.02.2026"
    assert format_date(date(2026, 8, 30), "tr") == "30 Ağustos 2026"
    assert format_date(date(2026, 12, 14), "en") == "2026-12-14"
    assert format_number(1250000.4, "tr", ",.0f") == "1.250.000"
    assert format_number(1250000.4, "en", ",.0f") == "1,250,000"
    assert format_number(12.5, "tr") == "12,5"
    tr = Messages("tr")
    assert tr("reg.line", registrar="Natro", date=date(2026, 12, 14)).endswith("bitiş tarihi 14 Aralık 2026.")
    assert tr("sec.dmarc_partial", policy="x", pct=50, rest="karantinaya alıyor").count("%50'sine") == 1


def test_detector_catches_english_values():
    assert untranslated("Veri bölgesi: EU.") == ["EU"]
    assert untranslated("Yönlendirme durumu Active / Won.") == ["Active", "Won"]
    assert untranslated("politika reject") == ["reject"]
    assert untranslated("DMARC uygulanıyor; politika: reddetme (p=reject). SPF -all ile bitiyor.") == []
    assert english_forms("Son tarama: 2026-11-27, %50 ve 50%") == ["2026-11-27", "50%"]


# -- every golden Turkish brief ----------------------------------------------------------------------
@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.tr.md")), ids=lambda p: p.name)
def test_golden_turkish_brief_has_no_english_values(path):
    text = path.read_text("utf-8")
    assert untranslated(text) == []
    assert english_forms(text) == []


# -- a brief for each value of each enumeration --------------------------------------------------------
def _view(**over) -> dict:
    view = {
        "domain": "ornek.com.tr",
        "status": "ok",
        "scanned_at": FROZEN,
        "provider": "m365",
        "mx": [{"host": "ornek-com-tr.mail.protection.outlook.com", "preference": 0, "resolved": True}],
        "spf": {
            "result": "valid",
            "record": "v=spf1 include:spf.protection.outlook.com -all",
            "all": "-all",
            "includes": ["spf.protection.outlook.com"],
        },
        "dmarc": {
            "record": "v=DMARC1; p=reject",
            "policy": "reject",
            "published_policy": "reject",
            "pct": 100,
            "rua": ["mailto:dmarc@ornek.com.tr"],
        },
        "dkim": {"selectors": [{"selector": "selector1", "key_type": "rsa"}], "checked": ["selector1"]},
        "tenant": {"id": "00000000-0000-0000-0000-000000000001", "namespace_type": "Managed", "region": "EU"},
        "errors": [],
    }
    view.update(over)
    return view


def _variants():
    for policy, pct in itertools.product(DMARC_POLICIES, (100, 30, 1)):
        dmarc = {"record": f"v=DMARC1; p={policy}; pct={pct}", "policy": policy, "published_policy": policy}
        yield f"dmarc-{policy}-{pct}", _view(dmarc={**dmarc, "pct": pct}), {}
    yield "dmarc-absent", _view(dmarc=None), {}
    yield "dmarc-invalid", _view(dmarc={"result": "invalid", "valid": False, "record": "v=DMARC1; p=x"}), {}
    broken = {"record": "v=DMARC1; p=reject; sp=x", "policy": "none", "published_policy": "reject", "result": "invalid"}
    yield "dmarc-applied-none", _view(dmarc={**broken, "rua": ["mailto:d@ornek.com.tr"]}), {}
    for result, qualifier in itertools.product(SPF_RESULTS, SPF_ALLS):
        spf = None if result == "none" else {"result": result, "valid": result == "valid", "all": qualifier}
        if result == "permerror":
            spf["errors"] = [{"code": "spf-lookup-limit", "message": "too many lookups", "where": ["ornek.com.tr"]}]
        errors = [{"check": "spf", "kind": "timeout", "message": "timed out"}] if result == "temperror" else []
        yield f"spf-{result}-{qualifier}", _view(spf=spf, errors=errors), {}
    yield "dkim-delegated", _view(dkim={"selectors": [{"selector": "selector1", "cname": "s1.x.onmicrosoft.com"}]}), {}
    yield "dkim-none", _view(dkim={"selectors": [], "checked": ["selector1", "google"]}), {}
    for ns, region in itertools.product(NAMESPACES, REGIONS):
        tenant = {"id": "00000000-0000-0000-0000-000000000002", "namespace_type": ns, "region": region}
        yield f"tenant-{ns}-{region}", _view(tenant={**tenant, "brand": "Örnek A.Ş." if region else None}), {}
    for check in CHECKS:
        errors = [{"check": check, "kind": "servfail", "message": "SERVFAIL"}]
        failed = {"status": "failed", "provider": "unknown"} if check == "mx" else {"status": "partial"}
        yield f"failed-{check}", _view(errors=errors, **failed), {}
    for provider in _providers():
        mx = [] if provider == "none" else _view()["mx"]
        yield f"provider-{provider}", _view(provider=provider, mx=mx, tenant=None), {}
    for status, substatus in itertools.product(REFERRAL_STATUSES, REFERRAL_SUBSTATUSES):
        referral = {"status": status, "substatus": substatus, "name": "Örnek fırsat", "deal_value": 1250000.0}
        referral |= {"currency": "TRY", "closing_date": "2027-01-15", "kind": REFERRAL_KINDS[len(status) % 3]}
        yield f"referral-{status}-{substatus}", _view(), {"referrals": [referral]}
    for state in CRM_STATES:
        crm = {"state": state, "status_label": None, "crm_created_on": "2026-10-01T08:00:00Z", "owner_name": "Ayşe"}
        yield f"crm-{state}", _view(), {"crm": crm}
    yield "crm-pushed", _view(), {"crm": {"state": None, "first_pushed_at": "2026-10-01T08:00:00Z"}}
    yield "crm-deleted", _view(), {"crm": {"push_state": "deleted", "attempted_at": "2026-11-01T08:00:00Z"}}
    for days in (0, 1, 5, 200, -30):
        expires = date.fromordinal(TODAY.toordinal() + days).isoformat()
        yield f"reg-{days}", _view(), {"registration": {"status": "ok", "registrar": "Natro", "expires": expires}}
    for note in ("not found in the registry", "no RDAP or WHOIS service for .tr", "server said no"):
        yield f"reg-{note[:8]}", _view(), {"registration": {"status": "unavailable", "note": note}}
    history = [
        {"scanned_at": "2026-01-10T08:00:00+00:00", "status": "ok", "provider": "google", "gateway": None},
        {"scanned_at": "2026-03-02T08:00:00+00:00", "status": "ok", "provider": "m365", "gateway": "mimecast"},
        {"scanned_at": "2026-05-02T08:00:00+00:00", "status": "ok", "provider": "m365", "gateway": None},
    ]
    notes = [{"created_at": "2026-11-20T10:00:00+00:00", "text": "Ayşe Hanım'ı aradım"}]
    yield "history", _view(), {"history": history, "notes": notes}
    events = list(_events())
    for i in range(0, len(events), 8):  # a brief tells the latest 8 (brief.compose.CHANGES_SHOWN)
        yield f"events-{i // 8}", _view(), {"events": events[i : i + 8], "events_total": len(events)}
    yield "nxdomain", _view(state="nxdomain", provider="none", mx=[], spf=None, dmarc=None, tenant=None), {}
    yield "parked", _view(state="parked", provider="none", mx=[], null_mx=True, tenant=None), {}


def _events():
    """A change event of every kind (docs/cli.md), with each workload state and DMARC policy."""
    at = "2026-11-12T09:00:00+00:00"
    states = ("online", "on_premises", "hybrid", "other", "absent")
    for (a, b), wid in zip(itertools.permutations(states, 2), itertools.cycle(("exchange", "teams", "intune"))):
        kind = "workload_changed" if a != "absent" and b != "absent" else "workload_added"
        yield {"occurred_at": at, "kind": kind, "old": f"{wid}: {a}", "new": f"{wid}: {b}"}
    for a, b in itertools.permutations((*DMARC_POLICIES, None), 2):
        yield {"occurred_at": at, "kind": "dmarc_policy_changed", "old": a, "new": b}
    for policy in (*DMARC_POLICIES, "invalid"):
        yield {"occurred_at": at, "kind": "dmarc_added", "old": None, "new": policy}
        yield {"occurred_at": at, "kind": "dmarc_removed", "old": policy, "new": None}
    for a, b in itertools.permutations(_providers(), 2):
        if "unknown" not in (a, b):
            yield {"occurred_at": at, "kind": "provider_changed", "old": a, "new": b}
    for old, new in (
        (None, "v=spf1 -all"),
        ("v=spf1 -all", None),
        ("v=spf1 a mx ~all", "v=spf1 mx include:spf.protection.outlook.com -all"),
        ("v=spf1 mx", "v=spf1 mx ?all"),
        ("v=spf1 a mx -all", "v=spf1 mx a -all"),
    ):
        yield {"occurred_at": at, "kind": "spf_changed", "old": old, "new": new}
    yield {"occurred_at": at, "kind": "gateway_added", "old": None, "new": "mimecast"}
    yield {"occurred_at": at, "kind": "gateway_removed", "old": "proofpoint", "new": None}
    yield {"occurred_at": at, "kind": "gateway_changed", "old": "barracuda", "new": "hornetsecurity"}
    yield {"occurred_at": at, "kind": "tenant_appeared", "old": None, "new": "00000000-0000-0000-0000-000000000001"}
    yield {"occurred_at": at, "kind": "tenant_appeared", "old": None, "new": None}
    yield {"occurred_at": at, "kind": "category_changed", "old": "P6", "new": "P1"}
    yield {"occurred_at": at, "kind": "service_added", "old": None, "new": "Zoom"}
    yield {"occurred_at": at, "kind": "service_removed", "old": "okta", "new": None}
    yield {"occurred_at": at, "kind": "expires_soon", "old": "2026-11-01", "new": "2026-12-05"}


VARIANTS = list(_variants())


@pytest.mark.parametrize(("name", "view", "extra"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_turkish_brief_translates_every_value(name, view, extra):
    brief = compose(view, lang="tr", today=TODAY, **extra)
    text = markdown(brief)
    assert untranslated(text) == [], text
    assert english_forms(text) == [], text
    lead = as_lead(view)
    m = Messages("tr")
    facts = " ".join((crm_spf(m, lead), crm_dkim(m, lead), crm_dmarc(m, lead)))
    if lead.tenant is not None:
        facts += " " + m.label("crm.facts.tenant_type", lead.tenant_label)
    assert untranslated(facts) == [], facts


def test_each_value_has_its_own_turkish_word():
    """A value translated by a fallback ("... kodlu bölge") is no translation: every known value has a key."""
    tr = load("tr")
    for group, values in (
        ("region", REGIONS[:-2]),
        ("dmarc.policy", DMARC_POLICIES),
        ("referral.status", REFERRAL_STATUSES),
        ("referral.substatus", REFERRAL_SUBSTATUSES[:-1]),
        ("referral.kind", REFERRAL_KINDS),
        ("check", CHECKS),
        ("crm.state", CRM_STATES),
        ("segment", SEGMENTS),
        ("risk", RISKS),
        ("svc.cat", _service_categories()),
        ("namespace", NAMESPACES[:-1]),
    ):
        for value in values:
            assert f"{group}.{value}" in tr, f"{group}.{value}"
    for provider in set(_providers()) - {"hosting"}:
        assert f"provider.{provider}" in tr, provider


def test_every_spf_error_code_has_words():
    from hunter_cli.dns import spf, spf_eval

    codes = {v for mod in (spf, spf_eval) for k, v in vars(mod).items() if k.startswith("E_") and isinstance(v, str)}
    missing = {c for c in codes - {spf_eval.E_TEMPERROR} if f"spf_error.{c}" not in load("tr")}
    assert codes and not missing, missing


def test_registry_and_registrar_are_not_confused():
    """TRABIS is the .tr registry ("kayıt otoritesi"); the company a domain is bought through is the registrar."""
    tr = load("tr")
    assert "kayıt otoritesi" in tr["reg.not_found"].lower()
    assert "kayıt şirketi" in tr["reg.line"].lower()
    assert tr["reg.soon_one"].startswith("Alan adı kaydı yarın")


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


# trial 21 (section 4): sentences a Turkish reader stumbled on, with what each should have said
AWKWARD = {
    r"\borası\b": "one host for two DMARC report hosts ('adresine ... ama orası')",
    r"geçirdikçe": "'every time it lets through', where 'because' was meant",
    r"devredilmiş": "'handed over (ownership)' for a DKIM CNAME, which only points",
    r"Exchange hibrit": "'Hibrit Exchange' is the Turkish word order",
    r"yürütüyoruz|kaybetmiyor": "a promise in the present tense reads as a migration under way",
    r"satılabilir;.*etiketteki|gelir; Microsoft'tan": "the P1 priority line ran three clauses with semicolons",
}


def test_turkish_messages_avoid_the_sentences_the_trial_stumbled_on():
    texts = _texts(load("tr")) + _texts(json.loads((CATALOG / "plays.json").read_text(encoding="utf-8")))
    for pattern, why in AWKWARD.items():
        found = [t for t in texts if re.search(pattern, t)]
        assert not found, (why, found)
    # a message naming one or two hosts is worded for either number, in English too ("which has")
    assert "which has" not in load("en")["sec.dmarc_report_unauthorized"]


def test_a_turkish_why_line_says_toplam_at_most_once():
    """trial 21: "ve 2 kalem daha: toplam -20, ...; toplam -15, ama puan ..." said "toplam" twice."""
    m = Messages("tr")
    line = "; ".join([m("reason.more", n=2, points=-20, domain="x.com.tr"), m("reason.clamped", raw=-15, score=0)])
    assert len(re.findall(r"\btoplam\b", line)) == 1, line
