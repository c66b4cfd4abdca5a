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


# -- the offer names each product and the mail move once ---------------------------------------------------
GOLDEN = ROOT / "tests" / "golden"
_OFFER_TITLE = {"en": "## What to offer", "tr": "## Ne önerilmeli"}
# Ways each language says the mail move (to Microsoft 365 / Exchange Online) in an offer
# (a Lync server's move to Teams, or sign-in's from AD FS to Entra ID, is another move)
_MOVE = {
    "en": re.compile(
        r"\bmail migration|migration (?:to Exchange Online|done)|\bmov(?:e|ing) (?:the |their )?mailboxes"
        r"|\bmove everything|\bmailboxes into\b",
        re.I,
    ),
    "tr": re.compile(
        r"e-posta taşıma|posta kutularını [^.:;]*taşı|Exchange Online'a geçiş|biz taşırız|taşıma işini", re.I
    ),
}


def _offer_items(lang: str) -> list[str]:
    """What an offer can sell, as the messages and the plays catalog name it in ``lang``."""
    import json

    from hunter_cli.brief.messages import Messages

    m = Messages(lang)
    items = [m(f"offer.{k}") for k in ("basic", "standard", "premium", "defender", "migration")]
    plays = json.loads((ROOT / "hunter_cli" / "catalog" / "plays.json").read_text(encoding="utf-8"))["plays"]
    for play in plays:
        for key in ("offer", "offer_inline"):
            if isinstance(play.get(key), dict) and play[key].get(lang):
                items.append(play[key][lang])
    return items


def _offer_sections() -> list[tuple[str, str, str]]:
    """(golden file, language, its offer section's text) for every golden brief that has one."""
    found = []
    for path in sorted(GOLDEN.glob("*.md")):
        lang = path.name.rsplit(".", 2)[-2]
        text = path.read_text(encoding="utf-8")
        title = _OFFER_TITLE.get(lang)
        if title and title + "\n" in text:
            found.append((path.name, lang, text.split(title + "\n", 1)[1].split("\n## ", 1)[0]))
    return found


def test_no_golden_offer_names_the_mail_move_or_a_product_twice():
    """F3 / BRIEF_REPEAT: the offer of a lead on Exchange of its own (or on another suite, or one that left
    Microsoft 365) said the move twice: the add-on "mail migration" and a reason "move the mailboxes in" (tr
    "e-posta taşıma", "posta kutularını taşıyın"; "we move everything over", "with the migration done for
    them"). Every golden brief, both languages: the move at most once, each product at most once."""
    sections = _offer_sections()
    assert len(sections) > 30, len(sections)
    moves = 0
    for name, lang, section in sections:
        said = [hit.group(0) for hit in _MOVE[lang].finditer(section)]
        assert len(said) <= 1, (name, said, section)
        moves += len(said)
        for item in _offer_items(lang):
            assert section.count(item) <= 1, (name, item, section)
    assert moves > 3  # the pattern finds the move where it is said


# -- a domain listed twice under two company names is said in the summary -----------------------------------
def _input_file(tmp_path, kind: str, rows: list[tuple[str, str]]) -> str:
    """A list of (company, domain) rows as a .txt (tab-separated), .csv (with a header) or .xlsx file."""
    if kind == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.append(["Firma", "Web Sitesi"])
        for row in rows:
            ws.append(list(row))
        path = tmp_path / "liste.xlsx"
        wb.save(path)
        return str(path)
    path = tmp_path / f"liste.{kind}"
    if kind == "csv":
        path.write_text("company,domain\n" + "".join(f'"{c}",{d}\n' for c, d in rows), encoding="utf-8")
    else:
        path.write_text("".join(f"{c}\t{d}\n" for c, d in rows), encoding="utf-8")
    return str(path)


_ROWS = [
    ("Firma A.Ş.", "firma.com.tr"),
    ("Nomail Ltd", "nomail.com"),
    ("Firma Holding A.Ş.", "firma.com.tr"),  # another company: left out, said
    ("nomail  ltd", "nomail.com"),  # the same name written otherwise: a plain duplicate
]


@pytest.mark.parametrize("kind", ["txt", "csv", "xlsx"])
@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_domain_listed_again_under_another_company_is_said_in_the_summary(hunter, tmp_path, kind, lang):
    """A list with the same domain twice under two company names dropped the second name without a word.
    The scan summary says it as a skip line does: how many, where, the name left out and the one kept."""
    from hunter_cli.brief.messages import Messages

    listed = _input_file(tmp_path, kind, _ROWS)
    out = hunter("scan", listed, "--no-whois", env={"HUNTER_LANG": lang, "COLUMNS": "200"})
    assert out.exit_code == 0, out.stderr
    said = " ".join(out.stderr.split())
    name = Path(listed).name
    first, again = (2, 4) if kind != "txt" else (1, 3)  # a header row above the others in csv and xlsx
    item = Messages(lang)(
        "scan.summary.other_name.item",
        where=f"{name}:{again}",
        name="Firma Holding A.Ş.",
        kept="Firma A.Ş.",
        kept_where=f"{name}:{first}",
    )
    assert Messages(lang)("scan.summary.other_name.one", n=1, which=item) in said, said
    assert "nomail  ltd" not in said  # the same company: no word beyond the duplicate count
    rows = {r["domain"]: r for r in __import__("json").loads(hunter("leads", "-f", "json").stdout)}
    assert rows["firma.com.tr"]["company"] == "Firma A.Ş."


def test_import_keeps_the_first_name_of_the_input_and_says_the_other(hunter, tmp_path):
    """`hunter import --overwrite-company` replaces a stored name, not the input's own first name: the last
    row won before, without a word."""
    listed = _input_file(tmp_path, "csv", _ROWS)
    out = hunter("import", listed, "--overwrite-company", env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.stderr
    said = " ".join((out.stdout + out.stderr).split())
    assert '"Firma Holding A.Ş.", kept "Firma A.Ş." from liste.csv:2' in said, said
    rows = {r["domain"]: r for r in __import__("json").loads(hunter("leads", "-f", "json").stdout)}
    assert rows["firma.com.tr"]["company"] == "Firma A.Ş."


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_referrals_list_says_every_date_one_way(hunter, pc, tmp_path, lang):
    """The same kind in `referrals list`: its Updated column (ISO under Turkish headers before) and its closing
    date (stored ISO, shown as stored), wide and at 80 columns, each in the language's one style."""
    from conftest import PARTNER_TOKEN as TOKEN

    env = {
        "HUNTER_PARTNER_API_URL": pc.base_url,
        "HUNTER_PARTNER_TOKEN": TOKEN,
        "HUNTER_TOKEN_CACHE": str(tmp_path / "cache.json"),
    }
    assert hunter("referrals", "sync", "--no-scan", env=env, dns_args=False).exit_code == 0
    for columns in ("80", "200"):
        out = hunter("referrals", "list", env={**env, "HUNTER_LANG": lang, "COLUMNS": columns}, dns_args=False)
        assert out.exit_code == 0, out.stderr
        _one_style(out.stdout, lang, f"referrals list at {columns}")
