"""The schema and its migrations, as Python functions on sqlite-utils.

Each migration is ``(version, name, function)``; :func:`migrate` applies the
pending ones in order, each in its own ``BEGIN IMMEDIATE`` transaction with
``PRAGMA foreign_keys`` off (SQLite's own procedure for rebuilding tables:
https://www.sqlite.org/lang_altertable.html#otheralter), checks
``PRAGMA foreign_key_check`` before it commits, and records the version in the
``schema_migrations`` table that every Hunter since 0.1.0 keeps. Databases made
by any earlier release therefore upgrade in place on the next open.

Migrations 1 to 6 are the statements of the releases that made them, kept
verbatim so a new file and an upgraded one have the same tables. From 7 on a
migration is ordinary Python over :class:`sqlite_utils.Database` (which wraps the
same sqlite3 connection): ``table.transform()`` rebuilds tables to add foreign
keys, and triggers and views are plain statements, never a script split on ``;``.

Rules for new migrations: append, never edit one that has shipped; never run
``executescript`` (it commits the open transaction); a migration that rebuilds
``domains`` must first drop the ``leads`` view and the ``domains_ai/ad/au``
triggers and create them again afterwards (SQLite checks views and triggers
when a table is renamed); never ``INSERT OR REPLACE`` into ``domains`` (the
implicit delete would leave the search index stale on connections without
recursive triggers).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from .core import rollback, utcnow
from .search import search_text

if TYPE_CHECKING:  # imported when a migration runs: sqlite-utils costs ~70 ms to import
    import sqlite_utils

    from ..lead import Lead

Migration = Callable[["sqlite_utils.Database"], None]


def _run(statements: tuple[str, ...]) -> Migration:
    def apply(db: sqlite_utils.Database) -> None:
        for sql in statements:
            db.execute(sql)

    return apply


# -- 1: domains, scans and runs -----------------------------------------------
_V1_STATEMENTS = (
    """CREATE TABLE domains (
        domain TEXT PRIMARY KEY,
        domain_unicode TEXT,
        company TEXT,
        added_at TEXT NOT NULL,
        last_attempt_at TEXT,
        last_status TEXT,
        last_scan_id INTEGER,
        last_good_at TEXT,
        last_good_scan_id INTEGER,
        last_ok_at TEXT,
        provider TEXT,
        provider_name TEXT,
        gateway TEXT,
        dmarc_policy TEXT,
        spf_all TEXT,
        dkim INTEGER,
        tenant TEXT,
        score INTEGER,
        segment TEXT,
        category TEXT,
        current_json TEXT
    )""",
    "CREATE INDEX domains_provider ON domains(provider)",
    "CREATE INDEX domains_gateway ON domains(gateway)",
    "CREATE INDEX domains_category_score ON domains(category, score DESC)",
    "CREATE INDEX domains_last_ok ON domains(last_ok_at)",
    "CREATE INDEX domains_last_attempt ON domains(last_attempt_at)",
    """CREATE TABLE scans (
        id INTEGER PRIMARY KEY,
        domain TEXT NOT NULL REFERENCES domains(domain),
        run_id INTEGER REFERENCES runs(id),
        scanned_at TEXT NOT NULL,
        status TEXT NOT NULL,
        provider TEXT,
        gateway TEXT,
        result_json TEXT NOT NULL,
        raw_json TEXT,
        errors_json TEXT
    )""",
    "CREATE INDEX scans_domain_time ON scans(domain, scanned_at)",
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        command TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        outcome TEXT,
        stats_json TEXT
    )""",
)


# -- 2: tenant cache and registration data ------------------------------------
_V2_STATEMENTS = (
    """CREATE TABLE tenant_cache (
        domain TEXT PRIMARY KEY,
        fetched_at TEXT NOT NULL,
        tenant_json TEXT
    )""",
    """CREATE TABLE registrations (
        domain TEXT PRIMARY KEY,
        fetched_at TEXT NOT NULL,
        status TEXT NOT NULL,
        source TEXT,
        registrar TEXT,
        created TEXT,
        expires TEXT,
        data_json TEXT,
        error_json TEXT
    )""",
    "CREATE INDEX registrations_expires ON registrations(expires)",
    "ALTER TABLE domains ADD COLUMN tenant_id TEXT",
    "CREATE INDEX domains_tenant ON domains(tenant)",
)


# -- 3: tags, notes, change events and lead-list indexes ----------------------
_V3_STATEMENTS = (
    """CREATE TABLE tags (
        domain TEXT NOT NULL REFERENCES domains(domain),
        tag TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('user', 'auto')),
        added_at TEXT NOT NULL,
        PRIMARY KEY (domain, tag, source)
    )""",
    "CREATE INDEX tags_tag ON tags(tag, domain)",
    """CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        domain TEXT NOT NULL REFERENCES domains(domain),
        created_at TEXT NOT NULL,
        text TEXT NOT NULL
    )""",
    "CREATE INDEX notes_domain ON notes(domain, created_at)",
    """CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        domain TEXT NOT NULL REFERENCES domains(domain),
        scan_id INTEGER REFERENCES scans(id),
        occurred_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        old TEXT,
        new TEXT,
        detail TEXT
    )""",
    "CREATE INDEX events_time ON events(occurred_at)",
    "CREATE INDEX events_domain ON events(domain, occurred_at)",
    "CREATE INDEX events_kind ON events(kind, occurred_at)",
    "ALTER TABLE domains ADD COLUMN last_change_at TEXT",
    "ALTER TABLE domains ADD COLUMN expires TEXT",
    "CREATE INDEX domains_last_change ON domains(last_change_at)",
    "CREATE INDEX domains_company ON domains(company COLLATE NOCASE)",
    "CREATE INDEX domains_segment ON domains(segment, score DESC)",
    "CREATE INDEX domains_score ON domains(score DESC)",
    "CREATE INDEX domains_last_good ON domains(last_good_at)",
    "CREATE INDEX domains_expires ON domains(expires)",
)


# -- 4: Partner Center referrals ----------------------------------------------
_V4_STATEMENTS = (
    """CREATE TABLE referrals (
        id TEXT PRIMARY KEY,
        engagement_id TEXT,
        name TEXT,
        status TEXT,
        substatus TEXT,
        type TEXT,
        qualification TEXT,
        direction TEXT,
        kind TEXT NOT NULL,
        customer_name TEXT,
        customer_country TEXT,
        size TEXT,
        contacts_json TEXT,
        microsoft_contact TEXT,
        deal_value REAL,
        currency TEXT,
        closing_date TEXT,
        requirements_json TEXT,
        created_at TEXT,
        updated_at TEXT,
        domain TEXT,
        domain_source TEXT,
        link TEXT CHECK (link IN ('auto', 'manual') OR link IS NULL),
        raw_json TEXT NOT NULL,
        synced_at TEXT NOT NULL
    )""",
    "CREATE INDEX referrals_domain ON referrals(domain)",
    "CREATE INDEX referrals_updated ON referrals(updated_at)",
    "CREATE INDEX referrals_status ON referrals(status, type)",
    "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT, updated_at TEXT NOT NULL)",
    "ALTER TABLE domains ADD COLUMN active_cosell INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE domains ADD COLUMN referrals INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX domains_referrals ON domains(referrals)",
)


# -- 5: referral addresses ----------------------------------------------------
_V5_STATEMENTS = ("ALTER TABLE referrals ADD COLUMN address_json TEXT",)


# -- 6: Dynamics 365 leads ----------------------------------------------------
_V6_STATEMENTS = (
    """CREATE TABLE crm_leads (
        domain TEXT PRIMARY KEY REFERENCES domains(domain),
        environment TEXT NOT NULL,
        lead_id TEXT,
        push_state TEXT NOT NULL CHECK (push_state IN ('creating', 'pushed', 'failed', 'deleted')),
        payload_hash TEXT,
        first_pushed_at TEXT,
        pushed_at TEXT,
        attempted_at TEXT NOT NULL,
        error TEXT,
        statecode INTEGER,
        statuscode INTEGER,
        status_label TEXT,
        owner_id TEXT,
        owner_name TEXT,
        crm_created_on TEXT,
        crm_modified_on TEXT,
        pulled_at TEXT
    )""",
    "CREATE INDEX crm_leads_lead_id ON crm_leads(lead_id)",
    "CREATE INDEX crm_leads_statecode ON crm_leads(statecode)",
)

# -- 7: foreign keys on every link, key facts as columns, search index, the leads view --
# The key facts a lead list filters and sorts by, as real columns beside current_json.
FACT_COLUMNS: dict[str, type] = {
    "spf_result": str,  # pass/fail/softfail/neutral/none/permerror/temperror (RFC 7208 2.6)
    "dkim_state": str,  # key / delegated / none (hunter_cli.facts.dkim_state)
    "state": str,  # active / nxdomain / parked (hunter_cli.facts.domain_state)
}
# Link columns given a foreign key by migration 7: table -> [(column, other table, other column)].
LINKS: dict[str, list[tuple[str, str, str]]] = {
    "domains": [("last_scan_id", "scans", "id"), ("last_good_scan_id", "scans", "id")],
    "tenant_cache": [("domain", "domains", "domain")],
    "registrations": [("domain", "domains", "domain")],
    "referrals": [("domain", "domains", "domain")],
}
# Columns that already had a foreign key (migrations 1, 3 and 6): checked for orphans the same way.
DOMAIN_CHILDREN = ("scans", "tags", "notes", "events", "crm_leads", "tenant_cache", "registrations", "referrals")

# FTS5 over the folded search column, external content (the text is stored once, in domains),
# in the form sqlite-utils writes, so `table.detect_fts()`, `table.search()` and Datasette find it.
FTS_TABLE = "domains_fts"
FTS_SQL = (
    "CREATE VIRTUAL TABLE [domains_fts] USING FTS5 (\n"
    "    [search_text],\n"
    "    tokenize='trigram',\n"
    "    content=[domains]\n"
    ")"
)
# The names sqlite-utils gives its own FTS triggers (so `disable_fts()` removes them); the update
# trigger fires only when the search column changes, not on every scan's UPDATE of the row.
FTS_TRIGGERS = (
    """CREATE TRIGGER [domains_ai] AFTER INSERT ON [domains] BEGIN
  INSERT INTO [domains_fts] (rowid, [search_text]) VALUES (new.rowid, new.[search_text]);
END""",
    """CREATE TRIGGER [domains_ad] AFTER DELETE ON [domains] BEGIN
  INSERT INTO [domains_fts] ([domains_fts], rowid, [search_text]) VALUES('delete', old.rowid, old.[search_text]);
END""",
    """CREATE TRIGGER [domains_au] AFTER UPDATE OF [search_text] ON [domains] BEGIN
  INSERT INTO [domains_fts] ([domains_fts], rowid, [search_text]) VALUES('delete', old.rowid, old.[search_text]);
  INSERT INTO [domains_fts] (rowid, [search_text]) VALUES (new.rowid, new.[search_text]);
END""",
)

# The lead list as `hunter leads -f json` gives it (same names, same order), for sqlite-utils,
# Datasette or a spreadsheet's ODBC driver: one row per lead, tags as one comma-separated string.
LEADS_VIEW = "leads"

# A lead's state in Dynamics 365 (``crm_status`` of `hunter leads`, its CSV and JSON, the ``leads`` view),
# from its ``crm_leads`` row ``c``, defined once: ``deleted`` in Dynamics; ``failed`` when the last attempt
# failed and Dynamics holds no lead from Hunter (never created, or a create not confirmed); ``update failed``
# when it holds one from an earlier push but the last change never reached it; else its state as last
# pulled (``open``, ``qualified``, ``disqualified``), else ``pushed``; NULL when never sent.
CRM_STATUS_SQL = (
    "CASE WHEN c.push_state = 'deleted' THEN 'deleted'"
    " WHEN c.error IS NOT NULL AND (c.push_state = 'creating' OR c.pushed_at IS NULL) THEN 'failed'"
    " WHEN c.push_state = 'failed' THEN 'update failed'"
    " WHEN c.statecode = 0 THEN 'open' WHEN c.statecode = 1 THEN 'qualified' WHEN c.statecode = 2 THEN 'disqualified'"
    " WHEN c.pushed_at IS NOT NULL THEN 'pushed' END"
)
CRM_FAILED_STATUSES = ("failed", "update failed")
LEADS_VIEW_SQL = """SELECT
  d.domain,
  coalesce(d.domain_unicode, d.domain) AS domain_unicode,
  d.company,
  d.provider,
  d.provider_name,
  d.gateway,
  d.tenant,
  d.tenant_id,
  d.dmarc_policy,
  d.spf_result,
  d.spf_all,
  d.dkim,
  d.dkim_state,
  d.state,
  d.score,
  d.segment,
  d.category,
  d.last_good_at AS last_scanned,
  d.last_status,
  d.last_attempt_at AS last_attempt,
  d.last_change_at AS last_change,
  coalesce(d.expires, (SELECT r.expires FROM registrations r WHERE r.domain = d.domain)) AS expires,
  d.referrals,
  d.active_cosell,
  (SELECT group_concat(tag, ', ') FROM (SELECT DISTINCT t.tag FROM tags t WHERE t.domain = d.domain ORDER BY t.tag))
    AS tags,
  (SELECT CASE WHEN c.push_state = 'deleted' THEN 'deleted' WHEN c.statecode = 0 THEN 'open'
     WHEN c.statecode = 1 THEN 'qualified' WHEN c.statecode = 2 THEN 'disqualified'
     WHEN c.pushed_at IS NOT NULL THEN 'pushed' END FROM crm_leads c WHERE c.domain = d.domain) AS crm_status,
  (SELECT c.owner_name FROM crm_leads c WHERE c.domain = d.domain) AS crm_owner,
  d.last_scan_id,
  d.last_good_scan_id
FROM domains d"""
# the crm_status of migration 7's view, which said `pushed` for a lead whose last push failed
_V7_CRM_STATUS = """CASE WHEN c.push_state = 'deleted' THEN 'deleted' WHEN c.statecode = 0 THEN 'open'
     WHEN c.statecode = 1 THEN 'qualified' WHEN c.statecode = 2 THEN 'disqualified'
     WHEN c.pushed_at IS NOT NULL THEN 'pushed' END"""


def facts_of(view: dict | None) -> dict[str, str | None]:
    """The FACT_COLUMNS values for a current view (``current_json``); all None without one."""
    from ..facts import dkim_state, domain_state, spf_result

    if not view:
        return dict.fromkeys(FACT_COLUMNS)
    return {
        "spf_result": spf_result(view.get("spf")),
        "dkim_state": dkim_state(view.get("dkim")),
        "state": domain_state(view),
    }


def _unicode(domain: str) -> str:
    from ..domains import to_unicode

    return to_unicode(domain)


def _links_facts_search(db: sqlite_utils.Database) -> None:
    now = utcnow()
    # 1. Orphans a foreign key would refuse. A domain named by another table but missing from
    #    `domains` becomes a lead (nothing is dropped); a pointer to a scan or run that is gone is
    #    cleared (it points at nothing either way).
    for table in DOMAIN_CHILDREN:
        orphans = [
            r[0]
            for r in db.execute(
                f"SELECT DISTINCT t.domain FROM [{table}] t LEFT JOIN domains d ON d.domain = t.domain"
                " WHERE t.domain IS NOT NULL AND d.domain IS NULL"
            )
        ]
        for domain in orphans:
            db.execute(
                "INSERT OR IGNORE INTO domains (domain, domain_unicode, added_at) VALUES (?, ?, ?)",
                (domain, _unicode(domain), now),
            )
    for column in ("last_scan_id", "last_good_scan_id"):
        db.execute(f"UPDATE domains SET {column} = NULL WHERE {column} NOT IN (SELECT id FROM scans)")
    db.execute("UPDATE events SET scan_id = NULL WHERE scan_id NOT IN (SELECT id FROM scans)")
    db.execute("UPDATE scans SET run_id = NULL WHERE run_id NOT IN (SELECT id FROM runs)")

    # 2. New columns: the key facts and the folded search text.
    domains = db.table("domains")
    for name, kind in FACT_COLUMNS.items():
        domains.add_column(name, kind)
    domains.add_column("search_text", str)

    # 3. Foreign keys: sqlite-utils rebuilds each table (new table, copy with rowids, drop, rename,
    #    indexes recreated), with foreign_keys off as migrate() leaves it.
    for table, links in LINKS.items():
        db.table(table).transform(add_foreign_keys=links)

    # 4. Fill the new columns from what is stored (Python, as the writer fills them).
    notes: dict[str, list[str]] = {}
    for domain, text in db.execute("SELECT domain, text FROM notes ORDER BY domain, created_at, id"):
        notes.setdefault(domain, []).append(text)
    rows = db.execute("SELECT domain, domain_unicode, company, current_json FROM domains").fetchall()
    for domain, domain_unicode, company, current in rows:
        try:
            view = json.loads(current) if current else None
        except ValueError:
            view = None
        facts = facts_of(view)
        db.execute(
            "UPDATE domains SET spf_result = ?, dkim_state = ?, state = ?, search_text = ? WHERE domain = ?",
            (
                facts["spf_result"],
                facts["dkim_state"],
                facts["state"],
                search_text(domain, domain_unicode, company, notes.get(domain, ())),
                domain,
            ),
        )

    # 5. The search index, filled once here and kept current by the triggers.
    db.execute(FTS_SQL)
    db.execute(f"INSERT INTO [{FTS_TABLE}] (rowid, [search_text]) SELECT rowid, [search_text] FROM [domains]")
    for sql in FTS_TRIGGERS:
        db.execute(sql)

    # 6. The lead list as a view.
    db.create_view(LEADS_VIEW, LEADS_VIEW_SQL)


# -- 8: each scan result stored once ------------------------------------------
def compact_json(value: object) -> str:
    """The stored JSON form: no spaces between tokens, non-ASCII as is (what pydantic's ``model_dump_json`` writes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# A scan whose result is exactly the domain's current view stores NULL in `scans.result`: the
# packed text is in `domains.current_view`, once. The writer puts it back into the scan row (this
# statement) before anything replaces the current view, so every scan keeps its result. (Column
# names of migration 9; migration 8 named them result_json and current_json.)
RESTORE_RESULT_SQL = (
    "UPDATE scans SET result = (SELECT d.current_view FROM domains d WHERE d.domain = scans.domain)"
    " WHERE id = (SELECT d.last_good_scan_id FROM domains d WHERE d.domain = ?) AND result IS NULL"
)
# Every scan's result, wherever it is stored (for readers of `scans` outside Hunter too).
SCAN_RESULTS_VIEW = "scan_results"
SCAN_RESULTS_VIEW_SQL = (  # migration 8's form
    "SELECT s.id, s.domain, s.run_id, s.scanned_at, s.status, s.provider, s.gateway,"
    " COALESCE(s.result_json, d.current_json) AS result_json, s.raw_json, s.errors_json"
    " FROM scans s LEFT JOIN domains d ON d.domain = s.domain AND s.result_json IS NULL"
)


# The footprint cell of `hunter leads` as it was read from the current view before it became a
# column (migration 8 fills the column with it): workload tags, service ids, whether it was asked.
FOOTPRINT_FROM_VIEW_SQL = (
    "json_type(d.current_json, '$.microsoft') = 'object',"
    " (SELECT group_concat(t.value, ',') FROM json_each(d.current_json, '$.microsoft.workloads') AS w,"
    " json_each(w.value, '$.tags') AS t),"
    " (SELECT group_concat(json_extract(s.value, '$.id'), ',') FROM json_each(d.current_json, '$.services') AS s)"
)


def _results_once(db: sqlite_utils.Database) -> None:
    """`scans.result_json` may be NULL (the result is the current view); the current view compacted;
    the footprint cell of the lead list as a column (read without parsing the view)."""
    from ..lead.view import footprint_cell

    db.table("scans").transform(not_null={"result_json": False})
    db.table("domains").add_column("footprint", str)
    last = 0
    while True:  # by rowid, a thousand at a time: the rows read are not the rows being changed
        chunk = db.execute(
            f"SELECT d.rowid, d.domain, d.current_json, s.id, s.result_json, {FOOTPRINT_FROM_VIEW_SQL} FROM domains d"
            " LEFT JOIN scans s ON s.id = d.last_good_scan_id"
            " WHERE d.rowid > ? AND json_valid(d.current_json) ORDER BY d.rowid LIMIT 1000",
            (last,),
        ).fetchall()
        if not chunk:
            break
        last = chunk[-1][0]
        for _rowid, domain, current_text, scan_id, result_text, asked, tags, services in chunk:
            try:
                view = json.loads(current_text)
            except ValueError:
                continue  # not JSON: leave both as they are
            compact = compact_json(view)
            cell = footprint_cell(tags.split(",") if tags else [], services.split(",") if services else [], bool(asked))
            db.execute(
                "UPDATE domains SET current_json = ?, footprint = ? WHERE domain = ?",
                (compact if compact != current_text else current_text, cell, domain),
            )
            if scan_id is None or result_text is None:
                continue
            try:
                same = json.loads(result_text) == view
            except ValueError:
                same = False
            if same:
                db.execute("UPDATE scans SET result_json = NULL WHERE id = ?", (scan_id,))
    db.create_view(SCAN_RESULTS_VIEW, SCAN_RESULTS_VIEW_SQL)


# -- 9: results packed; the footprint filters as columns ----------------------------


def footprint_filters_of_view(view: dict) -> tuple[str | None, str | None, str]:
    """The ``workload_tags``, ``workloads_unknown`` and ``service_ids`` columns of a current view
    (each :func:`frame`d): the workload tags it earns and the workloads whose state is
    ``unknown`` (both None when the footprint was never asked: ``--quick``, older scans), and
    the ids of the other services found, as the scan wrote them: what migration 9 filled the columns
    with. Migration 12 and the writer derive them through the lead view instead
    (:func:`hunter_cli.lead.footprint.footprint_columns`)."""
    from ..lead.footprint import frame  # a migration: the lead view's import is paid once

    ms = view.get("microsoft")
    services = [str(s["id"]) for s in view.get("services") or [] if isinstance(s, dict) and s.get("id") is not None]
    if not isinstance(ms, dict):
        return None, None, frame(services)
    workloads = [w for w in (ms.get("workloads") or {}).values() if isinstance(w, dict)]
    tags = sorted({str(t) for w in workloads for t in (w.get("tags") or [])})
    unknown = [str(w.get("id")) for w in workloads if w.get("state") == "unknown"]
    return frame(tags), frame(unknown), frame(services)


FOOTPRINT_FILTER_COLUMNS = ("workload_tags", "workloads_unknown", "service_ids")
SCAN_RESULTS_VIEW_SQL_9 = (
    "SELECT s.id, s.domain, s.run_id, s.scanned_at, s.status, s.provider, s.gateway,"
    " COALESCE(s.result, d.current_view) AS result, s.raw_json, s.errors_json"
    " FROM scans s LEFT JOIN domains d ON d.domain = s.domain AND s.result IS NULL"
)


def _chunks(conn: sqlite3.Connection, sql: str) -> Iterator[list[tuple]]:
    """The rows of ``sql`` a chunk at a time: its first column is the rowid or id it orders by, and its one
    ``?`` takes the last one seen, so a migration over a million leads holds one chunk in memory."""
    last = 0
    while True:
        chunk = conn.execute(sql, (last,)).fetchall()
        if not chunk:
            return
        last = chunk[-1][0]
        yield chunk


def _packed_results(db: sqlite_utils.Database) -> None:
    """Each result's JSON packed (:mod:`.packing`): ``domains.current_json`` becomes
    ``current_view`` and ``scans.result_json`` becomes ``result``, renamed in place (ALTER TABLE
    RENAME COLUMN: no rebuild, rowids and the search index untouched); the footprint filters
    of ``hunter leads`` become columns. Text that is not JSON is left as it is (readers pass
    text through). The space freed is reused by later writes; ``hunter db vacuum`` returns it."""
    from .packing import pack

    conn = db.conn
    conn.execute(f"DROP VIEW IF EXISTS [{SCAN_RESULTS_VIEW}]")
    conn.execute("ALTER TABLE domains RENAME COLUMN current_json TO current_view")
    conn.execute("ALTER TABLE scans RENAME COLUMN result_json TO result")
    for column in FOOTPRINT_FILTER_COLUMNS:
        db.table("domains").add_column(column, str)
    views = "SELECT rowid, current_view FROM domains WHERE rowid > ? AND typeof(current_view) = 'text'"
    for chunk in _chunks(conn, views + " ORDER BY rowid LIMIT 1000"):
        for rowid, text in chunk:
            try:
                view = json.loads(text)
            except ValueError:
                continue
            if not isinstance(view, dict):
                continue
            conn.execute(
                "UPDATE domains SET current_view = ?, workload_tags = ?, workloads_unknown = ?, service_ids = ?"
                " WHERE rowid = ?",
                (pack(text), *footprint_filters_of_view(view), rowid),
            )
    results = "SELECT id, result FROM scans WHERE id > ? AND typeof(result) = 'text' ORDER BY id LIMIT 1000"
    for chunk in _chunks(conn, results):
        conn.executemany("UPDATE scans SET result = ? WHERE id = ?", [(pack(text), i) for i, text in chunk])
    db.create_view(SCAN_RESULTS_VIEW, SCAN_RESULTS_VIEW_SQL_9)


# -- 10: the lead list's default order from one index --------------------------
# `hunter leads` sorts by category (NULLS LAST), score descending, then domain. With the domain in
# the index SQLite walks it to the page's end; without it, it read and sorted every lead of the
# first score (2,073 of them for P1 at 1,000,000 leads, 20 ms) to show 50. Same number of indexes
# for the scan to keep up to date; the entry changes only when the category or the score does.
_V10_STATEMENTS = (
    "DROP INDEX IF EXISTS domains_category_score",
    "CREATE INDEX domains_category_score ON domains(category, score DESC, domain)",
)

# -- 11: companies in Turkish alphabetical order --------------------------------
# `hunter leads --sort company` ordered by byte (NOCASE only folds ASCII): Ç, Ğ, İ, Ö, Ş, Ü came after z
# and `I` sorted as `i`. Turkish order is a b c ç d e f g ğ h ı i j k l m n o ö p r s ş t u ü v y z,
# case aside, with I the capital of ı and İ of i, and â î û read as a i u (TDK). The key below is built
# from SQLite's own functions, so other tools read and write the file without a collation of Hunter's,
# and the index on it lets the first page walk the index as before.
_TURKISH_KEY_STEPS = (
    # capitals first: I is dotless, İ dotted (SQLite's lower() only folds ASCII: it runs after these)
    ("I", "ı"),
    ("İ", "i"),
    # the Turkish letters (either case) sort just after their base letter: '~' comes after every ASCII
    # letter and digit, so 'c~' sorts after any 'c'+letter and before 'd'
    ("Ç", "c~"),
    ("ç", "c~"),
    ("Ğ", "g~"),
    ("ğ", "g~"),
    ("ı", "h~"),  # ı comes before i: just after every h
    ("Ö", "o~"),
    ("ö", "o~"),
    ("Ş", "s~"),
    ("ş", "s~"),
    ("Ü", "u~"),
    ("ü", "u~"),
    ("Â", "a"),
    ("â", "a"),
    ("Î", "i"),
    ("î", "i"),
    ("Û", "u"),
    ("û", "u"),
)


def turkish_sort_key_sql(column: str) -> str:
    """SQL for the Turkish alphabetical sort key of a text ``column`` (NULL stays NULL): compared as
    bytes, the keys order the texts as a Turkish reader does, case aside. Pure SQLite functions."""
    expr = column
    for old, new in _TURKISH_KEY_STEPS[:2]:
        expr = f"replace({expr}, '{old}', '{new}')"
    expr = f"lower({expr})"
    for old, new in _TURKISH_KEY_STEPS[2:]:
        expr = f"replace({expr}, '{old}', '{new}')"
    return expr


_V11_STATEMENTS = (
    "DROP INDEX IF EXISTS domains_company",
    f"CREATE INDEX domains_company_tr ON domains({turkish_sort_key_sql('company')}, domain)",
)


# -- 12: the footprint columns as the lead view states them --------------------------
FOOTPRINT_AS_STATED = 12  # the migration from which the stored footprint columns are the lead view's


def footprint_columns_of(domain: str, tenant: str | None, stored: bytes | str | None) -> dict | None:
    """The ``footprint``, ``workload_tags``, ``workloads_unknown`` and ``service_ids`` of a lead from its
    stored current view (packed or JSON text) and its ``tenant`` column (NULL: the lookup was not made or
    failed), through the lead view (:func:`hunter_cli.lead.footprint.footprint_columns`): what the writer
    stores. None when there is no view or it does not unpack or build (``hunter db check`` lists it)."""
    from ..lead.footprint import footprint_columns

    lead = _stored_lead(domain, tenant, stored)
    return None if lead is None else footprint_columns(lead)


def _stored_lead(domain: str, tenant: str | None, stored: bytes | str | None) -> Lead | None:
    """The lead view (:class:`hunter_cli.lead.Lead`, built without a validator) of a stored current view
    (packed or JSON text) and its ``tenant`` column; None when there is none or it does not unpack or build."""
    from ..lead import Lead
    from .packing import PackError, loads

    if stored is None:
        return None
    try:
        view = loads(stored)
        if not isinstance(view, dict):
            return None
        return Lead.from_store({"domain": domain, "tenant": tenant}, view, validate=False)
    except (PackError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _footprint_as_stated(db: sqlite_utils.Database) -> None:
    """``footprint``, ``workload_tags``, ``workloads_unknown`` and ``service_ids`` derived again
    (:func:`footprint_columns_of`) for every lead with a current view. Migrations 8 and 9 copied the scan's
    own tags and service ids: a Microsoft 365 or Google SPF include left over while the MX delivers
    elsewhere counted as the service in use, and a workload online by records no tenant stands behind as
    in use, where the brief calls them a leftover and a doubt. A view that does not unpack keeps its columns."""
    conn = db.conn
    views = "SELECT rowid, domain, tenant, current_view FROM domains WHERE rowid > ? AND current_view IS NOT NULL"
    for chunk in _chunks(conn, views + " ORDER BY rowid LIMIT 1000"):
        for rowid, domain, tenant, stored in chunk:
            col = footprint_columns_of(domain, tenant, stored)
            if col is None:
                continue
            conn.execute(
                "UPDATE domains SET footprint = ?, workload_tags = ?, workloads_unknown = ?, service_ids = ?"
                " WHERE rowid = ?",
                (col["footprint"], col["workload_tags"], col["workloads_unknown"], col["service_ids"], rowid),
            )


# -- 14: hybrid with no tenant behind it, and Exchange Online at a domain without mail, are doubted -------------
HYBRID_DOUBTED = 14  # the migration from which the stored footprint columns doubt what the brief doubts


def _hybrid_doubted(db: sqlite_utils.Database) -> None:
    """The footprint columns and ``spf_all`` derived again, in one pass over the leads (each view unpacked
    once): a workload ``hybrid`` by records no tenant stands behind was listed as Exchange Online in use
    (``exo,exch-onprem,exch-hybrid``) where the brief says its Exchange Online side may be left over; it is now
    ``exch-onprem,exo?,exch-hybrid?``. Exchange Online at a domain that takes no mail (a null MX, no MX) was
    ``exo``; it is now ``exo?``. ``spf_all`` of a record that another term opens to every server
    (``ip4:0.0.0.0/0 -all``) was ``-all``; it is ``+all`` (:meth:`hunter_cli.lead.Lead.spf_all_listed`). A view
    that does not unpack keeps its columns."""
    from ..lead.footprint import footprint_columns

    conn = db.conn
    views = "SELECT rowid, domain, tenant, current_view FROM domains WHERE rowid > ? AND current_view IS NOT NULL"
    for chunk in _chunks(conn, views + " ORDER BY rowid LIMIT 1000"):
        rows = []
        for rowid, domain, tenant, stored in chunk:
            lead = _stored_lead(domain, tenant, stored)
            if lead is None:
                continue
            col = footprint_columns(lead)
            rows.append(
                (col["footprint"], col["workload_tags"], col["workloads_unknown"], col["service_ids"])
                + (lead.spf_all_listed, rowid)
            )
        conn.executemany(
            "UPDATE domains SET footprint = ?, workload_tags = ?, workloads_unknown = ?, service_ids = ?,"
            " spf_all = ? WHERE rowid = ?",
            rows,
        )


# -- 13: a DMARC record that gives no policy is listed as "invalid" -------------------------
DMARC_AS_LISTED = 13  # the migration from which dmarc_policy says "invalid" for a record that gives no policy


def dmarc_column_of(stored: bytes | str | None) -> str | None:
    """The ``dmarc_policy`` column of a lead from its stored current view (packed or JSON text), as the writer
    stores it (:meth:`hunter_cli.lead.Lead.columns`): the effective policy, ``invalid`` when a record stands but
    no policy applies (RFC 7489 6.6.3), ``?`` when the lookup failed and no record is known
    (:func:`hunter_cli.lead.view.dmarc_listed`); None for no record, no view, or one that does not unpack."""
    from ..facts import dmarc_policy
    from ..lead.view import dmarc_listed
    from .packing import PackError, loads

    if stored is None:
        return None
    try:
        view = loads(stored)
    except (PackError, ValueError, TypeError):
        return None
    if not isinstance(view, dict):
        return None
    dmarc = view.get("dmarc")
    failed = any(isinstance(e, dict) and e.get("check") == "dmarc" for e in view.get("errors") or [])
    return dmarc_listed(dmarc_policy(dmarc), bool(dmarc), failed)


def _dmarc_invalid(db: sqlite_utils.Database) -> None:
    """``dmarc_policy`` ``invalid`` for every lead whose current view has a DMARC record that gives no policy
    (``"v=DMARC1 p=reject"``, no ``;``), and ``?`` for one whose DMARC lookup failed with no record known
    (:func:`dmarc_column_of`): the column held NULL for both, as for a domain with no record, so `hunter leads`
    showed ``-`` where the scan table said ``invalid`` or ``?``."""
    conn = db.conn
    views = (
        "SELECT rowid, current_view FROM domains"
        " WHERE rowid > ? AND dmarc_policy IS NULL AND current_view IS NOT NULL ORDER BY rowid LIMIT 1000"
    )
    for chunk in _chunks(conn, views):
        fixed = [(value, rowid) for rowid, stored in chunk if (value := dmarc_column_of(stored)) is not None]
        conn.executemany("UPDATE domains SET dmarc_policy = ? WHERE rowid = ?", fixed)


# -- 15: the leads view says when a lead's last push to Dynamics failed ---------
CRM_FAILED_SHOWN = 15
_V15_STATEMENTS = (
    f"DROP VIEW IF EXISTS [{LEADS_VIEW}]",
    f"CREATE VIEW [{LEADS_VIEW}] AS " + LEADS_VIEW_SQL.replace(_V7_CRM_STATUS, CRM_STATUS_SQL),
)


# -- 16: crm_leads.error keeps a failure's sentence as its message key and values ------------------
# From this version on hunter_cli/store/crm.py writes ``error`` as JSON (hunter_cli/said.py ``stored``:
# {"said": key, "values": {...}, "english": ...}), so every reader says it in its own language. Rows
# written before hold one finished sentence in the language of that push; they are read as they are
# (``from_stored``), so nothing is rewritten. The version is what keeps a release before this one from
# writing into the file (it would show the JSON as text).
CRM_ERROR_SAID = 16


# -- 17: a national cloud's "no tenant" is no answer -----------------------------------------------------------
NATIONAL_TENANT_UNKNOWN = 17


def _national_tenant_unknown(db: sqlite_utils.Database) -> None:
    """``tenant`` NULL (not known) instead of ``none`` for a lead whose Microsoft records point at a national
    cloud (21Vianet, GCC High, DoD): its tenants sign in elsewhere, so the worldwide sign-in service's "no
    tenant" says nothing, as the brief already said; ``--no-tenant`` ("known to have none") listed them
    (:func:`hunter_cli.lead.view.tenant_label`, trial 19). Only rows listed ``none`` are read."""
    conn = db.conn
    views = (
        "SELECT rowid, domain, tenant, current_view FROM domains"
        " WHERE rowid > ? AND tenant = 'none' AND current_view IS NOT NULL"
    )
    for chunk in _chunks(conn, views + " ORDER BY rowid LIMIT 1000"):
        rows = []
        for rowid, domain, tenant, stored in chunk:
            lead = _stored_lead(domain, tenant, stored)
            if lead is not None and lead.tenant_label == "?":
                rows.append((rowid,))
        conn.executemany("UPDATE domains SET tenant = NULL WHERE rowid = ?", rows)


# -- 18: a failed lookup is no "no record": SPF and DKIM columns say "not known"; the leads view names the failures --
UNKNOWN_NOT_NONE = 18  # the migration from which spf_all '?', dkim NULL and dkim_state 'unknown' mean "not known"
LEADS_VIEW_V18_SQL = LEADS_VIEW_SQL.replace(_V7_CRM_STATUS, CRM_STATUS_SQL).replace(
    "  d.last_scan_id,", "  d.failed_checks,\n  d.last_scan_id,"
)
_V18_STATEMENTS = (
    f"DROP VIEW IF EXISTS [{LEADS_VIEW}]",
    "ALTER TABLE domains ADD COLUMN failed_checks TEXT",
    f"CREATE VIEW [{LEADS_VIEW}] AS " + LEADS_VIEW_V18_SQL,
)


def failed_checks_column(errors: list | None) -> str | None:
    """The ``failed_checks`` column: the ``check`` of each of the latest attempt's errors (``dkim``, ``txt``,
    ``tenant``, ...), once each, sorted, joined by ``,``; None when no lookup failed."""
    checks = sorted({str(e.get("check")) for e in errors or [] if isinstance(e, dict) and e.get("check")})
    return ",".join(checks) or None


def _unknown_not_none(db: sqlite_utils.Database) -> None:
    """The SPF and DKIM columns of every lead whose current view comes from a scan that failed lookups, as the
    lead view now states them (:meth:`hunter_cli.lead.Lead.columns`, :func:`hunter_cli.facts.unknown_checks`):
    an apex TXT lookup that failed with no record known was ``spf_result`` ``none`` and ``spf_all`` NULL, as
    for a domain with no SPF record, and is ``temperror`` and ``?``; DKIM selector lookups that failed with no
    key known were ``dkim`` 0 and ``dkim_state`` ``none`` ("no key") and are NULL and ``unknown``. A lead whose
    ``tenant`` a failed lookup made NULL while its last answer (``tenant_cache``) was "no tenant" is ``none``
    again. ``footprint`` is ``?``, not ``none``, when it shows no workload while a workload's lookups failed.
    Then the ``leads`` view made again with ``failed_checks``. Only leads whose last attempt was not
    ``ok`` are read (a view from an ``ok`` scan has no failed lookup). ``failed_checks`` is added, filled from
    each lead's last scan (:func:`failed_checks_column`)."""
    from ..lead.footprint import footprint_columns

    conn = db.conn
    conn.execute(_V18_STATEMENTS[0])
    if "failed_checks" not in {r[1] for r in conn.execute("PRAGMA table_info(domains)")}:
        conn.execute(_V18_STATEMENTS[1])
    failed = "SELECT d.rowid, s.errors_json FROM domains d JOIN scans s ON s.id = d.last_scan_id"
    for chunk in _chunks(conn, failed + " WHERE d.rowid > ? AND s.errors_json IS NOT NULL ORDER BY d.rowid LIMIT 1000"):
        conn.executemany(
            "UPDATE domains SET failed_checks = ? WHERE rowid = ?",
            [(failed_checks_column(json.loads(text)), rowid) for rowid, text in chunk],
        )
    views = (
        "SELECT d.rowid, d.domain, d.tenant, d.current_view,"
        " EXISTS (SELECT 1 FROM tenant_cache t WHERE t.domain = d.domain AND t.tenant_json IS NULL)"
        " FROM domains d WHERE d.rowid > ? AND d.last_status IN ('partial', 'failed') AND d.current_view IS NOT NULL"
    )
    for chunk in _chunks(conn, views + " ORDER BY d.rowid LIMIT 1000"):
        rows = []
        for rowid, domain, tenant, stored, asked_none in chunk:
            lead = _stored_lead(domain, tenant, stored)
            if lead is None:
                continue
            if tenant is None and asked_none and "tenant" in lead.failed_checks and lead.tenant is None:
                known = _stored_lead(domain, "none", stored)  # the last answer stands (its lookup failed since)
                if known is not None and known.tenant_label == "none":
                    tenant = "none"
            col = lead.columns()
            fp = footprint_columns(lead)["footprint"]
            rows.append((col["spf_result"], col["spf_all"], col["dkim"], col["dkim_state"], tenant, fp, rowid))
        conn.executemany(
            "UPDATE domains SET spf_result = ?, spf_all = ?, dkim = ?, dkim_state = ?, tenant = ?, footprint = ?"
            " WHERE rowid = ?",
            rows,
        )
    conn.execute(_V18_STATEMENTS[2])


# -- 19: superseded results stored as deltas against the newer result that replaced them (.superseded) --
SUPERSEDED_AS_DELTAS = 19  # the migration from which scans.result may be a delta against scans.result_base


def _superseded_as_deltas(db: sqlite_utils.Database) -> None:
    """``scans.result_base`` (a foreign key to ``scans(id)``) and its index, the foreign key's child side
    (without it every deleted scan would read the whole table). Rows written before stay whole. Idempotent: a
    file whose record of this migration was lost (tests make such files) gets it again unharmed."""
    if "result_base" not in {r[1] for r in db.conn.execute("PRAGMA table_info(scans)")}:
        db.conn.execute("ALTER TABLE scans ADD COLUMN result_base INTEGER REFERENCES scans(id)")
    db.conn.execute("CREATE INDEX IF NOT EXISTS scans_result_base ON scans(result_base)")


# -- 20: the footprint filters from an index --------------------------------------
FOOTPRINT_FACETS = 20  # the migration from which footprint_facets indexes the footprint filter columns
FACETS_TABLE = "footprint_facets"
# kind in footprint_facets -> the domains column it indexes (each a ",id,id," list, lead/footprint.py frame())
FACET_KINDS = {"uses": "service_ids", "workload": "workload_tags", "unknown": "workloads_unknown"}


def facet_values_sql(column: str) -> str:
    """``json_each`` over the items of a ``,id,id,`` framed column (``column`` an SQL expression such as
    ``new.service_ids``): no row for NULL, one empty item for ``,`` (filter it out with ``value <> ''``).
    The items are catalog ids and tags (letters, digits, ``-``), never a ``"`` or ``\\``."""
    return f"""json_each('["' || replace(substr({column}, 2, length({column}) - 2), ',', '","') || '"]')"""


def missing_premise_sql(row: str = "d") -> str:
    """What ``--missing`` asks of a lead before it can be known to lack a workload: its footprint was asked,
    and the domain exists and takes mail (no MX or a null MX: provider none, a P6 lead with nothing to sell).
    ``row``: the alias of ``domains`` (``d``, ``new``, ``old``)."""
    return (
        f"{row}.workload_tags IS NOT NULL AND coalesce({row}.state, 'active') = 'active'"
        f" AND coalesce({row}.provider, '') != 'none'"
    )


# the facet kind of a lead that meets missing_premise_sql (one row, value ''): --missing alone is counted as
# these rows less those with the workload's tag or its workload unknown, all in footprint_facets' key
CHECKED = "checked"
_PREMISE_COLUMNS = ("workload_tags", "state", "provider")


def _facet_inserts(row: str) -> list[str]:
    return [
        f"INSERT OR IGNORE INTO {FACETS_TABLE} (kind, value, domain_rowid)"
        f" SELECT '{kind}', j.value, {row}.rowid FROM {facet_values_sql(f'{row}.{column}')} j WHERE j.value <> ''"
        for kind, column in FACET_KINDS.items()
    ] + [_checked_insert(row)]


def _checked_insert(row: str) -> str:
    return (
        f"INSERT OR IGNORE INTO {FACETS_TABLE} (kind, value, domain_rowid)"
        f" SELECT '{CHECKED}', '', {row}.rowid WHERE {missing_premise_sql(row)}"
    )


def _checked_delete(row: str) -> str:
    return f"DELETE FROM {FACETS_TABLE} WHERE kind = '{CHECKED}' AND value = '' AND domain_rowid = {row}.rowid"


def _facet_deletes(row: str, kinds: dict[str, str] = FACET_KINDS) -> list[str]:
    return [
        f"DELETE FROM {FACETS_TABLE} WHERE kind = '{kind}' AND domain_rowid = {row}.rowid"
        f" AND value IN (SELECT j.value FROM {facet_values_sql(f'{row}.{column}')} j)"
        for kind, column in kinds.items()
    ]


def _facet_triggers() -> list[str]:
    """The triggers that keep ``footprint_facets`` in step with the three columns in the same statement as the
    ``domains`` write, whoever writes (the scan writer, a migration deriving the columns again, another tool):
    a lead added, removed, or one of the columns changed (``WHEN``: a scan that leaves them as they were
    touches no facet). A delete seeks each old item by the key; nothing scans the table."""
    out = [
        f"CREATE TRIGGER [{FACETS_TABLE}_ai] AFTER INSERT ON [domains] BEGIN\n  "
        + ";\n  ".join(_facet_inserts("new"))
        + ";\nEND",
        f"CREATE TRIGGER [{FACETS_TABLE}_ad] AFTER DELETE ON [domains] BEGIN\n  "
        + ";\n  ".join([*_facet_deletes("old"), _checked_delete("old")])
        + ";\nEND",
        f"CREATE TRIGGER [{FACETS_TABLE}_au_{CHECKED}] AFTER UPDATE OF "
        + ", ".join(f"[{c}]" for c in _PREMISE_COLUMNS)
        + f" ON [domains] WHEN ({missing_premise_sql('old')}) IS NOT ({missing_premise_sql('new')}) BEGIN\n  "
        + _checked_delete("old")
        + ";\n  "
        + _checked_insert("new")
        + ";\nEND",
    ]
    for kind, column in FACET_KINDS.items():
        insert = next(s for s in _facet_inserts("new") if f"'{kind}'" in s)
        out.append(
            f"CREATE TRIGGER [{FACETS_TABLE}_au_{kind}] AFTER UPDATE OF [{column}] ON [domains]"
            f" WHEN old.[{column}] IS NOT new.[{column}] BEGIN\n  "
            + _facet_deletes("old", {kind: column})[0]
            + ";\n  "
            + insert
            + ";\nEND"
        )
    return out


_V19_TABLE = (
    f"CREATE TABLE [{FACETS_TABLE}] (\n"
    "   kind TEXT NOT NULL,\n"
    "   value TEXT NOT NULL,\n"
    "   domain_rowid INTEGER NOT NULL,\n"
    "   PRIMARY KEY (kind, value, domain_rowid)\n"
    ") WITHOUT ROWID"
)


def fill_footprint_facets(conn: sqlite3.Connection) -> None:
    """Every lead's facets from its three columns, in chunks of 50,000 domain rowids (one INSERT ... SELECT a
    chunk and kind: nothing is held in Python). Also what ``hunter db vacuum`` runs again should VACUUM
    have renumbered the rowids (after emptying the table)."""
    top = conn.execute("SELECT max(rowid) FROM domains").fetchone()[0] or 0
    for low in range(0, top, 50_000):
        conn.execute(
            f"INSERT OR IGNORE INTO {FACETS_TABLE} (kind, value, domain_rowid) SELECT '{CHECKED}', '', d.rowid"
            f" FROM domains d WHERE d.rowid > ? AND d.rowid <= ? AND {missing_premise_sql('d')}",
            (low, low + 50_000),
        )
        for kind, column in FACET_KINDS.items():
            conn.execute(
                f"INSERT OR IGNORE INTO {FACETS_TABLE} (kind, value, domain_rowid)"
                f" SELECT '{kind}', j.value, d.rowid FROM domains d, {facet_values_sql(f'd.{column}')} j"
                " WHERE d.rowid > ? AND d.rowid <= ? AND j.value <> ''",
                (low, low + 50_000),
            )


def _footprint_facets(db: sqlite_utils.Database) -> None:
    """``footprint_facets`` (kind, value, domain rowid), one row per item of each lead's ``service_ids``
    (``uses``), ``workload_tags`` (``workload``) and ``workloads_unknown`` (``unknown``), and one ``checked``
    row for a lead that meets ``--missing``'s premise (:func:`missing_premise_sql`): the key answers "leads
    with this service / tag" and its count from the index, where the columns needed a scan of every lead
    (``instr``). Filled from the columns; the triggers keep it in step from then on."""
    conn = db.conn
    # a file taken back to an older version and opened again (tests do) has them: made again, from the columns
    for name in [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?", (f"{FACETS_TABLE}%",)
        )
    ]:
        conn.execute(f"DROP TRIGGER [{name}]")
    conn.execute(f"DROP TABLE IF EXISTS [{FACETS_TABLE}]")
    conn.execute(_V19_TABLE)
    fill_footprint_facets(conn)
    for sql in _facet_triggers():
        conn.execute(sql)


# -- 21: the child keys of the foreign keys to scans(id) indexed ------------------------------------------------
SCAN_LINKS_INDEXED = 21
# Deleting a scan makes SQLite look for rows that still point at it (foreign keys, sqlite.org/foreignkeys.html
# "Required and Suggested Database Indexes"): without these, every scan `hunter db prune` removed read all of
# `domains` twice and all of `events` (trial 31: 40,000 scans of 20,000 leads in 402 s; 11 s with them).
_V21_STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS domains_last_scan_id ON domains(last_scan_id)",
    "CREATE INDEX IF NOT EXISTS domains_last_good_scan_id ON domains(last_good_scan_id)",
    "CREATE INDEX IF NOT EXISTS events_scan_id ON events(scan_id)",
)


MIGRATIONS: list[tuple[int, str, Migration]] = [
    (1, "domains, scans and runs", _run(_V1_STATEMENTS)),
    (2, "tenant cache and registration data", _run(_V2_STATEMENTS)),
    (3, "tags, notes, change events and lead-list indexes", _run(_V3_STATEMENTS)),
    (4, "Partner Center referrals", _run(_V4_STATEMENTS)),
    (5, "referral addresses", _run(_V5_STATEMENTS)),
    (6, "Dynamics 365 leads", _run(_V6_STATEMENTS)),
    (7, "foreign keys on every link, key facts as columns, search index, leads view", _links_facts_search),
    (8, "each scan result stored once: NULL in scans when it is the current view; compact JSON", _results_once),
    (9, "results packed against a preset dictionary; footprint filters as columns", _packed_results),
    (10, "the lead list's default order walks one index: the domain in domains_category_score", _run(_V10_STATEMENTS)),
    (11, "companies sort in Turkish alphabetical order: domains_company_tr", _run(_V11_STATEMENTS)),
    (
        FOOTPRINT_AS_STATED,
        "footprint columns as the lead view states them: SPF leftovers and doubted records",
        _footprint_as_stated,
    ),
    (
        DMARC_AS_LISTED,
        "a DMARC record that gives no policy is listed as invalid, a failed lookup as ?, not as no record",
        _dmarc_invalid,
    ),
    (
        HYBRID_DOUBTED,
        "footprint and spf_all columns as the brief reads them: doubted hybrids and mail-less Exchange, open SPF",
        _hybrid_doubted,
    ),
    (
        CRM_FAILED_SHOWN,
        "the leads view says failed or update failed for a lead whose last push failed",
        _run(_V15_STATEMENTS),
    ),
    (
        CRM_ERROR_SAID,
        "a failed push's reason kept as its message and values, said in the reader's language",
        _run(()),
    ),
    (
        NATIONAL_TENANT_UNKNOWN,
        "a lead in a national Microsoft cloud: its tenant is not known, not none",
        _national_tenant_unknown,
    ),
    (
        UNKNOWN_NOT_NONE,
        "a failed SPF or DKIM lookup is listed as not known, not as no record; the leads view names failed checks",
        _unknown_not_none,
    ),
    (
        SUPERSEDED_AS_DELTAS,
        "a superseded scan result is stored as a delta against the newer result that replaced it",
        _superseded_as_deltas,
    ),
    (
        FOOTPRINT_FACETS,
        "the footprint filters (--uses, --workload, --missing) from an index: footprint_facets",
        _footprint_facets,
    ),
    (
        SCAN_LINKS_INDEXED,
        "the links to a scan indexed, so removing a scan does not read every lead and event",
        _run(_V21_STATEMENTS),
    ),
]


def stand_ins(conn: sqlite3.Connection) -> None:
    """Empty TEMP tables for the tables later migrations added, in a file opened read-only at an older
    schema (it cannot be upgraded): the reading queries then run unchanged and find no rows there.
    Only ``crm_leads`` (migration 6) is read by every lead list; columns added to older tables are
    read through the fallbacks in :mod:`.leads` and :mod:`.reads`."""
    import re

    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "crm_leads" not in have:
        create = re.sub(r"\s+REFERENCES \w+\(\w+\)", "", _V6_STATEMENTS[0])
        conn.execute(create.replace("CREATE TABLE", "CREATE TEMP TABLE IF NOT EXISTS", 1))


def latest_version() -> int:
    """The newest schema version this Hunter knows (its last migration)."""
    return max(v for v, _, _ in MIGRATIONS)


def stored_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the file (0 for a new, empty file)."""
    has = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").fetchone()
    if not has:
        return 0
    row = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return row[0] or 0


def migrate(conn: sqlite3.Connection, *, fresh: bool = True) -> list[int]:
    """Apply pending migrations, each in its own transaction; returns the versions applied.

    ``PRAGMA foreign_keys`` is switched off around each migration (it cannot change inside a
    transaction) and on again afterwards; a migration that would leave a link pointing at
    nothing fails its ``PRAGMA foreign_key_check`` and is rolled back whole. Safe when several
    processes open an old file at once: each version is applied by exactly one of them.
    A new, empty file gets the schema the migrations would build in one step instead
    (:mod:`.fresh`, with ``fresh``; every migration is recorded as applied).
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER "
        "PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    if fresh:
        made = _create_fresh(conn)
        if made:
            return made
    db = None
    applied: list[int] = []
    for version, name, apply in MIGRATIONS:
        if conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)).fetchone():
            continue
        if db is None:
            import sqlite_utils

            db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
        foreign_keys = conn.execute("PRAGMA foreign_keys").fetchone()[0]
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                # another process may have migrated while we waited for the write lock
                if not conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)).fetchone():
                    apply(db)
                    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise sqlite3.IntegrityError(
                            f"migration {version} ({name}) would leave links pointing at nothing: {broken[:5]}"
                        )
                    conn.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                        (version, name, utcnow()),
                    )
                    applied.append(version)
                conn.execute("COMMIT")
            except BaseException:
                rollback(conn)
                raise
        finally:
            conn.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
    return applied


def _create_fresh(conn: sqlite3.Connection) -> list[int]:
    """Make a new file's schema from :mod:`.fresh`'s statements in one transaction; the versions recorded,
    or [] when the file is not new (another process may have just made it) or the statements are not
    those of the last migration."""

    def is_new() -> bool:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE name != 'schema_migrations'").fetchone()[0] == 0

    if not is_new():
        return []
    from . import fresh

    version, statements = fresh.load()
    if version != latest_version() or not statements:
        return []
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not is_new():  # made while we waited for the write lock
            conn.execute("COMMIT")
            return []
        for sql in statements:
            conn.execute(sql)
        now = utcnow()
        conn.executemany(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            [(version, name, now) for version, name, _ in MIGRATIONS],
        )
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise
    return [version for version, _, _ in MIGRATIONS]
