"""Run records: one ``runs`` row per scan, import or sync, and finding runs whose process died."""

from __future__ import annotations

import json
import os
import sqlite3

from .core import utcnow


# -- runs -------------------------------------------------------------------------
# A run's outcome: ok, failed (a fatal error, said in stats_json["error"]), interrupted
# (Ctrl-C or SIGTERM: what was received is stored) or crashed (the process died
# without finishing, found by the next process that opens the store for writing).
def _process() -> dict:
    import socket

    return {"pid": os.getpid(), "host": socket.gethostname()}


def start_run(conn: sqlite3.Connection, command: str) -> int:
    """Record a run as started; its pid and host let a later process tell whether it still runs."""
    cur = conn.execute(
        "INSERT INTO runs (command, started_at, stats_json) VALUES (?, ?, ?)",
        (command, utcnow(), json.dumps({"process": _process()})),
    )
    return int(cur.lastrowid or 0)


def finish_run(conn: sqlite3.Connection, run_id: int, outcome: str, stats: dict) -> None:
    conn.execute(
        "UPDATE runs SET finished_at = ?, outcome = ?, stats_json = ? WHERE id = ?",
        (utcnow(), outcome, json.dumps(stats, ensure_ascii=False), run_id),
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def mark_crashed_runs(conn: sqlite3.Connection, commands: tuple[str, ...] = ()) -> int:
    """Mark unfinished runs whose process is gone as ``crashed``; returns how many.

    A run is gone when it was started on this host by a pid that no longer exists, or,
    for the commands in ``commands``, unconditionally: the caller holds the lock every
    live run of those commands holds (``scan`` runs hold the scan lock).
    """
    host = _process()["host"]
    gone = []
    for run_id, command, stats_text in conn.execute(
        "SELECT id, command, stats_json FROM runs WHERE finished_at IS NULL AND outcome IS NULL"
    ).fetchall():
        try:
            proc = (json.loads(stats_text) or {}).get("process") or {} if stats_text else {}
        except ValueError:
            proc = {}
        if command in commands or (
            proc.get("host") == host and isinstance(proc.get("pid"), int) and not _alive(proc["pid"])
        ):
            gone.append((run_id, proc))
    for run_id, proc in gone:
        conn.execute(
            "UPDATE runs SET outcome = 'crashed', finished_at = ?, stats_json = ? WHERE id = ? AND finished_at IS NULL",
            (
                utcnow(),
                json.dumps(
                    {
                        "process": proc,
                        "error": "the process ended without finishing the run",
                        "stored": conn.execute("SELECT count(*) FROM scans WHERE run_id = ?", (run_id,)).fetchone()[0],
                    }
                ),
                run_id,
            ),
        )
    return len(gone)
