"""How tags compare: the way a Turkish user reads them, whatever the case or keyboard.

A tag is stored as it was first typed (lower case, Turkish İ/I rules for non-ASCII:
``SIÇAK`` -> ``sıçak``), and compared by its :func:`~hunter_cli.store.search.fold`, the key
``--search`` already uses: İ, I, ı and i are one letter and ş/ç/ğ/ö/ü match s/c/g/o/u. So
``--tag SICAK``, ``--tag sicak`` and ``untag acme.com.tr SICAK`` all find the tag ``sıcak``
(an ASCII keyboard cannot type ı, and ``"SICAK".lower()`` is ``sicak``). Adding a tag whose
key is already stored reuses the stored spelling, so one tag never gets two.

The ``tags`` table keeps its schema (no migration): a query finds the stored spellings of the
keys asked for with a loose index scan of ``tags_tag`` (one index seek per distinct tag,
https://www.sqlite.org/lang_with.html, "Outlandish Recursive Query Examples"), then matches
rows by those spellings through the same index. The connection needs ``hunter_fold``
(:func:`register`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from .search import fold

# Every distinct stored tag, one index seek each (tags_tag is on (tag, domain)).
_DISTINCT_TAGS = (
    "WITH RECURSIVE spelt(tag) AS (SELECT min(tag) FROM tags"
    " UNION ALL SELECT (SELECT min(tag) FROM tags WHERE tag > spelt.tag) FROM spelt WHERE spelt.tag IS NOT NULL)"
    " SELECT tag FROM spelt WHERE tag IS NOT NULL"
)


def tag_key(tag: str) -> str:
    """The key a tag is compared by: ``"SICAK"``, ``"sıcak"``, ``"Sıcak"`` -> ``"sicak"``."""
    return fold(tag) or ""


def register(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Give ``conn`` the ``hunter_fold`` SQL function the tag queries call."""
    conn.create_function("hunter_fold", 1, fold, deterministic=True)
    return conn


def spellings_sql(keys: Iterable[str], params: list) -> str:
    """A subquery of the stored spellings of tag ``keys`` (already :func:`tag_key`), for ``tag IN (...)``."""
    keys = list(keys)
    params.extend(keys)
    return f"{_DISTINCT_TAGS} AND hunter_fold(tag) IN ({', '.join('?' * len(keys))})"


def stored_spellings(conn: sqlite3.Connection, tags: Iterable[str]) -> dict[str, str]:
    """``{key: stored spelling}`` for those of ``tags`` already stored under another spelling or the same.

    Where an old database holds two spellings of one key, the one with Turkish letters is chosen."""
    keys = {tag_key(t) for t in tags}
    if not keys:
        return {}
    register(conn)
    params: list = []
    out: dict[str, str] = {}
    for (tag,) in conn.execute(spellings_sql(sorted(keys), params), params):
        key = tag_key(tag)
        if key not in out or (out[key].isascii() and not tag.isascii()):
            out[key] = tag
    return out
