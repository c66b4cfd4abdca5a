"""The set of domains an input has given so far, exact and flat in memory whatever the input's size.

``hunter scan`` drops a domain that repeats an earlier line. A Python set of a million domains
costs about 100 MB (a string and a set slot each; a set of their 64-bit hashes still about 80
bytes a line, and a hash collision would drop a distinct domain). :class:`SeenDomains` keeps the
first :data:`SPILL_AT` domains in a set, then moves them into a private temporary SQLite file
(``sqlite3.connect("")``: deleted when closed, in the system's temporary folder) and goes on
there: a ``WITHOUT ROWID`` table keyed by the domain text itself, so membership is exact (whole
strings compared, no hashing), and memory stays at SQLite's page cache (:data:`CACHE_KIB`) however
many lines follow. About 30 bytes of temporary disk a domain; a few microseconds a line.

It also keeps the first company name an input gave each domain, and where (``a.csv:2``): a later row that
names the same domain under another company is said in the summary, not dropped without a word
(:meth:`name_of`, :meth:`set_name`; in memory, then in the same file).
"""

from __future__ import annotations

import sqlite3

SPILL_AT = 100_000  # domains kept in memory (about 10 MB) before the temporary file takes over
CACHE_KIB = 4096  # page cache of the temporary file


class SeenDomains:
    """``add(domain)`` is True the first time a domain is given, False for a repeat; ``len()`` counts them."""

    def __init__(self, spill_at: int | None = None):
        self.spill_at = SPILL_AT if spill_at is None else spill_at
        self._memory: set[str] | None = set()
        self._names: dict[str, tuple[str, str]] | None = {}  # domain -> (first company name, where), in memory
        self._db: sqlite3.Connection | None = None
        self._count = 0

    def add(self, domain: str) -> bool:
        if self._memory is not None:
            if domain in self._memory:
                return False
            self._memory.add(domain)
            self._count += 1
            if len(self._memory) >= self.spill_at:
                self._spill()
            return True
        assert self._db is not None
        new = self._db.execute("INSERT OR IGNORE INTO seen (domain) VALUES (?)", (domain,)).rowcount == 1
        self._count += new
        return new

    def __contains__(self, domain: str) -> bool:
        if self._memory is not None:
            return domain in self._memory
        assert self._db is not None
        return self._db.execute("SELECT 1 FROM seen WHERE domain = ?", (domain,)).fetchone() is not None

    def name_of(self, domain: str) -> tuple[str, str] | None:
        """(the first company name given for ``domain``, where it was), or None when no row named one."""
        if self._names is not None:
            return self._names.get(domain)
        assert self._db is not None
        row = self._db.execute("SELECT name, place FROM names WHERE domain = ?", (domain,)).fetchone()
        return None if row is None else (row[0], row[1])

    def set_name(self, domain: str, name: str, where: str) -> None:
        """Keep ``name`` (given at ``where``) as ``domain``'s first company name, unless it has one already."""
        if self._names is not None:
            self._names.setdefault(domain, (name, where))
            return
        assert self._db is not None
        self._db.execute("INSERT OR IGNORE INTO names (domain, name, place) VALUES (?, ?, ?)", (domain, name, where))

    def __len__(self) -> int:
        return self._count

    @property
    def on_disk(self) -> bool:
        return self._db is not None

    def _spill(self) -> None:
        db = sqlite3.connect("", isolation_level=None)  # "": a private temporary file, removed on close
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("CREATE TABLE seen (domain TEXT PRIMARY KEY) WITHOUT ROWID")
        db.execute("BEGIN")  # one transaction for the file's life: nothing here needs to survive
        db.executemany("INSERT INTO seen (domain) VALUES (?)", ((d,) for d in sorted(self._memory or ())))
        db.execute(
            "CREATE TABLE names (domain TEXT PRIMARY KEY, name TEXT NOT NULL, place TEXT NOT NULL) WITHOUT ROWID"
        )
        db.executemany(
            "INSERT INTO names VALUES (?, ?, ?)", ((d, n, w) for d, (n, w) in sorted((self._names or {}).items()))
        )
        self._memory = None
        self._names = None
        self._db = db

    def close(self) -> None:
        """Remove the temporary file (also when the input was not read to its end)."""
        if self._db is not None:
            self._db.close()
            self._db = None
