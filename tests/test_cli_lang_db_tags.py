"""`hunter db *`, `tag`, `untag` and `note` speak the command's language (`--lang`, HUNTER_LANG), and the
scan summary reads as Turkish: counts first (`16 eksiksiz`), every provider word translated."""

from __future__ import annotations

import json
import re

import pytest
from test_inputs_turkish_messages import english_in

TR = {"HUNTER_LANG": "tr"}


@pytest.fixture
def filled(hunter):
    hunter.scan_json("firma.com.tr", "gmailer.de")
    return hunter


@pytest.mark.parametrize("how", ["flag", "env"])
def test_db_commands_speak_turkish(filled, db, tmp_path, how):
    args, env = (["--lang", "tr"], None) if how == "flag" else ([], TR)
    check = filled("db", "check", *args, env=env)
    assert check.exit_code == 0, check.stderr
    assert re.search(r"(?m)^veritabanı: +.* bayt\)$", check.stdout), check.stdout
    assert re.search(r"(?m)^bütünlük: +sağlam$", check.stdout) and "şema sürümü:" in check.stdout
    assert "database:" not in check.stdout and "integrity:" not in check.stdout
    # the values line up under the longest label, whatever the language
    starts = {line.index(line.split(":", 1)[1].strip()) for line in check.stdout.splitlines()}
    assert len(starts) == 1, check.stdout
    prune = filled("db", "prune", "--dry-run", *args, env=env)
    assert "tarama" in prune.stdout and "scans" not in prune.stdout, prune.stdout
    vacuum = filled("db", "vacuum", *args, env=env)
    assert "bayt yer açıldı" in vacuum.stdout, vacuum.stdout
    backup = filled("db", "backup", str(tmp_path / f"yedek-{how}.db"), *args, env=env)
    assert "yedeklendi" in backup.stdout and "backed up" not in backup.stdout, backup.stdout
    for out in (check.stdout, prune.stdout, vacuum.stdout, backup.stdout):
        assert not english_in(out, db, tmp_path), (english_in(out, db, tmp_path), out)


def test_db_check_json_and_english_are_unchanged(filled):
    check = filled("db", "check")
    assert re.search(r"(?m)^database: +.* bytes\)$", check.stdout) and re.search(r"(?m)^integrity: +ok$", check.stdout)
    as_json = json.loads(filled("db", "check", "--json", "--lang", "tr").stdout)
    assert as_json["sound"] is True and "healthy" in as_json  # keys are for machines, never translated


def test_db_check_of_a_file_that_is_not_a_database_says_so_in_turkish(hunter, tmp_path):
    bad = tmp_path / "bozuk.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    result = hunter("db", "check", "--db", str(bad), "--lang", "tr")
    assert result.exit_code == 1
    assert "veritabanı olarak okunamıyor" in result.stderr, result.stderr


@pytest.mark.parametrize("how", ["flag", "env"])
def test_tag_untag_note_speak_turkish(filled, how):
    args, env = (["--lang", "tr"], None) if how == "flag" else ([], TR)
    tagged = filled("tag", "firma.com.tr", "sicak", "ziyaret", *args, env=env)
    assert tagged.exit_code == 0 and "etiket eklendi: sicak, ziyaret" in tagged.stdout, tagged.stdout
    none = filled("untag", "firma.com.tr", "yok-boyle", *args, env=env)
    assert none.exit_code == 1 and "bu etiketlerin hiçbirini taşımıyor: yok-boyle" in none.stderr, none.stderr
    assert "has none" not in none.stderr
    one = filled("untag", "firma.com.tr", "sicak", *args, env=env)
    assert "1 etiket kaldırıldı" in one.stdout, one.stdout
    noted = filled("note", "firma.com.tr", "Ayşe Hanım'ı ara", *args, env=env)
    assert "not kaydedildi" in noted.stdout, noted.stdout
    new = filled("note", "yeni-firma.com.tr", "ilk not", *args, env=env)
    assert "henüz bir aday değildi" in new.stderr, new.stderr
    empty = filled("note", "firma.com.tr", "   ", *args, env=env)
    assert empty.exit_code == 2 and "not boş" in empty.stderr
    auto = filled("tag", "firma.com.tr", "security-risk", *args, env=env)
    assert auto.exit_code == 2 and "Hunter'ın kendi verdiği etiketlerden biri" in auto.stderr
    for result in (tagged, none, one):  # ("not" is Turkish for a note)
        assert not english_in(result.stdout + result.stderr), result.stdout + result.stderr


def test_tag_messages_stay_english_by_default(filled):
    assert "firma.com.tr: tagged sicak" in filled("tag", "firma.com.tr", "sicak").stdout
    assert "has none of these tags: yok" in filled("untag", "firma.com.tr", "yok").stderr
    assert "firma.com.tr: removed 1 tag\n" in filled("untag", "firma.com.tr", "sicak").stdout


def test_scan_summary_reads_as_turkish(hunter, tmp_path):
    listing = tmp_path / "liste.txt"
    listing.write_text("b8-sarkan.com.tr\nb8-kopuk.com\nfirma.com.tr\nbilinmeyen-mx.com.tr\n")
    tr = hunter("scan", str(listing), "--no-whois", env=TR)
    assert tr.exit_code == 0, tr.stderr
    err = " ".join(tr.stderr.split())
    assert re.search(r"Sonuç \d+ eksiksiz", err), err  # the count first: "4 eksiksiz", not "tamam 4"
    assert "2 bozuk" in err and "1 diğer" in err, err
    assert "broken" not in err and "other" not in err
    en = hunter("scan", str(listing), "--no-whois")
    err = " ".join(en.stderr.split())
    assert re.search(r"Result ok \d", err) and "broken 2" in err, err  # English keeps its order


def test_tag_untag_note_and_a_missing_lead_say_the_domain_as_typed(hunter):
    """trial12 E9: `hunter tag şirket.com.tr öncelikli` confirmed "xn--irket-idb.com.tr: tagged öncelikli"."""
    assert hunter("scan", "firma.com.tr", "--no-whois", "--no-tenant").exit_code == 0
    tagged = hunter("tag", "ŞİRKET.com.tr", "öncelikli")
    assert tagged.exit_code == 0 and "şirket.com.tr: tagged öncelikli" in tagged.stdout, tagged.output
    assert "hunter scan şirket.com.tr" in tagged.stderr and "xn--" not in tagged.output
    noted = hunter("note", "şirket.com.tr", "Ayşe aradı")
    assert "şirket.com.tr: note saved" in noted.stdout and "xn--" not in noted.output
    untagged = hunter("untag", "şirket.com.tr", "öncelikli")
    assert "şirket.com.tr: removed 1 tag" in untagged.stdout and "xn--" not in untagged.output
    missing = hunter("leads", "show", "çiçek.com.tr")
    assert missing.exit_code == 1 and "çiçek.com.tr is not in" in missing.stderr and "xn--" not in missing.stderr
