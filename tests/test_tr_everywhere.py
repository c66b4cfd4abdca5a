"""`--lang tr` (or HUNTER_LANG=tr) covers every reading and scanning command (docs/config.md): the
scan's table and summary, `hunter leads` (its table, its footer, the stale-scores warning), `hunter
leads show` and `hunter changes` (a trial found them English). Each is run for real, at 80 and 120
columns, and no English sentence may be left (the word list of tests/test_inputs_turkish_messages.py)."""

from __future__ import annotations

import re
import sqlite3

import pytest
from test_inputs_turkish_messages import english_in

DOMAINS = ("natro-ornek.com.tr", "kendi-sunucu.com.tr", "nomail.com", "firma.com.tr")
# English column headers and values a Turkish table must not show
ENGLISH_TABLE = re.compile(
    r"\b(Domain|Provider|Gateway|Tenant\b(?!'|\w)|Score|Scanned|Tags|Status|When|Change|own srv|self-hosted|partial)\b"
)


def _english_table(text: str) -> list[str]:
    # "Tenant" is the brief's Turkish word for Microsoft's tenant too: only a header row of English words counts
    return [w for w in ENGLISH_TABLE.findall(text) if w != "Tenant"]


@pytest.mark.parametrize("columns", ["80", "120"])
def test_scan_table_and_summary_are_turkish(hunter, tmp_path, columns):
    p = tmp_path / "liste.txt"
    p.write_text("\n".join(DOMAINS) + "\n", encoding="utf-8")
    for args, env in ((["--lang", "tr"], {"COLUMNS": columns}), ([], {"COLUMNS": columns, "HUNTER_LANG": "tr"})):
        result = hunter("scan", str(p), "--no-whois", *args, env=env)
        assert result.exit_code == 0, result.stderr
        assert not _english_table(result.stdout), (_english_table(result.stdout), result.stdout)
        assert "Alan adı" in result.stdout and "Sağlayıcı" in result.stdout
        assert re.search(r"kendi-sunucu\.com\.tr +kendi", result.stdout), result.stdout
        err = result.stderr
        assert "Tenant'lar" in err or "Kiracı" not in err
        assert "Kiracı" not in err and "own srv" not in err and "self-hosted" not in err
        assert re.search(r"Sonuç\s+\d+ eksiksiz", err), err  # the count first, as Turkish says it
        assert not english_in(err, p, tmp_path), (english_in(err, p, tmp_path), err)
    english = hunter("scan", str(p), "--no-whois", env={"COLUMNS": columns})
    assert "Domain" in english.stdout and re.search(r"ok \d", english.stderr)


@pytest.mark.parametrize("columns", ["80", "120"])
def test_leads_table_footer_and_show_are_turkish(hunter, columns):
    hunter.scan_json(*DOMAINS)
    for args, env in ((["--lang", "tr"], {"COLUMNS": columns}), ([], {"COLUMNS": columns, "HUNTER_LANG": "tr"})):
        result = hunter("leads", "--limit", "2", *args, env=env)
        assert result.exit_code == 0, result.stderr
        assert "müşteri adayından 2 tanesi gösteriliyor" in result.stderr, result.stderr
        assert not _english_table(result.stdout), (_english_table(result.stdout), result.stdout)
        assert not english_in(result.stderr), result.stderr
        assert "Alan adı" in result.stdout and "Puan" in result.stdout
        one = hunter("leads", "--search", "natro", *args, env=env)
        assert "1 müşteri adayı eşleşiyor" in one.stderr, one.stderr
        none = hunter("leads", "--search", "yok-boyle", *args, env=env)
        assert "Eşleşen müşteri adayı yok" in none.stderr and not english_in(none.stderr)
    assert "2 of 4 leads match" in hunter("leads", "--limit", "2").stderr


def test_the_stale_scores_warning_is_turkish(hunter, db):
    """Scores set by other rules (here: a digest no rules file gives) are warned of at `hunter leads`, in Turkish."""
    from hunter_cli.rules_identity import STATE_KEY

    hunter.scan_json(*DOMAINS)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE sync_state SET value = ? WHERE key = ?", ("0123456789abcdef", STATE_KEY))
    conn.close()
    for args, env in (
        (["--lang", "tr"], None),
        ([], {"HUNTER_LANG": "tr"}),
        (["show", "firma.com.tr", "--lang", "tr"], None),
    ):
        err = " ".join(hunter("leads", *args, env=env).stderr.split())
        assert "başka puanlama kurallarıyla hesaplanmış" in err and "`hunter rescore`" in err, err
        assert not english_in(err), (english_in(err), err)
    assert "set by other scoring rules" in hunter("leads").stderr


def test_changes_take_lang_and_are_turkish(hunter, db, tmp_path):
    hunter.scan_json(*DOMAINS)
    for args, env in ((["--lang", "tr"], None), ([], {"HUNTER_LANG": "tr"})):
        result = hunter("changes", *args, env=env)
        assert result.exit_code == 0, result.stderr
        assert not english_in(result.stderr), result.stderr
        assert not _english_table(result.stdout), result.stdout
    assert hunter("changes", "--lang", "xx").exit_code == 2


def test_rescan_takes_lang(hunter):
    hunter.scan_json(*DOMAINS)
    ns = ["--nameserver", hunter.server.nameserver, "--timeout", "0.3", "--no-whois"]
    nothing = hunter("rescan", *ns, "--lang", "tr")
    assert nothing.exit_code == 0 and "Yeniden taranacak bir şey yok" in nothing.stderr, nothing.stderr
    assert not english_in(nothing.stderr), nothing.stderr
    import time

    time.sleep(1.5)  # the scans above are now older than 1 s
    again = hunter("rescan", "--older-than", "1s", *ns, "--lang", "tr", env={"COLUMNS": "80"})
    assert again.exit_code == 0, again.stderr
    assert "Tarama özeti" in again.stderr and "Alan adı" in again.stdout, again.stderr
    assert not english_in(again.stderr), (english_in(again.stderr), again.stderr)


# English labels and sentences of the `leads show` panels (render/leads.py lead_detail) a Turkish reader must not see
ENGLISH_SHOW = re.compile(
    r"\b(Provider|Gateway|Company|Category|Readiness|Reasons|Last scan|Tags|User|Auto|newest first|"
    r"Scan history|Notes|Changes|no key found|no DMARC record|no SPF record|not known|of 100)\b"
)


@pytest.mark.parametrize("columns", ["80", "120"])
def test_leads_show_panels_are_turkish(hunter, columns):
    """Every label, value and table title of `hunter leads show` comes from the message files (a trial
    found the panels English under --lang tr while the history table beside them was Turkish)."""
    hunter.scan_json(*DOMAINS)
    assert hunter("note", "firma.com.tr", "Ali Bey salı günü aranacak").exit_code == 0
    for domain in DOMAINS:
        for args, env in ((["--lang", "tr"], {"COLUMNS": columns}), ([], {"COLUMNS": columns, "HUNTER_LANG": "tr"})):
            result = hunter("leads", "show", domain, *args, env=env)
            assert result.exit_code == 0, result.stderr
            out = result.stdout
            assert not ENGLISH_SHOW.findall(out), (ENGLISH_SHOW.findall(out), out)
            assert "Sağlayıcı" in out and "Etiketler" in out and "Tarama geçmişi (en yenisi önce)" in out, out
    tr = hunter("leads", "show", "firma.com.tr", "--lang", "tr", env={"COLUMNS": "120"}).stdout
    assert "Notlar (en yenisi önce)" in tr and "Ali Bey" in tr and "Kategori" in tr, tr
    en = hunter("leads", "show", "firma.com.tr", env={"COLUMNS": "120"}).stdout
    assert "Scan history (newest first)" in en and "Provider" in en and "Notes (newest first)" in en, en


def test_the_list_footers_read_one_way_in_turkish():
    """`leads`, `changes` and `referrals list` say "N of M shown" in one Turkish pattern (trial24 F8: three
    patterns, one opening with a stiff "Uyan" and one ending in "kullanın")."""
    from hunter_cli.brief.messages import Messages

    m = Messages("tr")
    one_way = re.compile(
        r"^(?:1 Aralık 2026 tarihinden bu yana )?120 [\w ]+?(?:dan|den|tan|ten) 50 tanesi gösteriliyor"
        r" \(hepsi için --limit 0(?: ya da --format csv)?\)$"
    )
    for key in ("leads.footer.some", "changes.footer.some", "cli.partner.footer_more"):
        text = m(key, shown=50, total=120, day="1 Aralık 2026")
        assert one_way.match(text), (key, text)
