"""The schema a new database starts with: what :data:`~.schema.MIGRATIONS` build from nothing, as statements.

A new file (`hunter prep` on a first run, a first `hunter scan`) would otherwise run all the
migrations, and those from 7 on run on sqlite-utils, whose import (click, pluggy, dateutil)
costs about 80 ms of CPU before a single table exists. :func:`~.schema.migrate` creates a new
file from ``fresh-schema.json`` (beside this module: ``version``, the last migration it stands
for, and ``statements``) in one transaction and records every migration as applied, when that
version is the last migration's; otherwise it runs the migrations as for any file.

The file is generated, never edited: ``python -m hunter_cli.store.fresh`` writes it again from
the migrations (after adding one), and ``tests/test_startup.py`` fails while it is out of date or
while a new file made from it differs in anything (tables, indexes, triggers, views, the search
index's own tables) from one the migrations made.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

FILE = Path(__file__).with_name("fresh-schema.json")


def load() -> tuple[int, list[str]]:
    """(version, statements) of ``fresh-schema.json``; (0, []) when it is missing or unreadable."""
    try:
        data = json.loads(FILE.read_text("utf-8"))
        return int(data["version"]), [str(s) for s in data["statements"]]
    except (OSError, ValueError, KeyError, TypeError):
        return 0, []


def schema_statements(conn: sqlite3.Connection) -> list[str]:
    """The statements that made every table, index, trigger and view of ``conn``, in the order they
    were made, leaving out what SQLite makes by itself (automatic indexes, the tables behind a
    full-text index, ``sqlite_sequence``) and ``schema_migrations`` (made by :func:`~.schema.migrate`)."""
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY rowid").fetchall()
    virtual = [name for _, name, sql in rows if sql and sql.upper().startswith("CREATE VIRTUAL TABLE")]
    own = {f"{name}_{part}" for name in virtual for part in ("data", "idx", "content", "docsize", "config")}
    own |= {"schema_migrations", "sqlite_sequence"}
    return [sql for _, name, sql in rows if sql and name not in own]


def generate() -> dict:
    """``fresh-schema.json``'s content, from a database the migrations built from nothing."""
    from .schema import latest_version, migrate

    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate(conn, fresh=False)
        return {"version": latest_version(), "statements": schema_statements(conn)}
    finally:
        conn.close()


if __name__ == "__main__":
    FILE.write_text(json.dumps(generate(), indent=1) + "\n", "utf-8")
