"""The scan lock between real hunter processes: a bulk scan waits for a prep's one-domain scan, two
bulk scans still refuse each other, and every refusal names what really holds the lock."""

from __future__ import annotations

import subprocess
import time

from test_store import _slow_list, _wait_for_rows

from hunter_cli.store.scanlock import Holder, ScanLock, holder_of


def _start(hunter_cmd, dns, *args, env=None):
    base, base_env = hunter_cmd
    return subprocess.Popen(
        base + [*args, "--nameserver", dns.nameserver, "--timeout", "3"],
        env=dict(base_env, **(env or {})),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _held_by(db, kind: str, deadline: float = 20.0) -> Holder:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        who = holder_of(db)
        if who.kind == kind:
            return who
        time.sleep(0.02)
    raise AssertionError(f"no {kind} took the scan lock")


def _slow_prep(hunter_cmd, dns, db, domain: str, delay: float = 2.0, env=None):
    dns.faults[(domain, "MX")] = ("delay", delay)
    prep = _start(hunter_cmd, dns, "prep", domain, "--max-age", "0s", "--no-whois", env=env)
    assert _held_by(db, "prep") == Holder("prep", domain)
    return prep


def test_a_bulk_scan_waits_for_a_prep_and_says_so(hunter_cmd, dns, db, tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text("gmailer.de\nnomail.com\n")
    prep = _slow_prep(hunter_cmd, dns, db, "firma.com.tr")
    scan = _start(hunter_cmd, dns, "scan", str(listing))
    out, err = scan.communicate(timeout=60)
    prep_out, prep_err = prep.communicate(timeout=60)
    assert prep.returncode == 0, prep_err
    assert scan.returncode == 0, err
    assert "a prep of firma.com.tr is writing to" in err and "waiting" in err
    # both stored: the prep's domain and the list
    assert "firma.com.tr" in prep_out


def test_the_wait_is_said_in_turkish(hunter_cmd, dns, db, tmp_path):
    prep = _slow_prep(hunter_cmd, dns, db, "firma.com.tr")
    scan = _start(hunter_cmd, dns, "scan", "gmailer.de", env={"HUNTER_LANG": "tr"})
    _, err = scan.communicate(timeout=60)
    prep.communicate(timeout=60)
    assert scan.returncode == 0, err
    assert "firma.com.tr için çalışan hunter prep yazıyor" in " ".join(err.split())


def test_the_wait_is_bounded_by_hunter_db_wait(hunter_cmd, dns, db):
    prep = _slow_prep(hunter_cmd, dns, db, "firma.com.tr", delay=2.5)
    started = time.monotonic()
    scan = _start(hunter_cmd, dns, "scan", "gmailer.de", env={"HUNTER_DB_WAIT": "0.5"})
    _, err = scan.communicate(timeout=60)
    took = time.monotonic() - started
    prep.communicate(timeout=60)
    assert scan.returncode == 1, err
    assert "a prep of firma.com.tr is writing to" in err and "another hunter scan" not in err
    assert took < 2.5  # gave up before the prep ended


def test_a_second_prep_waits_for_the_first_and_rescans(hunter_cmd, dns, db):
    first = _slow_prep(hunter_cmd, dns, db, "firma.com.tr")
    second = _start(hunter_cmd, dns, "prep", "gmailer.de", "--max-age", "0s", "--no-whois")
    out, err = second.communicate(timeout=60)
    first.communicate(timeout=60)
    assert second.returncode == 0, err  # not 5: a prep is not a bulk scan
    assert "bulk scan" not in err
    assert "gmailer.de" in out


def test_two_bulk_scans_still_refuse_the_second(hunter_cmd, dns, db, tmp_path):
    path, names = _slow_list(dns, tmp_path, n=300, delay=0.05)
    first = _start(hunter_cmd, dns, "scan", str(path), "-c", "2")
    try:
        _wait_for_rows(db, 1)
        started = time.monotonic()
        second = _start(hunter_cmd, dns, "scan", "gmailer.de")
        _, err = second.communicate(timeout=60)
        assert first.poll() is None, "the first scan ended early; the test proves nothing"
        assert second.returncode == 1, err
        assert "a bulk scan is writing to" in err
        assert time.monotonic() - started < 10  # refused at once, not after a wait
    finally:
        first.terminate()
        first.communicate(timeout=60)


def test_refusals_name_a_rescan_and_a_vacuum(hunter, db):
    hunter("scan", "gmailer.de")
    for kind, words in (("rescan", "a rescan is writing"), ("vacuum", "a database vacuum is writing")):
        lock = ScanLock(db, Holder(kind))
        assert lock.try_acquire()
        try:
            scan = hunter("scan", "firma.com.tr")
            vacuum = hunter("db", "vacuum")
        finally:
            lock.release()
        assert scan.exit_code == 1 and words in scan.stderr, scan.stderr
        assert vacuum.exit_code != 0 and words in vacuum.stderr, vacuum.stderr


def test_a_holder_releasing_the_lock_is_waited_for_not_taken_for_an_unknown_one(tmp_path):
    """A prep gives the lock back holder file first: for that instant the lock has no holder that says what
    it is. A bulk scan waiting for the prep waits on through it (it refused at once after 0.5 s of waiting)."""
    import threading

    from hunter_cli.store.scanlock import holder_path

    db = tmp_path / "hunter.db"
    taken = threading.Event()

    def prep() -> None:  # taken and given back in one thread (filelock counts per thread)
        lock = ScanLock(db, Holder("prep", "firma.com.tr"))
        lock.acquire()
        taken.set()
        time.sleep(0.7)  # the bulk scan has waited past the first half second
        holder_path(db).unlink()  # what release() does first ...
        time.sleep(0.3)  # ... and the instant before the lock itself goes
        lock._lock.release()

    t = threading.Thread(target=prep)
    t.start()
    assert taken.wait(5)
    scan = ScanLock(db, Holder("scan"))
    try:
        scan.acquire(wait_limit=10)  # raised LockTaken(unknown) before
    finally:
        t.join()
    assert holder_of(db) == Holder("scan")
    scan.release()
