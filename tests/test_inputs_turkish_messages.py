"""Under `--lang tr` (or HUNTER_LANG=tr) the store's errors, the lines a command prints while another process
holds the database, and the scan's summary come in Turkish (a trial saw them in English): each situation is
run for real and no English sentence may be left on stderr."""

from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager

import pytest
from conftest import read_only_folder

# Words that give an English sentence away (command names, options, codes and values aside).
ENGLISH = re.compile(
    r"\b(the|is|are|was|were|has|have|and|of|to|for|with|another|process|database|waiting|wait|gave|give|"
    r"lines?|domains?|scanned|skipped|summary|read-only|cannot|nothing|written|newer|found|failed|held|lock|"
    r"input|result|providers|gateways|priority|tenants|unique|duplicates?|not|try|again|use|run|contains|characters?|"
    r"label|name|address|public|suffix|company|mailbox|longer|than|dot|empty|row|column|chosen|website|binary|data|"
    r"quote|broken|valid|international|placeholder|unknown|spaces|too|long|fetched|asked|registry|recently|some|"
    r"lookups|highest|see|all|them|does|exist|interrupted|disk|full|damaged|writing|results)\b",
    re.IGNORECASE,
)
CODES = re.compile(r"(?m)^not:|/[^\s;:,)]+|--[a-z-]+|`[^`]*`|HUNTER_[A-Z_]+(=\S+)?|\((leads|hunter)[^)]*\)")


def english_in(text: str, *paths) -> list[str]:
    """The English words left in ``text`` once paths, options, `commands` and variables are taken out."""
    for p in paths:
        text = text.replace(str(p), "P")
    return ENGLISH.findall(CODES.sub(" ", text))


TR = {"HUNTER_LANG": "tr"}


@contextmanager
def _bulk_scan_lock(db):
    """The scan lock held as a bulk scan holds it (store/scanlock.py)."""
    from hunter_cli.store.scanlock import Holder, ScanLock

    lock = ScanLock(db, Holder("scan"))
    assert lock.try_acquire()
    try:
        yield
    finally:
        lock.release()


@contextmanager
def write_lock_held(db):
    holder = sqlite3.connect(db, isolation_level=None, timeout=30)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _turkish(result, *paths, code: int | None = None) -> str:
    err = result.stderr
    assert code is None or result.exit_code == code, (result.exit_code, err)
    assert err.strip(), "nothing said"
    assert not english_in(err, *paths), (english_in(err, *paths), err)
    return err


def test_the_scan_summary_is_turkish_with_lang_or_hunter_lang(hunter, tmp_path):
    p = tmp_path / "liste.txt"
    p.write_text(
        "firma.com.tr\nnomail.com\nfirma.com.tr\nbad_label.com\nali@gmail.com\nyok-boyle-bir-alan.com.tr\n"
        "foo.bilinmeyen-uzanti\n1.2.3.4\ncontains spaces.com\n",
        encoding="utf-8",
    )
    for args, env in ((["--lang", "tr"], None), ([], TR), (["--lang", "TR"], None)):
        result = hunter("scan", str(p), "--no-whois", *args, env=env)
        err = _turkish(result, p, tmp_path, code=0)
        assert "Tarama özeti" in err and "Atlanan" in err and "benzersiz alan adı" in err
        assert "bireysel e-posta hizmeti" in err and "DNS'te yok (NXDOMAIN)" in err
        assert "Taranan alan adları" in result.stdout
    english = hunter("scan", str(p), "--no-whois")  # English stays what it was
    assert "Scan summary" in english.stderr and "2 duplicates" not in english.stderr
    assert "consumer mailbox domain, not a company" in english.stderr and "9 lines, 4 unique domains" in english.stderr


def test_no_valid_domain_is_said_in_turkish(hunter, tmp_path):
    p = tmp_path / "bos.txt"
    p.write_text("ali@gmail.com\nno-such-tld.qqq\n", encoding="utf-8")
    err = _turkish(hunter("scan", str(p), "--lang", "tr"), p, code=1)
    assert "girdide geçerli bir alan adı yok: 2 satır atlandı" in err


def test_a_newer_schema_is_said_in_turkish(hunter, db):
    hunter.scan_json("firma.com.tr")
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO schema_migrations VALUES (42, 'from the future', '2031-01-01')")
    conn.commit()
    conn.close()
    for args, env in (
        (["scan", "nomail.com", "--lang", "tr"], None),
        (["tag", "firma.com.tr", "vip"], TR),
        (["note", "firma.com.tr", "aradım"], TR),
        (["rescore"], TR),
    ):
        err = _turkish(hunter(*args, env=env), db, code=1)
        assert "daha yeni bir Hunter sürümüyle yazılmış (şema sürümü 42" in err and "hiçbir şey yazılmadı" in err
    err = _turkish(hunter("sales-summary", "firma.com.tr", "--lang", "tr"), db, code=0)
    assert "yine de okunuyor" in err


@pytest.mark.parametrize("content", [b"this is not a database at all\n" * 200, b"SQLite format 3\x00" + b"\xff" * 4000])
def test_a_file_that_is_not_a_hunter_database_is_said_in_turkish(hunter, db, content):
    db.write_bytes(content)
    for args, env in (
        (["scan", "nomail.com", "--lang", "tr"], None),
        (["prep", "firma.com.tr", "--lang", "tr"], None),
        (["sales-summary", "firma.com.tr", "--lang", "tr"], None),
        (["tag", "firma.com.tr", "vip"], TR),
        (["leads"], TR),
    ):
        err = _turkish(hunter(*args, env=env), db, code=1)
        assert "Hunter veritabanı olarak kullanılamıyor" in err or "bozuk" in err, err


def test_a_read_only_database_is_said_in_turkish(hunter, db, tmp_path):
    hunter.scan_json("firma.com.tr")
    with read_only_folder(db.parent, tmp_path / "ro", files=(db,)) as folder:
        ro = folder / db.name
        for args, env in (
            (["scan", "nomail.com", "--lang", "tr", "--db", str(ro)], None),
            (["tag", "firma.com.tr", "vip", "--db", str(ro)], TR),
        ):
            err = _turkish(hunter(*args, env=env), ro, folder, code=1)
            assert "salt okunur" in err and "hiçbir şey değiştirilmedi" in err, err
        err = _turkish(hunter("sales-summary", "firma.com.tr", "--lang", "tr", "--db", str(ro)), ro, folder, code=0)
        assert "salt okunur" in err


def test_waiting_for_the_lock_and_giving_up_are_said_in_turkish(hunter, db):
    """Another process holds SQLite's write lock: after 3 s the waiting line, at HUNTER_DB_WAIT the error."""
    hunter.scan_json("firma.com.tr")
    env = {**TR, "HUNTER_DB_WAIT": "4"}
    with write_lock_held(db):
        tag = hunter("tag", "firma.com.tr", "vip", env=env)
        scan = hunter("scan", "nomail.com", "--lang", "tr", env={"HUNTER_DB_WAIT": "4"})
    for result in (tag, scan):
        err = _turkish(result, db, code=1)
        assert "bekleniyor: veritabanı kilitli: başka bir işlem" in err and "hunter işlemi" not in err, err
        assert "beklemekten vazgeçildi (HUNTER_DB_WAIT=4 sn)" in err, err


def test_a_second_scan_is_refused_in_turkish(hunter, db):
    hunter.scan_json("firma.com.tr")
    with _bulk_scan_lock(db):
        err = _turkish(hunter("scan", "nomail.com", "--lang", "tr"), db, code=1)
        assert "toplu bir tarama yazıyor" in err and "ayrı bir veritabanı için --db" in err
        err = _turkish(hunter("prep", "nomail.com", "--lang", "tr"), db, code=1)


def test_english_words_are_found_by_the_check():
    """The check itself: each English message of these situations would be caught."""
    from hunter_cli.brief.messages import load

    en = load("en")
    for key in en:
        if key.startswith(("cli.store.", "cli.scan.", "scan.summary.", "scan.results.", "input.skip.")):
            text = en[key]
            if len(re.sub(r"\{\w+[^}]*\}", "", text).split()) >= 3:
                assert english_in(text), key


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM"])
def test_an_interrupted_scan_says_what_is_left_in_turkish(hunter_cmd, dns, db, tmp_path, how):
    """A real scan stopped part-way (Ctrl-C, SIGTERM) under HUNTER_LANG=tr: its last lines in Turkish."""
    import signal
    import subprocess

    from test_store import _slow_list, _wait_for_rows

    path, _names = _slow_list(dns, tmp_path, n=150, delay=0.05)
    base, env = hunter_cmd
    args = base + ["scan", str(path), "-c", "2", "--nameserver", dns.nameserver, "--timeout", "2"]
    proc = subprocess.Popen(
        args, env=dict(env, HUNTER_LANG="tr"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    _wait_for_rows(db, 3)
    proc.send_signal(getattr(signal, how))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == (130 if how == "SIGINT" else 143), err
    assert "şimdiye kadarki sonuçlar kaydedildi. Devam etmek için: " in err and (
        "okundu ama taranmadı" in err or "satır okunmadı" in err
    ), err
    assert ("yarıda kesildi" if how == "SIGINT" else "sonlandırıldı (SIGTERM)") in err
    assert "Tarama özeti" in err
    assert not english_in(err, path, db, tmp_path), (english_in(err, path, db, tmp_path), err)


def test_the_backup_and_vacuum_refusals_are_said_in_turkish(hunter, db, tmp_path):
    hunter.scan_json("firma.com.tr")
    dest = tmp_path / "kopya.db"
    assert hunter("db", "backup", str(dest)).exit_code == 0
    err = _turkish(hunter("db", "backup", str(dest), env=TR), dest, code=1)
    assert "zaten var" in err and "--force" in err
    err = _turkish(hunter("db", "backup", str(db), "--force", env=TR), db, code=1)
    assert "veritabanının kendisi" in err
    err = _turkish(hunter("db", "backup", str(tmp_path / "yok" / "kopya.db"), env=TR), tmp_path, code=1)
    assert "klasörü yok" in err
    with _bulk_scan_lock(db):
        err = _turkish(hunter("db", "vacuum", env=TR), db, code=1)
    assert "toplu bir tarama" in err and "`hunter db vacuum`" in err


def test_the_import_summary_is_turkish_under_hunter_lang(hunter, tmp_path):
    p = tmp_path / "firmalar.txt"
    p.write_text("Firma Adı, Web Sitesi\nAcme Ltd, acme.com.tr\nali@gmail.com\nacme.com.tr\n", encoding="utf-8")
    err = _turkish(hunter("import", str(p), env=TR), p, code=0)
    assert "İçe aktarma özeti" in err and "Eklenen müşteri adayı" in err and "bireysel e-posta hizmeti" in err
    empty = tmp_path / "bos.txt"
    empty.write_text("ali@gmail.com\n", encoding="utf-8")
    err = _turkish(hunter("import", str(empty), env=TR), empty, code=1)
    assert "girdide geçerli bir alan adı yok" in err
    assert "Import summary" in hunter("import", str(p)).stderr  # English stays English
