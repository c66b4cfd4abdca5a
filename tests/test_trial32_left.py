"""Trial 32's remaining small faults, each tried as a kind: one Turkish word for the mail security gateway,
machine formats that tell "unknown" from "none", one date style per screen, the mail move offered once, and
a domain listed twice under two company names said in the scan summary. CLI tests run against the real test
DNS server and sign-in stand-in (the conftest `hunter` fixture)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# TR_GATEWAY_TERM: the one full form and the one short form of "mail security gateway" in Turkish.
_GATEWAY_WORD = re.compile(r"geçi[dt]", re.IGNORECASE)
_FULL = "e-posta güvenlik ağ "
_SHORT = "ağ "


def _turkish_sources() -> list[Path]:
    """Every file Turkish text can come from: the message and help catalogs, the data catalogs (their "tr"
    values), Python sources and the docs."""
    files = [p for p in (ROOT / "hunter_cli").rglob("*") if p.suffix in {".json", ".py", ".txt", ".toml"}]
    return [*files, *(ROOT / "docs").glob("*.md"), ROOT / "README.md"]


def test_turkish_names_the_mail_security_gateway_one_way():
    """TR_GATEWAY_TERM: Turkish said "Ağ geçidi" (rules matrix), "Geçit" (leads) and "E-posta güvenlik geçidi"
    (changes) for one thing. Every "geçit/geçid..." must be "ağ geçidi" (the short form, for table headers and
    a second mention) or "e-posta güvenlik ağ geçidi" (the full form): never "geçit" alone, "güvenlik geçidi"
    or "güvenlik ağ geçidi" without "e-posta"."""
    seen = 0
    wrong = []
    for path in _turkish_sources():
        text = path.read_text(encoding="utf-8", errors="replace")
        for hit in _GATEWAY_WORD.finditer(text):
            seen += 1
            before = text[max(0, hit.start() - 40) : hit.start()].lower()
            ok = before.endswith(_SHORT) and (not before.endswith("güvenlik " + _SHORT) or before.endswith(_FULL))
            if not ok:
                line = text.count("\n", 0, hit.start()) + 1
                wrong.append(f"{path.relative_to(ROOT)}:{line}: ...{text[hit.start() - 30 : hit.end() + 10]!r}")
    assert seen > 20, seen  # the scan found the Turkish catalogs
    assert not wrong, "\n".join(wrong)


# -- CSV_FAILED: the machine formats tell "not known" and "not scanned" from "none" -----------------------
FAILED = "kayip-ornek.com.tr"  # every lookup SERVFAILs: attempted, never read
NEVER = "yeni-ornek.com.tr"  # imported, never scanned


def _machine_rows(hunter, tmp_path) -> tuple[dict, dict]:
    """(CSV rows, JSON rows) of `hunter leads` by domain, for a failed lead, an imported one and a good one
    (nomail.com: provider and tenant "none")."""
    import csv
    import io
    import json

    src = tmp_path / "l.csv"
    src.write_text(f"domain,company\n{NEVER},Yeni Örnek A.Ş.\n", "utf-8")
    assert hunter("import", str(src)).exit_code == 0
    hunter.server.faults[FAILED] = "servfail"
    out = hunter("scan", FAILED, "nomail.com", "--no-whois")
    assert out.exit_code == 0, out.stderr
    csv_out = hunter("leads", "-f", "csv", "--no-bom")
    assert csv_out.exit_code == 0, csv_out.stderr
    by_csv = {r["domain"]: r for r in csv.DictReader(io.StringIO(csv_out.stdout))}
    json_out = hunter("leads", "-f", "json")
    by_json = {r["domain"]: r for r in json.loads(json_out.stdout)}
    return by_csv, by_json


def test_the_machine_formats_say_not_known_and_not_scanned_apart_from_none(hunter, tmp_path):
    """CSV_FAILED: `leads -f csv` left a failed lead's provider and tenant empty (the table says `?`) and a
    never-scanned lead's last_status empty (the table says "not scanned"): a script read both as "none".
    Not known is `?` (as dmarc_policy, spf_all and footprint already say it), a lead no attempt was made for
    has last_status `not_scanned`, the same in CSV and JSON; "none" stays `none`."""
    by_csv, by_json = _machine_rows(hunter, tmp_path)
    for rows in (by_csv, by_json):
        failed, never, none = rows[FAILED], rows[NEVER], rows["nomail.com"]
        assert failed["last_status"] == "failed"
        for column in ("provider", "gateway", "tenant", "dmarc_policy", "footprint"):
            assert failed[column] == "?", (column, failed)
        assert never["last_status"] == "not_scanned", never
        assert none["provider"] == "none" and none["tenant"] == "none", none
        assert none["last_status"] == "ok"
    for column in ("provider", "gateway", "tenant", "dmarc_policy", "footprint", "last_status"):  # one value
        for domain in (FAILED, NEVER):
            assert (by_csv[domain][column] or None) == by_json[domain][column], (domain, column)


def test_leads_show_json_says_not_known_as_the_list_does(hunter, tmp_path):
    """The same kind in `leads show --json`, whose `lead` is the list's object for the domain."""
    import json

    _machine_rows(hunter, tmp_path)
    for domain, status in ((FAILED, "failed"), (NEVER, "not_scanned")):
        out = hunter("leads", "show", domain, "--json")
        assert out.exit_code == 0, out.stderr
        lead = json.loads(out.stdout)["lead"]
        assert lead["last_status"] == status, lead
    assert lead["provider"] is None  # never scanned: nothing was asked
    failed = json.loads(hunter("leads", "show", FAILED, "--json").stdout)["lead"]
    assert failed["provider"] == "?" and failed["tenant"] == "?", failed


# -- DATE_STYLES_LEADS_SHOW: one date style per language on each screen ------------------------------------
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Ocak|Şubat|Mart|Nisan|Mayıs|Haziran|Temmuz|Ağustos|Eylül|Ekim|Kasım|Aralık"
)
_ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_PROSE_DAY = re.compile(rf"\b\d{{1,2}} ({_MONTHS}) \d{{4}}\b")
MOVED = "tasinan-ornek.com.tr"
_BEFORE = f'{MOVED}. 300 IN MX 10 mx.natrohost.com.\n{MOVED}. 300 IN TXT "v=spf1 include:spf.natrohost.com -all"\n'
_AFTER = (
    f"{MOVED}. 300 IN MX 0 tasinan-ornek-com-tr.mail.protection.outlook.com.\n"
    f'{MOVED}. 300 IN TXT "v=spf1 include:spf.protection.outlook.com -all"\n'
)


def _one_style(text: str, lang: str, screen: str) -> None:
    """Every date of ``text`` in the language's one style: English ISO (2026-12-01), Turkish as its briefs
    write a day (1 Aralık 2026); at least one date shown."""
    iso, prose = _ISO_DAY.findall(text), [m.group(0) for m in _PROSE_DAY.finditer(text)]
    if lang == "en":
        assert iso and not prose, (screen, prose, text)
    else:
        assert prose and not iso, (screen, iso, text)


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_each_screen_says_every_date_one_way(hunter, tmp_path, lang):
    """DATE_STYLES_LEADS_SHOW: `leads show` of a failed lead said "on 1 December 2026" above a history table of
    "2026-12-01 06:23" (Turkish: "1 Aralık 2026" above the same table). The kind: a screen that writes one
    date one way and the next another. `leads show` (a failed lead; a lead with a change, a note and a
    history), `changes` and the failed lead's `sales-summary` line, in English and Turkish."""
    env = {"HUNTER_LANG": lang, "COLUMNS": "100"}
    hunter.server.faults[FAILED] = "servfail"
    assert hunter("scan", FAILED, "--no-whois", "-q").exit_code == 7  # every scanned domain failed
    hunter.server.clear_faults()
    zones = hunter.server
    base = _zone_text()
    try:
        for zone in (_BEFORE, _AFTER):
            zones.load(base + zone)
            assert hunter("scan", MOVED, "--no-whois", "-q").exit_code == 0
    finally:
        zones.load(base)
    assert hunter("note", MOVED, "Called, call back in spring").exit_code == 0
    screens = {
        "leads show failed": hunter("leads", "show", FAILED, env=env),
        "leads show moved": hunter("leads", "show", MOVED, env=env),
        "changes": hunter("changes", "--since", "1d", env=env),
        "sales-summary failed": hunter("sales-summary", FAILED, env=env),
    }
    for screen, out in screens.items():
        _one_style(out.stdout + out.stderr, lang, screen)


def _zone_text() -> str:
    from dnsserver import load_zone_dir

    return load_zone_dir(ROOT / "tests" / "zones")
