"""Trial 32's remaining small faults, each tried as a kind: one Turkish word for the mail security gateway,
machine formats that tell "unknown" from "none", one date style per screen, the mail move offered once, and
a domain listed twice under two company names said in the scan summary. CLI tests run against the real test
DNS server and sign-in stand-in (the conftest `hunter` fixture)."""

from __future__ import annotations

import re
from pathlib import Path

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
