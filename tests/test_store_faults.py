"""Faults of processes and the store, injected over real files and real processes.

Each test here is one line of docs/reliability.md ("The store and processes"):
signals, the scan lock, another process holding the write lock, a full disk, a
newer schema, damage in the middle of the file, read-only files and folders,
crashed runs, and `hunter db backup` / `hunter db check`. Nothing in Hunter is
mocked: scans run as subprocesses against the loopback DNS server, the disk is
a small tmpfs, damage is written into the file's bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import read_only_folder
from test_store import _slow_list, _wait_for_rows, rows

from hunter_cli import store


# -- helpers -----------------------------------------------------------------------
class Scan:
    """A `hunter scan --json` subprocess whose stdout lines are collected as they are printed."""

    def __init__(self, hunter_cmd, dns, inputs, *extra, env=None, preexec_fn=None, cwd=None):
        base, base_env = hunter_cmd
        args = base + ["scan", *map(str, inputs), "--json", "--nameserver", dns.nameserver, "--timeout", "2", *extra]
        self.proc = subprocess.Popen(
            args,
            env=dict(base_env, **(env or {})),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=preexec_fn,
            cwd=cwd,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def printed(self) -> set[str]:
        return {json.loads(line)["domain"] for line in list(self.lines)}

    def finish(self, timeout: float = 60) -> tuple[int, str]:
        err = self.proc.stderr.read()
        self.proc.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return self.proc.returncode, err


def stored(db) -> set[str]:
    return {r[0] for r in rows(db, "SELECT DISTINCT domain FROM scans")}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_clean(result_or_err: str) -> None:
    assert "Traceback" not in result_or_err
    assert "cannot rollback" not in result_or_err


# -- SIGTERM -------------------------------------------------------------------------
def _ignore_sigint() -> None:
    # what a job started with `&` from a non-interactive shell (cron, scripts) inherits
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("sigint", ["default", "ignored"])
def test_sigterm_stores_what_was_received_marks_the_run_and_exits_143(hunter_cmd, dns, db, tmp_path, sigint):
    path, names = _slow_list(dns, tmp_path, n=150, delay=0.05)
    scan = Scan(hunter_cmd, dns, [path], "-c", "2", preexec_fn=_ignore_sigint if sigint == "ignored" else None)
    _wait_for_rows(db, 3)
    scan.proc.send_signal(signal.SIGTERM)
    code, err = scan.finish(timeout=30)
    assert code == 143, err
    assert_clean(err)
    assert "SIGTERM" in err
    (outcome, finished, stats) = rows(db, "SELECT outcome, finished_at, stats_json FROM runs")[0]
    assert outcome == "interrupted" and finished
    stats = json.loads(stats)
    assert stats["signal"] == "SIGTERM"
    kept = stored(db)
    assert 0 < len(kept) < len(names)
    assert stats["stored"] == len(kept)
    assert scan.printed() <= kept  # every printed result is in the store
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"


def test_after_sigterm_a_rerun_with_max_age_finishes_the_list(hunter_cmd, dns, db, tmp_path):
    path, names = _slow_list(dns, tmp_path, n=60, delay=0.05)
    scan = Scan(hunter_cmd, dns, [path], "-c", "2")
    _wait_for_rows(db, 2)
    scan.proc.terminate()
    code, err = scan.finish(timeout=30)
    assert code == 143, err
    first = stored(db)
    dns.reset_log()
    again = Scan(hunter_cmd, dns, [path], "-c", "20", "--max-age", "1h")
    code, err = again.finish()
    assert code == 0, err
    assert stored(db) == set(names)
    assert not again.printed() & first  # what SIGTERM had stored was not scanned again
    assert sum(dns.count(n, "MX") for n in first) == 0


# -- the scan lock follows the real file -------------------------------------------------
def test_a_second_scan_through_another_spelling_of_the_path_is_refused(hunter_cmd, dns, db, tmp_path):
    path, names = _slow_list(dns, tmp_path, n=400, delay=0.05)  # stopped with SIGTERM once the test is done
    base, env = hunter_cmd
    (tmp_path / "x").mkdir()
    (tmp_path / "link.db").symlink_to(db)
    (tmp_path / "alias").symlink_to(tmp_path, target_is_directory=True)
    spellings = {
        "symlink to the file": (tmp_path / "link.db", None),
        "x/..": (tmp_path / "x" / ".." / db.name, None),
        "relative from another folder": (Path("..") / db.name, tmp_path / "x"),
        "through a symlinked folder": (tmp_path / "alias" / db.name, None),
        "doubled slashes and dots": (Path(str(tmp_path) + "//./" + db.name), None),
    }
    first = Scan(hunter_cmd, dns, [path], "-c", "2")
    try:
        _wait_for_rows(db, 1)
        for label, (other, cwd) in spellings.items():
            second = subprocess.run(
                base + ["scan", names[-1], "--db", str(other), "--nameserver", dns.nameserver, "--timeout", "2"],
                env=env,
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert first.proc.poll() is None, "the first scan ended early; the test proves nothing"
            assert second.returncode == 1, (label, second.stderr)
            assert "a bulk scan is writing" in second.stderr, label
    finally:
        first.proc.terminate()
        code, err = first.finish()
    assert code == 143, err
    # nothing was scanned twice, and only the first scan ran
    assert rows(db, "SELECT count(*) - count(DISTINCT domain) FROM scans")[0][0] == 0
    assert rows(db, "SELECT count(*) FROM runs")[0][0] == 1


# -- another process holds the write lock ------------------------------------------------
@contextlib.contextmanager
def write_lock_held(db):
    """A second connection holding SQLite's write lock (BEGIN IMMEDIATE) until the block ends."""
    holder = sqlite3.connect(db, isolation_level=None, timeout=30)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield holder
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_write_lock_held_for_seconds_loses_nothing_printed_and_is_reported(hunter_cmd, dns, db, tmp_path):
    # about 5 s of scanning, so most results arrive while the lock is held (the names do not exist in DNS)
    path, names = _slow_list(dns, tmp_path, n=200, delay=0.1)
    scan = Scan(hunter_cmd, dns, [path], "-c", "4")
    _wait_for_rows(db, 1)
    printed_during_hold = set()
    with write_lock_held(db):
        end = time.monotonic() + 6
        while time.monotonic() < end:
            seen = scan.printed()
            # printed while the lock is held: each one must already be stored
            assert seen <= stored(db)
            printed_during_hold |= seen
            time.sleep(0.3)
        held_stored = stored(db)
    code, err = scan.finish()
    assert code == 0, err
    assert_clean(err)
    assert "waiting:" in err and "write lock" in err
    assert scan.printed() == set(names) == stored(db)
    assert len(held_stored) < len(names)  # results did arrive during the hold and waited for it
    assert rows(db, "SELECT count(*) FROM scans")[0][0] == len(names)  # each stored once
    (outcome, stats) = rows(db, "SELECT outcome, stats_json FROM runs")[0]
    assert outcome == "ok"
    assert json.loads(stats)["lock_waited_seconds"] >= 4


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_write_lock_held_past_hunter_db_wait_fails_the_scan_clearly(hunter_cmd, dns, db, tmp_path, lang):
    path, names = _slow_list(dns, tmp_path, n=200, delay=0.05)
    scan = Scan(hunter_cmd, dns, [path], "-c", "2", env={"HUNTER_DB_WAIT": "1", "HUNTER_LANG": lang})
    _wait_for_rows(db, 1)
    with write_lock_held(db):
        time.sleep(3)
        assert scan.printed() <= stored(db)
    code, err = scan.finish()
    assert code == 1, err
    assert_clean(err)
    if lang == "tr":  # the whole line in Turkish, what was lost included (it was English joined to Turkish)
        assert "beklemekten vazgeçildi" in err and "veritabanına yazılmadı" in err, err
        assert "were not stored" not in err and "results and" not in err, err
    else:
        assert "held the write lock" in err and "gave up" in err and "were not stored" in err
        assert err.count("held the write lock") == 1 and "unexpectedly" not in err, err  # the reason, once
    assert scan.printed() <= stored(db)
    (outcome, stats) = rows(db, "SELECT outcome, stats_json FROM runs")[0]
    stats = json.loads(stats)
    assert outcome == "failed" and stats.get("unstored", 0) > 0 and "write lock" in stats["error"], (stats, err)


class Timed:
    """A `hunter` subprocess whose stderr lines are collected with the second each arrived."""

    def __init__(self, hunter_cmd, *args, env=None):
        base, base_env = hunter_cmd
        self.start = time.monotonic()
        self.proc = subprocess.Popen(
            base + list(map(str, args)),
            env=dict(base_env, **(env or {})),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.err: list[tuple[float, str]] = []
        self.out = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.err.append((time.monotonic() - self.start, line))

    def first(self, text: str) -> float | None:
        return next((t for t, line in list(self.err) if text in line), None)

    def finish(self, timeout: float = 60) -> tuple[int, float, str]:
        self.out = self.proc.stdout.read()
        self.proc.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return self.proc.returncode, time.monotonic() - self.start, "".join(line for _, line in self.err)


def test_a_write_lock_held_when_the_scan_starts_is_reported_within_seconds(hunter_cmd, dns, db):
    # SQLite's 30 s busy timeout used to swallow the first 30 s: nothing said, HUNTER_DB_WAIT ignored.
    store.connect(db).close()
    with write_lock_held(db):
        run = Timed(hunter_cmd, "scan", "firma.com.tr", "gmailer.de", "--nameserver", dns.nameserver, "--no-whois")
        time.sleep(7)
        said = run.first("waiting:")
    code, elapsed, err = run.finish()
    assert code == 0, err
    assert_clean(err)
    assert said is not None and 2.5 <= said <= 6, (said, err)
    assert "write lock" in err and "HUNTER_DB_WAIT" in err
    stats = json.loads(rows(db, "SELECT stats_json FROM runs")[0][0])
    # the run's time includes the wait (the lock is held 7 s from the start of the process; the
    # process's own start-up, up to a second or two on a loaded machine, is not in the run's time)
    assert stats["seconds"] >= 5
    assert stored(db) == {"firma.com.tr", "gmailer.de"}


@pytest.mark.parametrize("command", ["scan", "tag", "note", "import"])
def test_hunter_db_wait_bounds_a_write_lock_held_from_the_start(hunter_cmd, dns, db, tmp_path, command):
    store.connect(db).close()
    leads = tmp_path / "leads.csv"
    leads.write_text("Firma,Web Sitesi\nA,a-corp.com\n")
    args = {
        "scan": ["scan", "firma.com.tr", "--nameserver", dns.nameserver, "--no-whois", "--no-tenant"],
        "tag": ["tag", "firma.com.tr", "sıcak"],
        "note": ["note", "firma.com.tr", "aradık"],
        "import": ["import", str(leads)],
    }[command]
    with write_lock_held(db):
        run = Timed(hunter_cmd, *args, env={"HUNTER_DB_WAIT": "2"})
        code, elapsed, err = run.finish(timeout=30)
    assert code == 1, err
    assert_clean(err)
    assert elapsed < 6, elapsed
    text = " ".join(err.split())
    assert "held the write lock" in text and "gave up waiting (HUNTER_DB_WAIT=2 s)" in text, err


def test_a_tag_that_waits_for_the_write_lock_says_so_then_succeeds(hunter, hunter_cmd, db):
    store.connect(db).close()
    with write_lock_held(db):
        run = Timed(hunter_cmd, "tag", "firma.com.tr", "sıcak")
        time.sleep(5)
        said = run.first("waiting:")
    code, elapsed, err = run.finish(timeout=30)
    assert code == 0, err
    assert_clean(err)
    assert said is not None and 2.5 <= said <= 5, (said, err)
    assert rows(db, "SELECT tag FROM tags WHERE domain = 'firma.com.tr' AND source = 'user'") == [("sıcak",)]


# -- a full disk ------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (root only); yields its folder and unmounts it afterwards."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(folder: Path, leave: int) -> None:
    """Write a filler file until only about ``leave`` bytes are free."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    with open(folder / "filler", "wb") as f:
        f.write(b"\0" * max(0, free - leave))


def test_a_full_disk_is_reported_clearly_and_keeps_what_was_stored(hunter, hunter_cmd, dns, small_disk, tmp_path):
    db = small_disk / "hunter.db"
    first = hunter.scan_json("firma.com.tr", "--db", str(db))
    assert first["firma.com.tr"]["provider"] == "m365"
    before = rows(db, "SELECT current_view FROM domains WHERE domain = 'firma.com.tr'")
    _fill(small_disk, 160 * 1024)
    names = [f"bulk{i}-filler.com" for i in range(400)]
    listing = tmp_path / "bulk.txt"
    listing.write_text("\n".join(names) + "\n")
    scan = Scan(hunter_cmd, dns, [listing], "-c", "50", "--no-tenant", "--no-whois", env={"HUNTER_DB": str(db)})
    code, err = scan.finish()
    assert code == 1, err
    assert_clean(err)
    assert "is full" in err
    (small_disk / "filler").unlink()  # room again: the file must be intact and hold what it held
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"
    assert rows(db, "SELECT current_view FROM domains WHERE domain = 'firma.com.tr'") == before
    assert scan.printed() <= stored(db)
    assert len(stored(db)) < len(names)


def test_import_and_tag_on_a_full_disk_say_so(hunter, small_disk, tmp_path):
    db = small_disk / "hunter.db"
    from hunter_cli import store

    store.connect(db).close()  # `hunter tag` changes a database, never creates one
    assert hunter("tag", "firma.com.tr", "vip", "--db", str(db)).exit_code == 0
    _fill(small_disk, 48 * 1024)
    big = tmp_path / "leads.csv"
    big.write_text(
        "Firma,Web Sitesi\n" + "".join(f"Firma {i} Anonim Şirketi,firma{i}-ornek.com.tr\n" for i in range(20000))
    )
    result = hunter("import", str(big), "--db", str(db))
    assert result.exit_code == 1
    assert_clean(result.stderr)
    assert "is full" in result.stderr
    (small_disk / "filler").unlink()
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"
    assert rows(db, "SELECT tag FROM tags WHERE domain = 'firma.com.tr'") == [("vip",)]


def test_a_disk_with_no_byte_left_is_said_to_be_full_not_an_io_error(hunter, small_disk):
    """trial 23 (B1): at 0 bytes free SQLite cannot create the WAL index beside the file and says "disk I/O
    error"; the user is told the disk is full, and nothing stored is touched."""
    db = small_disk / "hunter.db"
    hunter.scan_json("firma.com.tr", "--db", str(db))
    for extra in small_disk.glob("hunter.db-*"):
        extra.unlink(missing_ok=True)  # the WAL index is made again by the next command
    _fill(small_disk, 0)
    for args in (["leads"], ["scan", "firma.com.tr", "--no-whois"]):
        result = hunter(*args, "--db", str(db))
        assert result.exit_code == 1, (args, result.stderr)
        assert_clean(result.stderr)
        assert "is full" in result.stderr and "I/O" not in result.stderr, (args, result.stderr)
    (small_disk / "filler").unlink()
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"
    assert rows(db, "SELECT provider FROM domains WHERE domain = 'firma.com.tr'") == [("m365",)]


# -- a database from a newer Hunter ------------------------------------------------------
def test_a_newer_schema_is_refused_for_writing_and_read_with_a_warning(hunter, db, tmp_path):
    hunter.scan_json("firma.com.tr")
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO schema_migrations VALUES (42, 'from the future', '2031-01-01')")
    conn.commit()
    conn.close()
    counts = rows(db, "SELECT (SELECT count(*) FROM scans), (SELECT count(*) FROM runs), (SELECT count(*) FROM tags)")
    listing = tmp_path / "l.txt"
    listing.write_text("yeni-firma.com.tr\n")
    for args in (
        ["scan", "nomail.com"],
        ["tag", "firma.com.tr", "vip"],
        ["note", "firma.com.tr", "aradım"],
        ["import", str(listing)],
        ["rescore"],
    ):
        result = hunter(*args)
        assert result.exit_code == 1, (args, result.stderr)
        assert_clean(result.stderr)
        assert "schema version 42" in result.stderr, args
        assert f"knows up to {store.latest_version()}" in result.stderr, args
    assert (
        rows(db, "SELECT (SELECT count(*) FROM scans), (SELECT count(*) FROM runs), (SELECT count(*) FROM tags)")
        == counts
    )
    listed = hunter("leads", "--format", "ndjson")
    assert listed.exit_code == 0 and "firma.com.tr" in listed.stdout
    assert "newer Hunter" in listed.stderr
    for args in (["leads", "show", "firma.com.tr"], ["sales-summary", "firma.com.tr"], ["explain", "firma.com.tr"]):
        result = hunter(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert "firma" in result.stdout.lower()
    checked = hunter("db", "check")
    assert checked.exit_code == 1 and "newer" in checked.stdout + checked.stderr


# -- damage in the middle of the file -----------------------------------------------------
def _damage(db: Path, how: str) -> None:
    """Overwrite bytes of a leaf page of the domains table, in the middle of the file."""
    conn = sqlite3.connect(db)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    try:
        pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'domains' AND pagetype = 'leaf'")]
    except sqlite3.OperationalError:  # SQLite built without dbstat: the middle page of the file
        pages = [conn.execute("PRAGMA page_count").fetchone()[0] // 2]
    conn.close()
    page = pages[len(pages) // 2]
    with open(db, "r+b") as f:
        if how == "garbage-page":
            f.seek((page - 1) * size)
            f.write(os.urandom(size))
        elif how == "cell-pointers":
            f.seek((page - 1) * size + 8)
            f.write(b"\xff\xf0" * 4)
        else:  # record bytes of some rows zeroed
            f.seek((page - 1) * size + size * 3 // 4)
            f.write(b"\0" * 200)


@pytest.mark.parametrize("how", ["garbage-page", "cell-pointers", "zeroed-records"])
def test_damage_mid_file_is_found_at_open_and_nothing_writes_into_it(hunter, db, tmp_path, how):
    listing = tmp_path / "leads.txt"
    listing.write_text("".join(f"firma{i}-ornek.com.tr\n" for i in range(3000)))
    assert hunter("import", str(listing)).exit_code == 0
    hunter.scan_json("firma.com.tr")
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"
    _damage(db, how)
    digest = sha256(db)
    for args in (
        ["scan", "nomail.com"],
        ["import", str(listing)],
        ["tag", "firma.com.tr", "vip"],
        ["note", "firma.com.tr", "not"],
        ["rescore"],
    ):
        result = hunter(*args)
        assert result.exit_code == 1, (args, result.stderr)
        assert_clean(result.stderr)
        assert "damaged" in result.stderr, (args, result.stderr)
        assert sha256(db) == digest, f"{args} wrote into a damaged file"
    checked = hunter("db", "check")
    assert checked.exit_code == 1
    assert "DAMAGED" in checked.stdout
    assert_clean(checked.stderr)
    listed = hunter("leads", "--limit", "0", "--format", "ndjson")  # reading may fail, but clearly
    assert_clean(listed.stderr)


# -- read-only files and folders ----------------------------------------------------------
@pytest.fixture
def read_only_db(hunter, db, tmp_path):
    """The test database, scanned, then seen through a read-only folder (a read-only bind mount as root)."""
    hunter.scan_json("firma.com.tr")
    assert hunter("note", "firma.com.tr", "Ayşe Hanım'ı ara").exit_code == 0
    with sqlite3.connect(db) as conn:  # a scan from last week: `prep` would want to refresh it
        conn.execute("UPDATE domains SET last_good_at = '2026-01-05T09:30:00+00:00' WHERE domain = 'firma.com.tr'")
    with read_only_folder(db.parent, tmp_path / "ro", files=(db,)) as folder:
        yield folder / db.name


def test_a_read_only_database_refuses_writes_clearly_and_still_reads(hunter, read_only_db, tmp_path):
    listing = tmp_path.parent / f"{tmp_path.name}-list.txt"
    listing.write_text("yeni-firma.com.tr\n")
    before = sha256(read_only_db)
    for args in (
        ["scan", "nomail.com"],
        ["tag", "firma.com.tr", "vip"],
        ["untag", "firma.com.tr", "vip"],
        ["note", "firma.com.tr", "tekrar ara"],
        ["import", str(listing)],
        ["rescore"],
    ):
        result = hunter(*args, "--db", str(read_only_db))
        assert result.exit_code == 1, (args, result.stderr)
        assert_clean(result.stderr)
        assert "read-only" in result.stderr, (args, result.stderr)
    assert sha256(read_only_db) == before
    db = str(read_only_db)
    listed = hunter("leads", "--format", "ndjson", "--db", db)
    assert listed.exit_code == 0 and json.loads(listed.stdout)["domain"] == "firma.com.tr"
    shown = hunter("leads", "show", "firma.com.tr", "--json", "--db", db)
    assert shown.exit_code == 0 and json.loads(shown.stdout)["notes"][0]["text"] == "Ayşe Hanım'ı ara"
    brief = hunter("sales-summary", "firma.com.tr", "--json", "--db", db)
    assert brief.exit_code == 0 and "firma.com.tr" in brief.stdout
    explained = hunter("explain", "firma.com.tr", "--json", "--db", db)
    assert explained.exit_code == 0 and json.loads(explained.stdout)["domain"] == "firma.com.tr"
    changes = hunter("changes", "--json", "--db", db)
    assert changes.exit_code == 0 and json.loads(changes.stdout) == []
    assert hunter("db", "check", "--db", db).exit_code == 0
    # prep cannot store a rescan here: the stored brief, a warning and exit 5 (never a lock-file traceback)
    stale = hunter("prep", "firma.com.tr", "--max-age", "0s", "--db", db)
    assert stale.exit_code == 5, stale.stderr
    assert_clean(stale.stderr)
    assert "read-only" in stale.stderr and "showing the scan of 5 January 2026" in stale.stderr
    assert "firma.com.tr" in stale.stdout
    never = hunter("prep", "yeni-firma.com.tr", "--db", db)
    assert never.exit_code == 1 and "read-only" in never.stderr
    assert_clean(never.stderr)
    assert sha256(read_only_db) == before


# -- crashed runs ----------------------------------------------------------------------
def test_a_killed_scan_is_logged_as_crashed_by_the_next_process(hunter, hunter_cmd, dns, db, tmp_path):
    path, names = _slow_list(dns, tmp_path, n=100, delay=0.05)
    scan = Scan(hunter_cmd, dns, [path], "-c", "2")
    _wait_for_rows(db, 2)
    scan.proc.send_signal(signal.SIGKILL)
    scan.finish()
    assert rows(db, "SELECT outcome, finished_at FROM runs") == [(None, None)]
    assert scan.printed() <= stored(db)  # the batch lost with the process was never printed
    # a command that is not a scan finds the dead process's run
    assert hunter("tag", "firma.com.tr", "vip").exit_code == 0
    (run_id, outcome, stats) = rows(db, "SELECT id, outcome, stats_json FROM runs")[0]
    assert outcome == "crashed"
    stats = json.loads(stats)
    assert stats["stored"] == rows(db, "SELECT count(*) FROM scans WHERE run_id = ?", run_id)[0][0] > 0
    assert stats["process"]["pid"] == scan.proc.pid
    checked = hunter("db", "check")
    assert checked.exit_code == 0 and "1 crashed" in checked.stdout


def test_a_live_scan_is_not_marked_crashed_by_another_command(hunter, hunter_cmd, dns, db, tmp_path):
    path, names = _slow_list(dns, tmp_path, n=400, delay=0.05)
    scan = Scan(hunter_cmd, dns, [path], "-c", "2")
    _wait_for_rows(db, 1)
    assert hunter("note", "firma.com.tr", "arandı").exit_code == 0
    assert scan.proc.poll() is None
    assert rows(db, "SELECT outcome FROM runs") == [(None,)]
    scan.proc.terminate()
    code, err = scan.finish()
    assert code == 143, err
    assert rows(db, "SELECT outcome FROM runs") == [("interrupted",)]


# -- hunter db backup / hunter db check ---------------------------------------------------
def test_db_backup_while_a_scan_writes_is_a_sound_consistent_copy(hunter_cmd, dns, db, tmp_path):
    path, names = _slow_list(dns, tmp_path, n=160, delay=0.05)
    base, env = hunter_cmd
    scan = Scan(hunter_cmd, dns, [path], "-c", "2")
    _wait_for_rows(db, 2)
    copies = []
    for i in range(2):
        dest = tmp_path / f"backup{i}.db"
        r = subprocess.run(base + ["db", "backup", str(dest)], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert "backed up" in r.stdout
        copies.append(dest)
        time.sleep(0.2)
    running = scan.proc.poll() is None
    code, err = scan.finish()
    assert code == 0, err
    assert running, "the scan ended before the backups; the test proves nothing"
    counts = []
    for dest in copies:
        assert not Path(str(dest) + "-wal").exists()
        conn = sqlite3.connect(dest)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == store.latest_version()
        # consistent: every scan row has its domain row, every domain's last scan is in the copy
        assert (
            conn.execute(
                "SELECT count(*) FROM scans s LEFT JOIN domains d USING (domain) WHERE d.domain IS NULL"
            ).fetchone()[0]
            == 0
        )
        assert (
            conn.execute(
                "SELECT count(*) FROM domains d LEFT JOIN scans s ON s.id = d.last_scan_id WHERE d.last_scan_id IS NOT NULL AND s.id IS NULL"
            ).fetchone()[0]
            == 0
        )
        counts.append(conn.execute("SELECT count(*) FROM scans").fetchone()[0])
        conn.close()
    assert 0 < counts[0] <= counts[-1] < len(names)
    assert stored(db) == set(names)


def test_db_backup_refuses_to_overwrite_or_to_copy_onto_itself(hunter, db, tmp_path):
    hunter.scan_json("firma.com.tr")
    dest = tmp_path / "copy.db"
    assert hunter("db", "backup", str(dest)).exit_code == 0
    again = hunter("db", "backup", str(dest))
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert hunter("db", "backup", str(dest), "--force").exit_code == 0
    (tmp_path / "alias.db").symlink_to(db)
    onto = hunter("db", "backup", str(tmp_path / "alias.db"), "--force")
    assert onto.exit_code == 1 and "the database itself" in onto.stderr
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"
    assert hunter("leads", "show", "firma.com.tr", "--db", str(dest)).exit_code == 0
    nowhere = hunter("db", "backup", str(tmp_path / "no-such-folder" / "copy.db"))
    assert nowhere.exit_code == 1 and "does not exist" in nowhere.stderr and "Traceback" not in nowhere.stderr
    assert not (tmp_path / "no-such-folder").exists()


def test_db_check_reports_a_sound_database(hunter, db):
    hunter.scan_json("firma.com.tr")
    result = hunter("db", "check")
    assert result.exit_code == 0, result.stderr
    assert "integrity:      ok" in result.stdout
    assert f"schema version: {store.latest_version()}" in result.stdout
    data = json.loads(hunter("db", "check", "--json", "--quick").stdout)
    assert data["healthy"] and data["problems"] == [] and data["schema_version"] == store.latest_version()
    missing = hunter("db", "check", "--db", str(db.parent / "nowhere.db"))
    assert missing.exit_code == 1 and "no database" in missing.stderr
    assert not (db.parent / "nowhere.db").exists()


def test_db_check_reads_every_packed_result(hunter, db):
    """A packed result whose bytes were changed inside a sound page: SQLite's checks pass, the zlib
    checksum does not (hunter_cli/store/packing.py); `db check` names the row and exits 1."""
    hunter.scan_json("firma.com.tr", "gmailer.de")
    conn = sqlite3.connect(db)
    (stored,) = conn.execute("SELECT current_view FROM domains WHERE domain = 'gmailer.de'").fetchone()
    damaged = bytearray(stored)
    damaged[len(damaged) // 2] ^= 0x55
    conn.execute("UPDATE domains SET current_view = ? WHERE domain = 'gmailer.de'", (bytes(damaged),))
    conn.commit()
    conn.close()
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"
    result = hunter("db", "check", "--json")
    assert result.exit_code == 1, result.stderr
    problems = json.loads(result.stdout)["problems"]
    assert len(problems) == 1 and "gmailer.de's current view cannot be read" in problems[0]
    assert hunter("db", "check", "--json", "--quick").exit_code == 0  # the quick check reads pages only
    shown = hunter("leads", "show", "gmailer.de")
    assert shown.exit_code == 1 and "a stored result is damaged" in shown.stderr and "db check" in shown.stderr
    assert hunter("leads", "show", "firma.com.tr").exit_code == 0  # the others read as before
    hunter.scan_json("gmailer.de")  # a rescan replaces the damaged view; the scan that made it keeps what is left
    assert hunter("leads", "show", "gmailer.de").exit_code == 0
    after = json.loads(hunter("db", "check", "--json").stdout)["problems"]
    assert len(after) == 1 and after[0].startswith("scans: scan ") and "result cannot be read" in after[0]


def test_db_check_of_a_file_too_damaged_to_open_says_so_without_sending_you_back_to_itself(hunter, db, tmp_path):
    hunter.scan_json("firma.com.tr")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    cut = tmp_path / "cut.db"
    cut.write_bytes(db.read_bytes()[:5000])  # a copy cut short: the header promises pages that are not there
    result = hunter("db", "check", "--db", str(cut))
    assert result.exit_code == 1
    assert "cannot be read as a database" in result.stderr and "restore a backup" in result.stderr
    assert "db check" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["leads"],
        ["leads", "show", "firma.com.tr"],
        ["changes"],
        ["tag", "firma.com.tr", "vip"],
        ["db", "check"],
        ["scan", "firma.com.tr"],
        ["sales-summary", "firma.com.tr"],
    ],
)
def test_a_db_option_naming_a_folder_says_so(hunter, tmp_path, args):
    """Not "read-only", not a traceback: the folder is named as a folder (a fresh user's `--db /tmp`)."""
    folder = tmp_path / "folder"
    folder.mkdir()
    out = hunter(*args, "--db", str(folder))
    assert out.exit_code == 1, out.stderr
    assert f"{folder} is a folder, not a database file" in out.stderr
    assert "read-only" not in out.stderr and "Traceback" not in out.stderr
    assert list(folder.iterdir()) == []
