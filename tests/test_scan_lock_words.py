"""What a scan says while another program holds SQLite's write lock, and the rate it gives afterwards
(trial 15): the Turkish waiting line blamed "another hunter process" when a plain sqlite3 held the lock (the
English says "another process"), and 1 domain in 3.9 s read "saniyede 0" / "(0/s)", as if nothing was scanned."""

from __future__ import annotations

import re
import sqlite3
import threading

import pytest


@pytest.mark.parametrize(
    "lang, waiting, rate",
    [
        ("tr", "veritabanı kilitli: başka bir işlem", r"1 alan adı, \d,\d sn'de \(saniyede 0,\d\)"),
        ("en", "another process has held the write lock", r"1 domain in \d\.\d s \(0\.\d/s\)"),
    ],
)
def test_a_lock_held_by_another_program_is_not_blamed_on_hunter_and_the_slow_rate_has_a_decimal(
    hunter, db, lang, waiting, rate
):
    hunter.scan_json("firma.com.tr")
    holder = sqlite3.connect(db, isolation_level=None, timeout=30, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(3.4, lambda: holder.execute("ROLLBACK"))  # the waiting line comes after 3 s
    release.start()
    try:
        result = hunter(
            "scan", "nomail.com", "--no-whois", "--lang", lang, env={"HUNTER_DB_WAIT": "20", "COLUMNS": "200"}
        )
    finally:
        release.join()
        holder.close()
    assert result.exit_code == 0, result.stderr
    err = re.sub(r"\s+", " ", result.stderr)
    assert waiting in err and "hunter işlemi" not in err and "hunter process" not in err, err
    assert re.search(rate, err), err


@pytest.mark.parametrize(
    "scanned, seconds, key",
    [
        (1, 3.9, "scan.summary.rate_tenths"),  # 0.3/s
        (25, 3.0, "scan.summary.rate_tenths"),  # 8.3/s
        (100, 5.0, "scan.summary.rate"),  # 20/s
        (1, 30.0, "scan.summary.rate_none"),  # 0.03/s would read 0.0
        (1, 0.0, "scan.summary.rate_none"),
        (0, 3.0, "scan.summary.rate"),  # nothing scanned: 0/s is true
    ],
)
def test_the_rate_is_never_a_zero_for_something_scanned(scanned, seconds, key):
    from hunter_cli.render.scan_tables import _rate_key

    assert _rate_key(scanned, seconds) == key


@pytest.mark.parametrize(
    "lang, said",
    [
        ("en", "interrupted while waiting for another process to release"),
        ("tr", "başka bir işlemin bırakması beklenirken durduruldu"),
    ],
)
def test_ctrl_c_while_another_program_holds_the_write_lock_says_nothing_was_scanned(hunter_cmd, db, hunter, lang, said):
    """trial 23 (B4): Ctrl-C while a scan waited for another program's write lock exited 130 with no word
    after the waiting line; now it says that nothing was scanned or stored and how to go on."""
    hunter.scan_json("firma.com.tr")
    code, err = _interrupted_while_locked(hunter_cmd, db, ["scan", "nomail.com", "--no-whois", "--lang", lang])
    assert code == 130, err
    assert said in err, err


def _interrupted_while_locked(hunter_cmd, db, args: list[str], wait: str = "60") -> tuple[int, str]:
    """``hunter ARGS`` as a real process while another program holds the write lock, sent SIGINT once it waits;
    returns its exit status and stderr (spaces joined)."""
    import signal
    import subprocess
    import time

    holder = sqlite3.connect(db, isolation_level=None, timeout=30, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    base, env = hunter_cmd
    try:
        proc = subprocess.Popen(
            base + args,
            env={**env, "HUNTER_DB_WAIT": wait, "COLUMNS": "200"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        time.sleep(2.0)  # started, and waiting for the write lock (a real wait: the lock is another process's)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    return proc.returncode, re.sub(r"\s+", " ", err)


@pytest.mark.parametrize(
    "args, said",
    [
        (["tag", "firma.com.tr", "vip"], "interrupted while waiting for another process to release"),
        (["note", "firma.com.tr", "call back", "--lang", "tr"], "beklenirken durduruldu: hiçbir şey değiştirilmedi"),
        (["rescore"], "interrupted while waiting for another process to release"),
    ],
    ids=["tag", "note-tr", "rescore"],
)
def test_ctrl_c_while_a_writing_command_waits_for_the_lock_says_nothing_was_changed(hunter_cmd, db, hunter, args, said):
    """trial 25 F12: `tag` and `note` (and every writing command that waits on the write lock) ended Ctrl-C in
    silence, exit 130; now one line says that nothing was changed."""
    hunter.scan_json("firma.com.tr")
    code, err = _interrupted_while_locked(hunter_cmd, db, args)
    assert code == 130, err
    assert said in err and "Traceback" not in err, err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM tags WHERE source = 'user'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0


def test_a_scan_interrupted_while_waiting_ends_its_log(hunter_cmd, db, hunter, tmp_path):
    """trial 25 F12: the --log-file of a scan stopped while it waited for the lock ends with its "run ended" line."""
    hunter.scan_json("firma.com.tr")
    log = tmp_path / "scan.log"
    code, err = _interrupted_while_locked(hunter_cmd, db, ["--log-file", str(log), "scan", "nomail.com", "--no-whois"])
    assert code == 130, err
    last = log.read_text().splitlines()[-1]
    assert "run ended interrupted (exit 130): interrupted while waiting" in last, last


def test_a_scan_that_gives_up_waiting_ends_its_log(hunter, db, tmp_path):
    """trial 25 F12: ... and one that gave up after HUNTER_DB_WAIT, with why."""
    hunter.scan_json("firma.com.tr")
    log = tmp_path / "scan.log"
    holder = sqlite3.connect(db, isolation_level=None, timeout=30, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    try:
        out = hunter("--log-file", str(log), "scan", "nomail.com", "--no-whois", env={"HUNTER_DB_WAIT": "0.5"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert out.exit_code == 1, out.stderr
    last = log.read_text().splitlines()[-1]
    assert "run ended failed (exit 1): another process held the write lock" in last, last
