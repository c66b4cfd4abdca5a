"""The store writer as its own process (bulk lists): the thread writer's guarantees, kept.

A scan of an input file of ``BULK_INPUT_BYTES`` or more hands its results to a child
interpreter that runs the transactions (docs/performance.md, "Both cores"). These
tests run real scans as subprocesses against the loopback DNS server and check, for
that writer: every printed result is stored, SIGTERM and Ctrl-C keep what was
received and give the usual exit codes, another process's write lock is waited for
and reported, a lock held too long fails the scan clearly, a killed scan leaves no
writer behind, and the stored leads are the same as the thread writer stores.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from test_store import _wait_for_rows, rows
from test_store_faults import Scan, assert_clean, stored, write_lock_held

from hunter_cli.services.scan import BULK_INPUT_BYTES
from hunter_cli.store.packing import loads


def _bulk_list(dns, tmp_path: Path, n: int, delay: float, name: str = "bulk.txt") -> tuple[Path, list[str]]:
    """``n`` slow domains in a file padded with comment lines past the bulk threshold."""
    names = [f"slow{i}.com" for i in range(n)]
    for domain in names:
        dns.faults[(domain, "MX")] = ("delay", delay)
    pad = "# " + "-" * 78 + "\n"
    header = pad * (BULK_INPUT_BYTES // len(pad) + 1)
    path = tmp_path / name
    path.write_text(header + "\n".join(names) + "\n")
    assert path.stat().st_size >= BULK_INPUT_BYTES
    return path, names


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the processes whose parent is ``pid``."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        if ppid == pid:
            out.append((int(entry), cmdline))
    return out


def _started(pid: int, marker: str, count: int = 1, deadline: float = 60.0) -> list[int]:
    """The children of ``pid`` whose command line holds ``marker``, once ``count`` of them have started
    (a loaded machine starts Python slowly)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        found = [p for p, cmdline in _children(pid) if marker in cmdline]
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} processes running {marker} were started")


def _writer_of(scan: Scan) -> int:
    return _started(scan.proc.pid, "_child_main")[0]


def _gone(pid: int, deadline: float = 30.0) -> bool:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            return True
        if state == "Z":  # exited; its parent has not reaped it (yet)
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc to find the writer process")
class TestWriterProcess:
    def test_a_bulk_scan_stores_from_a_writer_process_everything_it_prints(self, hunter_cmd, dns, db, tmp_path):
        path, names = _bulk_list(dns, tmp_path, n=80, delay=0.03)
        scan = Scan(hunter_cmd, dns, [path], "-c", "4")
        writer = _writer_of(scan)
        code, err = scan.finish()
        assert code == 0, err
        assert_clean(err)
        assert scan.printed() == set(names) == stored(db)
        assert rows(db, "SELECT count(*) FROM scans")[0][0] == len(names)  # each stored once
        (outcome, stats) = rows(db, "SELECT outcome, stats_json FROM runs")[0]
        assert outcome == "ok" and json.loads(stats)["stored"] == len(names)
        assert _gone(writer)
        # the lead rows, facts and automatic tags are written as the thread writes them
        assert rows(db, "SELECT count(*) FROM domains WHERE current_view IS NOT NULL AND last_scan_id IS NOT NULL")[0][
            0
        ] == len(names)

    @pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C"])
    def test_a_stopped_bulk_scan_stores_what_was_received(self, hunter_cmd, dns, db, tmp_path, how):
        path, names = _bulk_list(dns, tmp_path, n=150, delay=0.05)
        scan = Scan(hunter_cmd, dns, [path], "-c", "2", preexec_fn=os.setsid if how == "Ctrl-C" else None)
        writer = _writer_of(scan)
        _wait_for_rows(db, 3)
        if how == "SIGTERM":
            scan.proc.send_signal(signal.SIGTERM)
        else:  # the terminal sends SIGINT to the whole foreground group: the writer too
            os.killpg(scan.proc.pid, signal.SIGINT)
        code, err = scan.finish(timeout=30)
        assert code == (143 if how == "SIGTERM" else 130), err
        assert_clean(err)
        (outcome, finished, stats) = rows(db, "SELECT outcome, finished_at, stats_json FROM runs")[0]
        assert outcome == "interrupted" and finished
        kept = stored(db)
        assert 0 < len(kept) < len(names)
        assert json.loads(stats)["stored"] == len(kept)  # the writer stored all it received, and said so
        assert scan.printed() <= kept
        assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"
        assert _gone(writer)

    def test_a_write_lock_held_for_seconds_is_waited_for_and_reported(self, hunter_cmd, dns, db, tmp_path):
        # slow enough (about 5 s) that most results are still to be stored when the lock is taken: these
        # names do not exist, and a name not in DNS is no longer asked of a registry, which took longer
        path, names = _bulk_list(dns, tmp_path, n=200, delay=0.1)
        scan = Scan(hunter_cmd, dns, [path], "-c", "4")
        _writer_of(scan)
        _wait_for_rows(db, 1)
        with write_lock_held(db):
            end = time.monotonic() + 5
            while time.monotonic() < end:
                assert scan.printed() <= stored(db)  # printed during the hold: already stored
                time.sleep(0.3)
            held_stored = stored(db)
        code, err = scan.finish()
        assert code == 0, err
        assert_clean(err)
        assert "waiting:" in err and "write lock" in err
        assert scan.printed() == set(names) == stored(db)
        assert len(held_stored) < len(names)
        assert rows(db, "SELECT count(*) FROM scans")[0][0] == len(names)
        (outcome, stats) = rows(db, "SELECT outcome, stats_json FROM runs")[0]
        assert outcome == "ok"
        assert json.loads(stats)["lock_waited_seconds"] >= 3

    def test_a_write_lock_held_past_hunter_db_wait_fails_the_bulk_scan_clearly(self, hunter_cmd, dns, db, tmp_path):
        path, names = _bulk_list(dns, tmp_path, n=200, delay=0.05)
        scan = Scan(hunter_cmd, dns, [path], "-c", "2", env={"HUNTER_DB_WAIT": "1"})
        writer = _writer_of(scan)
        _wait_for_rows(db, 1)
        with write_lock_held(db):
            time.sleep(3)
            assert scan.printed() <= stored(db)
        code, err = scan.finish()
        assert code == 1, err
        assert_clean(err)
        assert "held the write lock" in err and "gave up" in err and "were not stored" in err
        assert err.count("held the write lock") == 1 and "unexpectedly" not in err, err  # the reason, once
        assert scan.printed() <= stored(db)
        (outcome, stats) = rows(db, "SELECT outcome, stats_json FROM runs")[0]
        stats = json.loads(stats)
        assert outcome == "failed" and stats.get("unstored", 0) > 0 and "write lock" in stats["error"], (stats, err)
        assert _gone(writer)

    def test_a_killed_bulk_scan_leaves_no_writer_and_a_sound_database(self, hunter, hunter_cmd, dns, db, tmp_path):
        path, names = _bulk_list(dns, tmp_path, n=120, delay=0.05)
        scan = Scan(hunter_cmd, dns, [path], "-c", "2")
        writer = _writer_of(scan)
        _wait_for_rows(db, 2)
        scan.proc.send_signal(signal.SIGKILL)
        scan.finish()
        assert _gone(writer, deadline=15), "the writer outlived the scan it wrote for"
        assert scan.printed() <= stored(db)
        assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"
        assert hunter("tag", "firma.com.tr", "vip").exit_code == 0
        assert rows(db, "SELECT outcome FROM runs")[0][0] == "crashed"
        # the next scan takes the list up again and finishes it
        code, err = Scan(hunter_cmd, dns, [path], "-c", "20", "--max-age", "1h").finish()
        assert code == 0, err
        assert stored(db) == set(names)


def _views(db: Path) -> dict[str, tuple]:
    """Each lead's stored view (scan time left out), fact columns, tags, change events and cached tenant."""
    conn = sqlite3.connect(db)
    try:
        out = {}
        for domain, text, *facts in conn.execute(
            "SELECT domain, current_view, provider, gateway, score, category, dmarc_policy, spf_all, dkim, "
            "spf_result, dkim_state, state FROM domains"
        ):
            view = loads(text)
            view.pop("scanned_at", None)
            tags = sorted(t for (t,) in conn.execute("SELECT tag FROM tags WHERE domain = ?", (domain,)))
            events = sorted(
                (k, o, n) for k, o, n in conn.execute("SELECT kind, old, new FROM events WHERE domain = ?", (domain,))
            )
            cached = conn.execute("SELECT tenant_json FROM tenant_cache WHERE domain = ?", (domain,)).fetchone()
            tenant = json.loads(cached[0]) if cached and cached[0] else (None if cached is None else "none")
            raw = conn.execute(
                "SELECT raw_json FROM scans WHERE domain = ? ORDER BY id DESC LIMIT 1", (domain,)
            ).fetchone()[0]
            out[domain] = (json.dumps(view, sort_keys=True), tuple(facts), tags, events, tenant, raw)
        return out
    finally:
        conn.close()


def test_the_writer_process_stores_what_the_writer_thread_stores(hunter, dns, tmp_path):
    """Same list, once small (thread) and once padded (process), each scanned, then rescanned with --quick."""
    expected = json.loads((Path(__file__).parent / "zones" / "providers_expected.json").read_text())
    names = sorted(expected)
    small = tmp_path / "small.txt"
    small.write_text("\n".join(names) + "\n")
    big = tmp_path / "big.txt"
    pad = "# " + "-" * 78 + "\n"
    big.write_text(pad * (BULK_INPUT_BYTES // len(pad) + 1) + "\n".join(names) + "\n")
    thread_db, process_db = tmp_path / "thread.db", tmp_path / "process.db"
    for extra in ((), ("--quick",)):  # the rescan with --quick keeps the stored footprint (raw says so)
        for path, db in ((small, thread_db), (big, process_db)):
            pool = ("--processes", "2") if path is big else ()  # the big list: two scan workers too
            result = hunter("scan", str(path), "--db", str(db), "--no-whois", "-q", *extra, *pool)
            assert result.exit_code == 0, result.stderr
    a, b = _views(thread_db), _views(process_db)
    assert set(a) == set(names)
    assert any(v[4] is not None for v in a.values())  # tenant lookups were made and cached
    assert any(json.loads(v[0]).get("microsoft") for v in a.values())  # the footprint survived the quick rescan
    assert a == b


def test_a_writer_process_that_dies_fails_the_scan_and_says_what_was_not_stored(tmp_path):
    """The child gone mid-run (killed from outside): close() raises, nothing is claimed as stored."""
    from hunter_cli import store
    from hunter_cli.models import DomainResult

    db = tmp_path / "w.db"
    conn = store.connect(db, write=True)
    run_id = store.start_run(conn, "scan")
    conn.close()
    printed: list[str] = []
    writer = store.ResultWriter(db, run_id, batch_size=5, max_delay=0.05, on_stored=printed.extend, process=True)
    first = DomainResult(domain="a.com", status="ok", scanned_at="2026-01-01T00:00:00+00:00", provider="unknown")
    writer.put(first)
    end = time.monotonic() + 10
    while writer.stats.written < 1 and time.monotonic() < end:
        time.sleep(0.02)
    assert writer.stats.written == 1 and len(printed) == 1
    writer._child.kill()
    writer._child.wait()
    with pytest.raises(store.StoreError, match="writer process"):
        for i in range(50):
            writer.put(first.model_copy(update={"domain": f"b{i}.com"}))
            time.sleep(0.01)
        writer.close()
    with pytest.raises(store.StoreError):
        writer.close()
    assert writer.stats.unstored == writer.pending  # whatever was put after the first is counted as not stored
    assert len(printed) == 1  # nothing else was claimed as stored
    assert sqlite3.connect(db).execute("SELECT count(*) FROM scans").fetchone()[0] == 1


def test_the_writer_process_s_own_error_wins_over_its_closed_pipe(tmp_path, monkeypatch):
    """The child gives up on a held write lock, says why and exits; the sender meets the closed pipe
    before the receiver has read why. The writer must still fail with the child's reason, never with
    'ended unexpectedly' (a full suite run once printed only that). The receiver is held inside
    ``on_wait`` (it reads the child's reports in order) until the sender has met the closed pipe, so
    the order is the one that went wrong, every time."""
    from hunter_cli import store

    monkeypatch.setenv("HUNTER_DB_WAIT", "1.5")  # one wait report (after a 1 s busy timeout), then it gives up
    db = tmp_path / "w.db"
    store.connect(db, write=True).close()
    reading, release = threading.Event(), threading.Event()

    def on_wait(seconds: float, pending: int) -> None:
        reading.set()
        release.wait(timeout=60)

    writer = store.ResultWriter(db, None, batch_size=1, max_delay=0.01, on_wait=on_wait, process=True)
    closing: list[BaseException | None] = []

    def close() -> None:
        try:
            writer.close()
            closing.append(None)
        except BaseException as exc:  # noqa: BLE001 - looked at below
            closing.append(exc)

    try:
        with write_lock_held(db):
            writer.put_lead("a.com", "A")
            assert reading.wait(timeout=30), "the writer process never reported the lock"
            assert writer._child.wait(timeout=30) == 0  # it gave up, reported and exited
        closer = threading.Thread(target=close)
        closer.start()  # the sender sends the end of the run into the closed pipe and finishes
        writer._thread.join(timeout=30)
        assert not writer._thread.is_alive()
        assert writer.error is None or "gave up" in str(writer.error), writer.error
    finally:
        release.set()
    closer.join(timeout=30)
    assert len(closing) == 1 and isinstance(closing[0], store.StoreBusy), closing
    assert "held the write lock" in str(closing[0]) and "unexpectedly" not in str(closing[0])
    assert writer.stats.unstored_other == 1


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc to find the writer process")
def test_the_scan_waits_for_a_store_that_is_behind(hunter_cmd, dns, db, tmp_path):
    """Names that cost a few questions each are scanned faster than they are stored; a held write lock
    makes the store fall behind at once. The scan must wait (at most BACKLOG results handed over and not
    stored, plus those in flight), not queue every result in memory: a million dead names took 235 MB."""
    from hunter_cli.store.writer import BACKLOG

    n, concurrency = 3 * BACKLOG + 2_500, 100  # more than a fast machine scans before the lock is taken
    names = [f"gone{i}.com" for i in range(n)]  # not in any zone: NXDOMAIN, four questions each
    path = tmp_path / "dead.txt"
    path.write_text("\n".join(names) + "\n")
    assert path.stat().st_size >= BULK_INPUT_BYTES
    scan = Scan(hunter_cmd, dns, [path], "-c", str(concurrency), "--no-tenant", "--no-whois")
    _writer_of(scan)
    _wait_for_rows(db, 1)
    with write_lock_held(db):
        before = len(stored(db))
        time.sleep(3)  # without the wait, every name is scanned well within this
        asked = sum(1 for name in names if dns.count(name, "MX"))
    code, err = scan.finish()
    assert code == 0, err
    assert asked <= before + BACKLOG + concurrency + 1, (asked, before)
    assert asked < n, before
    assert stored(db) == set(names)  # then everything, once the lock is gone


def test_a_report_that_cannot_be_read_fails_the_writer_and_never_hangs_it(tmp_path):
    """A report of the writer process that does not unpickle (its receiver thread died on it before) left the
    child blocked on a pipe nobody read and the run reported as a success. Now it is the writer's error, and
    the receiver goes on reading, so close() returns. The real child and pipe; the one garbled report is
    made by turning the next report the receiver reads into the error unpickling raises."""
    import pickle

    from hunter_cli import store

    db = tmp_path / "w.db"
    store.connect(db, write=True).close()
    writer = store.ResultWriter(db, None, batch_size=1, max_delay=0.01, process=True)
    real = writer._recv

    class Garbled:
        calls = 0

        def recv(self):
            msg = real.recv()
            Garbled.calls += 1
            if Garbled.calls == 1:
                raise pickle.UnpicklingError(f"garbled report {msg[0]!r}")
            return msg

        def close(self):
            real.close()

    writer._recv = Garbled()
    for name in ("a.com", "b.com", "c.com"):
        writer.put_lead(name, name.upper())
    closer = threading.Thread(target=lambda: pytest.raises(store.StoreError, writer.close))
    closer.start()
    closer.join(timeout=30)
    assert not closer.is_alive(), "close() hung on the writer process"
    assert isinstance(writer.error, store.StoreError) and "could not be read" in str(writer.error), writer.error
    assert writer._child.returncode == 0  # the child finished its work: nothing blocked it
