"""Superseded scan results: kept as deltas against a newer result of the same domain.

Each scan row (``scans``) keeps the result it produced. The last good scan's result is the domain's
current view and is stored once, in ``domains.current_view`` (``scans.result`` NULL, migration 8).
When the domain is scanned again, that view goes back into its scan row. Since schema migration 19 it
goes back as a delta (:func:`hunter_cli.store.packing.pack_delta`) against the result of the newer scan
that replaced it, named by ``scans.result_base``: week-apart results of a company that changed nothing
differ only in their time, so each kept scan costs about 60 bytes of result instead of about 370.

A delta's base may itself be a delta (each rescan adds one link), so reading an old result follows
the chain up to a full result: a value with no base, or the current view. ``result_base`` is a
foreign key, so nothing can remove a base while a delta still needs it: ``hunter db prune`` first
re-packs the deltas that lean on the scans it removes (:func:`release`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

from .packing import PackError, pack, pack_delta, unpack, unpack_delta

MAX_CHAIN = 100_000  # links followed before a chain is called damaged (a loop cannot be written, but a file can be)


def result_text(conn: sqlite3.Connection, scan_id: int) -> str | None:
    """The JSON text of scan ``scan_id``'s result, following its deltas (None: no such scan).

    Raises PackError when a value on the way is damaged, a base is missing, or the chain loops."""
    deltas: list[tuple[int, bytes]] = []
    sid = scan_id
    while True:
        row = conn.execute(
            "SELECT s.result, s.result_base, d.current_view FROM scans s LEFT JOIN domains d"
            " ON d.domain = s.domain AND s.result IS NULL WHERE s.id = ?",
            (sid,),
        ).fetchone()
        if row is None:
            if sid == scan_id:
                return None
            raise PackError(f"scan {deltas[-1][0]}'s result is stored against scan {sid}, which is gone")
        result, base, view = row
        if result is None:  # this scan's result is the current view
            text = unpack(view)
            if text is None:
                raise PackError(f"scan {sid}'s result is the domain's current view, which is empty")
            break
        if base is None:
            text = unpack(result)
            if text is None:
                raise PackError(f"scan {sid}'s result is empty")
            break
        deltas.append((sid, result))
        if len(deltas) > MAX_CHAIN:
            raise PackError(f"scan {scan_id}'s result is stored in a chain of deltas that does not end")
        sid = base
    for _sid, delta in reversed(deltas):
        text = unpack_delta(delta, text)
    return text


def supersede(conn: sqlite3.Connection, scan_id: int, text: str, base_id: int, base_text: str) -> None:
    """Store ``text`` (the view scan ``scan_id`` produced, just replaced) in that scan's row as a delta
    against scan ``base_id``'s result, whose text is ``base_text``; in the caller's transaction."""
    conn.execute(
        "UPDATE scans SET result = ?, result_base = ? WHERE id = ?", (pack_delta(text, base_text), base_id, scan_id)
    )


def release(conn: sqlite3.Connection, ids: Iterable[int], gone: set[int] | None = None) -> int:
    """Before the scans ``ids`` are deleted: re-pack every scan not in ``gone`` (all the scans about to go,
    default ``ids``) whose delta leans on one of them, against the first scan along its chain that stays
    (whole when there is none), so no result is lost; in the caller's transaction. Returns how many were
    re-packed. Raises PackError when a result on the way is damaged."""
    ids = tuple(ids)
    gone = set(ids) if gone is None else gone
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    leaning = conn.execute(
        f"SELECT id, result_base FROM scans WHERE result_base IN ({marks}) ORDER BY id DESC", ids
    ).fetchall()
    moved = 0
    for sid, _base in leaning:
        if sid in gone:
            continue
        text = result_text(conn, sid)
        assert text is not None
        base = _surviving_base(conn, sid, gone)
        if base is None:
            conn.execute("UPDATE scans SET result = ?, result_base = NULL WHERE id = ?", (pack(text), sid))
        else:
            base_text = result_text(conn, base)
            assert base_text is not None
            supersede(conn, sid, text, base, base_text)
        moved += 1
    return moved


def _surviving_base(conn: sqlite3.Connection, scan_id: int, gone: set[int]) -> int | None:
    """The first scan along ``scan_id``'s chain of bases that is not in ``gone`` (None: the chain ends inside)."""
    sid = scan_id
    for _ in range(MAX_CHAIN):
        row = conn.execute("SELECT result_base FROM scans WHERE id = ?", (sid,)).fetchone()
        if row is None or row[0] is None:
            return None
        sid = row[0]
        if sid not in gone:
            return sid
    raise PackError(f"scan {scan_id}'s result is stored in a chain of deltas that does not end")


def stored_results(conn: sqlite3.Connection) -> Iterator[tuple[int, str | None, PackError | None]]:
    """Every scan's stored result (the rows whose ``result`` is not NULL) as ``(scan id, JSON text, None)``, or
    ``(scan id, None, error)`` when it cannot be read; a domain's newest first, so a delta's base (a newer scan) is
    usually read just before it and kept for it: each value is inflated once."""
    deltas = "result_base" in {r[1] for r in conn.execute("PRAGMA table_info(scans)")}
    rows = conn.execute(
        f"SELECT id, domain, result, {'result_base' if deltas else 'NULL'} FROM scans WHERE result IS NOT NULL"
        " ORDER BY domain, scanned_at DESC, id DESC"
    )
    domain = None
    texts: dict[int, str] = {}
    for sid, dom, result, base in rows:
        if dom != domain:
            domain, texts = dom, {}
        try:
            if base is None:
                text = unpack(result)
            else:
                base_text = texts.get(base)
                if base_text is None:
                    base_text = result_text(conn, base)
                    if base_text is None:
                        raise PackError(f"its result is stored against scan {base}, which is gone")
                text = unpack_delta(result, base_text)
        except PackError as exc:
            yield sid, None, exc
            continue
        if text is not None:
            texts[sid] = text
        yield sid, text, None
