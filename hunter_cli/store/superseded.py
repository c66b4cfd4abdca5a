"""Superseded scans: their result and raw records kept as deltas against a newer scan of the same domain.

Each scan row (``scans``) keeps the result it produced and the raw records it read. The last good scan's
result is the domain's current view and is stored once, in ``domains.current_view`` (``scans.result``
NULL, migration 8); its raw records are JSON text in ``raw_json``. When the domain is scanned again, the
view goes back into its scan row. Since schema migration 19 it goes back as a delta
(:func:`hunter_cli.store.packing.pack_delta`) against the result of the newer scan that replaced it, named
by ``scans.result_base``, and the row's raw records become a delta against that scan's raw records (a
packed value where the newest scans hold text). Week-apart scans of a company that changed nothing differ
only in their time, so a kept scan costs about 60 bytes of result and 20 of raw records instead of about
370 and 300.

A base may itself be a delta (each rescan adds one link), so reading an old scan follows the chain up to
a whole value: a packed result with no base, the current view, or raw records as text. ``result_base``
is a foreign key, so nothing can remove a base while a delta still needs it: ``hunter db prune`` first
re-packs the scans that lean on the ones it removes (:func:`release`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

from .packing import PackError, pack, pack_delta, unpack, unpack_delta

MAX_CHAIN = 100_000  # links followed before a chain is called damaged (a loop cannot be written, but a file can be)
RESULT, RAW = "result", "raw_json"  # the two columns kept as deltas


def _whole(column: str, sid: int, value, base, view) -> tuple[bool, str | None]:
    """(True, text) when scan ``sid``'s ``column`` is stored whole, (False, None) when it is a delta on ``base``."""
    if column == RESULT:
        if value is None:  # the result is the current view
            text = unpack(view)
            if text is None:
                raise PackError(f"scan {sid}'s result is the domain's current view, which is empty")
            return True, text
        if base is None:
            text = unpack(value)
            if text is None:
                raise PackError(f"scan {sid}'s result is empty")
            return True, text
        return False, None
    if value is None or isinstance(value, str):  # raw records as text, or none kept
        return True, value
    if base is None:
        raise PackError(f"scan {sid}'s raw records are packed against no other scan")
    return False, None


def stored_text(conn: sqlite3.Connection, scan_id: int, column: str = RESULT) -> str | None:
    """The JSON text of scan ``scan_id``'s ``column`` (:data:`RESULT` or :data:`RAW`), following its deltas;
    None when there is no such scan (or, for raw records, none were kept).

    Raises PackError when a value on the way is damaged, a base is missing, or the chain loops."""
    deltas: list[bytes] = []
    sid = scan_id
    while True:
        row = conn.execute(
            f"SELECT s.{column}, s.result_base, d.current_view FROM scans s LEFT JOIN domains d"
            " ON d.domain = s.domain AND s.result IS NULL WHERE s.id = ?",
            (sid,),
        ).fetchone()
        if row is None:
            if sid == scan_id:
                return None
            raise PackError(f"scan {scan_id}'s {column} is stored against scan {sid}, which is gone")
        whole, text = _whole(column, sid, *row)
        if whole:
            break
        deltas.append(row[0])
        if len(deltas) > MAX_CHAIN:
            raise PackError(f"scan {scan_id}'s {column} is stored in a chain of deltas that does not end")
        sid = row[1]
    for delta in reversed(deltas):
        if text is None:
            raise PackError(f"scan {scan_id}'s {column} is stored against raw records that were not kept")
        text = unpack_delta(delta, text)
    return text


def result_text(conn: sqlite3.Connection, scan_id: int) -> str | None:
    """The JSON text of scan ``scan_id``'s result (:func:`stored_text`); None when there is no such scan."""
    return stored_text(conn, scan_id, RESULT)


def supersede(
    conn: sqlite3.Connection,
    scan_id: int,
    texts: tuple[str, str | None],
    base_id: int,
    base_texts: tuple[str, str | None],
) -> None:
    """Store scan ``scan_id``'s result and raw records (``texts``: the view it produced, just replaced, and
    its raw records' JSON or None) as deltas against scan ``base_id``'s (``base_texts``), in the caller's
    transaction. Raw records go whole (text) when either side has none."""
    if base_id <= scan_id:  # a base is always a later row: no chain can come back on itself
        raise PackError(f"scan {scan_id} cannot be stored against scan {base_id}, which is not a later one")
    result, raw = texts
    base_result, base_raw = base_texts
    packed_raw = raw if raw is None or base_raw is None else pack_delta(raw, base_raw)
    conn.execute(
        "UPDATE scans SET result = ?, raw_json = ?, result_base = ? WHERE id = ?",
        (pack_delta(result, base_result), packed_raw, base_id, scan_id),
    )


def release(conn: sqlite3.Connection, ids: Iterable[int], gone: set[int] | None = None) -> int:
    """Before the scans ``ids`` are deleted: re-pack every scan not in ``gone`` (all the scans about to go,
    default ``ids``) that leans on one of them, against the first scan along its chain that stays (whole
    when there is none), so no result or raw record is lost; in the caller's transaction. Returns how many
    were re-packed. Raises PackError when a value on the way is damaged."""
    ids = tuple(ids)
    gone = set(ids) if gone is None else gone
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    leaning = [r[0] for r in conn.execute(f"SELECT id FROM scans WHERE result_base IN ({marks}) ORDER BY id DESC", ids)]
    moved = 0
    for sid in leaning:
        if sid in gone:
            continue
        texts = _texts(conn, sid)
        base = _surviving_base(conn, sid, gone)
        if base is None:
            conn.execute(
                "UPDATE scans SET result = ?, raw_json = ?, result_base = NULL WHERE id = ?",
                (pack(texts[0]), texts[1], sid),
            )
        else:
            supersede(conn, sid, texts, base, _texts(conn, base))
        moved += 1
    return moved


def compact(conn: sqlite3.Connection, batch: int = 200) -> int:
    """Re-pack every scan still stored whole that has a later scan of the same domain (a later row: written
    before schema migration 19, or a failed scan's own result) as deltas against the next later one; ``batch`` domains a
    write transaction, so a scan waiting for the file waits little. Returns how many scans were re-packed.
    ``hunter db vacuum`` runs it first. Raises PackError when a value on the way is damaged."""
    from .core import rollback

    domains = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT s.domain FROM scans s WHERE s.result_base IS NULL AND s.result IS NOT NULL"
            " AND EXISTS (SELECT 1 FROM scans n WHERE n.domain = s.domain AND n.id > s.id)"
        )
    ]
    moved = 0
    for i in range(0, len(domains), batch):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for domain in domains[i : i + batch]:
                moved += _compact_domain(conn, domain)
            conn.execute("COMMIT")
        except BaseException:
            rollback(conn)
            raise
    return moved


def _compact_domain(conn: sqlite3.Connection, domain: str) -> int:
    """:func:`compact` for one domain's scans, newest first (each value read once: a base is at hand)."""
    texts: dict[int, tuple[str, str | None]] = {}

    def text_of(sid: int) -> tuple[str, str | None]:
        if sid not in texts:
            texts[sid] = _texts(conn, sid)
        return texts[sid]

    moved = 0
    newer = None
    # by id, the order the rows were written in and the writer's base order (a base is always a later row):
    # scanned_at may go back (a clock stepped back, a file moved between machines), and ordering by it made
    # two scans lean on each other (trial 31)
    rows = conn.execute(
        "SELECT id, result IS NOT NULL AND result_base IS NULL FROM scans WHERE domain = ? ORDER BY id DESC",
        (domain,),
    ).fetchall()
    for sid, whole in rows:
        if whole and newer is not None:
            supersede(conn, sid, text_of(sid), newer, text_of(newer))
            moved += 1
        newer = sid
    return moved


def _texts(conn: sqlite3.Connection, scan_id: int) -> tuple[str, str | None]:
    """Scan ``scan_id``'s result and raw records, as text."""
    result = stored_text(conn, scan_id, RESULT)
    if result is None:
        raise PackError(f"scan {scan_id} is gone")
    return result, stored_text(conn, scan_id, RAW)


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
    """Every scan's stored result and raw records (the rows whose ``result`` is not NULL) as ``(scan id, result
    JSON, None)``, or ``(scan id, None, error)`` when either cannot be read; a domain's newest first, so a
    delta's base (a newer scan) is usually read just before it and kept for it: each value is inflated once."""
    deltas = "result_base" in {r[1] for r in conn.execute("PRAGMA table_info(scans)")}
    rows = conn.execute(
        f"SELECT id, domain, result, raw_json, {'result_base' if deltas else 'NULL'} FROM scans"
        " WHERE result IS NOT NULL ORDER BY domain, scanned_at DESC, id DESC"
    )
    domain = None
    seen: dict[int, tuple[str, str | None]] = {}
    for sid, dom, result, raw, base in rows:
        if dom != domain:
            domain, seen = dom, {}
        try:
            if base is None:
                text = unpack(result)
                if text is None:
                    raise PackError("it is empty")
                if raw is not None and not isinstance(raw, str):
                    raise PackError("its raw records are packed against no other scan")
            else:
                base_texts = seen.get(base) or _texts(conn, base)
                text = unpack_delta(result, base_texts[0])
                if raw is not None and not isinstance(raw, str):
                    if base_texts[1] is None:
                        raise PackError(f"its raw records are stored against scan {base}, which kept none")
                    raw = unpack_delta(raw, base_texts[1])
        except PackError as exc:
            yield sid, None, exc
            continue
        seen[sid] = (text, raw)
        yield sid, text, None
