"""The footprint filters read from ``footprint_facets`` (schema migration 20) answer what the framed columns
answer (``,id,id,`` lists, ``instr``): the same leads and the same count for ``--uses``, ``--workload`` and
``--missing``, alone, together and beside other filters, in the index walk of a page too; migration 20 fills
the table from a schema-19 file; the triggers keep it in step when a rescan drops a service.

Leads: real scans of tests/zones/lists11.zone (the footprint test zone of test_leads_footprint_agree) and
seeded synthetic rows with varied lists, states and providers, changed and removed after they were added
(what the triggers must follow).
"""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest
from test_leads_footprint_agree import CELLS, WITH_TENANT

from hunter_cli import store
from hunter_cli.store import leads as core
from hunter_cli.store import schema

SERVICES = ("zoom", "okta", "google", "mailchimp", "slack")
TAGS = ("exchange-online", "teams", "intune", "exchange-onprem", "device-registration", "lync-onprem")
WORKLOADS = ("exchange", "teams", "intune", "device-registration", "msoid")  # workloads_unknown holds their ids
PROVIDERS = ("m365", "google", "none", "hosting", None)
STATES = ("active", "nxdomain", "parked", None)


def _frame(items: list[str]) -> str:
    return "," + ",".join(items) + ("," if items else "")


def _varied(rng: random.Random) -> tuple:
    tags = rng.sample(TAGS, rng.randint(0, 3))
    unknown = rng.sample(WORKLOADS, rng.randint(1, 2)) if rng.random() < 0.3 else []
    asked = rng.random() > 0.15
    return (
        _frame(sorted(rng.sample(SERVICES, rng.randint(0, 2)))) if rng.random() > 0.1 else None,
        _frame(sorted(tags)) if asked else None,
        _frame(sorted(unknown)) if asked else None,
        rng.choice(STATES),
        rng.choice(PROVIDERS),
        rng.choice(core.CATEGORIES),
    )


def _add_varied(path: Path, n: int = 400, seed: int = 30) -> None:
    """``n`` synthetic leads with varied footprint lists, then a third of them changed and a tenth removed."""
    rng = random.Random(seed)
    conn = store.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO domains (domain, added_at, service_ids, workload_tags, workloads_unknown, state, provider,"
            " category, score) VALUES (?, '2026-01-01T00:00:00+00:00', ?, ?, ?, ?, ?, ?, ?)",
            [(f"v{i:04d}.example.com.tr", *_varied(rng), rng.randint(0, 100)) for i in range(n)],
        )
        for i in rng.sample(range(n), n // 3):
            conn.execute(
                "UPDATE domains SET service_ids = ?, workload_tags = ?, workloads_unknown = ?, state = ?,"
                " provider = ?, category = ? WHERE domain = ?",
                (*_varied(rng), f"v{i:04d}.example.com.tr"),
            )
        for i in rng.sample(range(n), n // 10):
            conn.execute("DELETE FROM domains WHERE domain = ?", (f"v{i:04d}.example.com.tr",))
    conn.close()


@pytest.fixture(scope="module")
def varied(tmp_path_factory, _session_dns, _session_ms, _session_reg) -> Path:
    """The lists11 leads scanned once, beside the synthetic ones; the file's path."""
    from conftest import scanned_once

    h = scanned_once(tmp_path_factory, _session_dns, _session_ms, _session_reg, "lists30", CELLS, WITH_TENANT, "3030")
    _add_varied(h.db)
    return h.db


def _filters() -> list[core.LeadFilter]:
    out: list[core.LeadFilter] = []
    services = (*SERVICES, "microsoft-365-apps")
    for s in services:
        out.append(core.LeadFilter(uses=(s,)))
    out.append(core.LeadFilter(uses=("zoom", "okta", "google")))
    for t in TAGS:
        out += [core.LeadFilter(workloads=(t,)), core.LeadFilter(missing=(t,))]
        out.append(core.LeadFilter(missing=(t,), categories=("P1", "P3")))
        out.append(core.LeadFilter(workloads=(t,), uses=("zoom",), categories=("P2",)))
    out.append(core.LeadFilter(workloads=("intune", "teams")))
    out.append(core.LeadFilter(missing=("intune", "teams")))
    out.append(core.LeadFilter(missing=("exchange-online",), workloads=("teams",), tenant=False))
    return out


def _domains(conn: sqlite3.Connection, sql: str, params: list) -> list[str]:
    return [r[0] for r in conn.execute(sql, params)]


def test_the_index_lists_and_counts_what_the_framed_columns_do(varied):
    conn = core.prepare(store.connect(varied))
    assert core.footprint_derived_from(conn) is None  # the file reads footprint_facets
    seen_some = seen_none = 0
    for f in _filters():
        where, params = core.where_sql(f, facets=False)
        want = sorted(_domains(conn, f"SELECT d.domain FROM domains AS d{where}", params))
        assert "instr(" in where
        sql, params = core.select_sql(f, core.DEFAULT_SORT)
        assert "instr(" not in sql and schema.FACETS_TABLE in sql
        assert sorted(_domains(conn, sql, params)) == want, f
        for sort in (core.DEFAULT_SORT, core.parse_sort(["company"]), core.parse_sort(["-scanned"])):
            # the page shapes: the filter's own indexes, and the sort's index walked past them
            plain = _domains(conn, *core.select_sql(f, sort, limit=10_000))
            walked = _domains(conn, *core.select_sql(f, sort, limit=10_000, walk_sort=True))
            assert walked == plain and sorted(plain) == want, (f, sort)
        assert conn.execute(*core.count_sql(f)).fetchone()[0] == len(want), f
        rows, total = core.page(conn, f, core.DEFAULT_SORT, 5)
        assert total == len(want) and [r["domain"] for r in rows] == plain_first(conn, f, 5)
        seen_some += bool(want)
        seen_none += not want
    assert seen_some >= 20 and seen_none >= 1  # the leads vary enough for the comparison to mean something
    conn.close()


def plain_first(conn: sqlite3.Connection, f: core.LeadFilter, n: int) -> list[str]:
    where, params = core.where_sql(f, facets=False)
    return _domains(
        conn, f"SELECT d.domain FROM domains AS d{where}{core.order_sql(core.DEFAULT_SORT)} LIMIT {n}", params
    )


def _facets_from_columns(conn: sqlite3.Connection) -> set[tuple[str, str, int]]:
    """What footprint_facets must hold, read from the columns in Python."""
    want = set()
    for rowid, *lists, state, provider in conn.execute(
        "SELECT rowid, service_ids, workload_tags, workloads_unknown, state, provider FROM domains"
    ):
        for kind, text in zip(schema.FACET_KINDS, lists, strict=True):
            want |= {(kind, item, rowid) for item in (text or "").split(",") if item}
        if lists[1] is not None and (state or "active") == "active" and (provider or "") != "none":
            want.add((schema.CHECKED, "", rowid))
    return want


def _facets(conn: sqlite3.Connection) -> set[tuple[str, str, int]]:
    return set(conn.execute(f"SELECT kind, value, domain_rowid FROM {schema.FACETS_TABLE}"))


def test_the_triggers_kept_the_table_in_step_with_every_change(varied):
    conn = store.connect(varied)
    assert _facets(conn) == _facets_from_columns(conn) and len(_facets(conn)) > 500
    conn.close()


def _as_schema_before(src: Path, dst: Path) -> None:
    """``src`` copied and taken back to the schema before migration 20 (19): no footprint_facets, no triggers,
    version 20 unrecorded; and its columns changed meanwhile, as the release before would have (no trigger)."""
    import shutil

    shutil.copy(src, dst)
    conn = sqlite3.connect(dst)
    with conn:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'footprint%'"):
            conn.execute(f"DROP TRIGGER [{name}]")
        conn.execute(f"DROP TABLE {schema.FACETS_TABLE}")
        conn.execute("DELETE FROM schema_migrations WHERE version >= ?", (schema.FOOTPRINT_FACETS,))
        conn.execute("UPDATE domains SET service_ids = ',zoom,' WHERE rowid % 7 = 0")
        conn.execute("UPDATE domains SET workload_tags = NULL WHERE rowid % 11 = 0")
    conn.close()


def test_migration_20_fills_the_table_from_the_previous_schema(varied, tmp_path, hunter):
    old = tmp_path / "old.db"
    _as_schema_before(varied, old)
    conn = sqlite3.connect(old)
    assert schema.stored_version(conn) == schema.FOOTPRINT_FACETS - 1
    before = {}
    for f in _filters():
        where, params = core.where_sql(f, facets=False)
        before[f] = sorted(_domains(conn, f"SELECT d.domain FROM domains AS d{where}", params))
    conn.close()
    out = hunter("leads", "--uses", "zoom", "-f", "json", "--limit", "0", "--db", str(old))
    assert out.exit_code == 0, out.stderr
    assert "upgraded the database" in out.stderr and f"to {schema.latest_version()}" in out.stderr
    conn = core.prepare(store.connect(old))
    assert schema.stored_version(conn) == schema.latest_version()
    assert _facets(conn) == _facets_from_columns(conn)
    assert sorted(r["domain"] for r in json.loads(out.stdout)) == before[core.LeadFilter(uses=("zoom",))]
    for f, want in before.items():
        assert sorted(_domains(conn, *core.select_sql(f, core.DEFAULT_SORT))) == want, f
    # the triggers came with it: a change after the upgrade is followed
    conn.execute("UPDATE domains SET service_ids = ',' WHERE rowid % 7 = 0")
    assert _facets(conn) == _facets_from_columns(conn)
    conn.close()


def test_a_read_only_file_of_the_previous_schema_filters_on_its_columns(varied, tmp_path, hunter):
    """A file that cannot be upgraded has no footprint_facets: the filters read its framed columns."""
    from conftest import read_only_folder

    folder = tmp_path / "rw19"
    folder.mkdir()
    _as_schema_before(varied, folder / "old.db")
    conn = sqlite3.connect(folder / "old.db")
    where, params = core.where_sql(core.LeadFilter(missing=("intune",)), facets=False)
    want = sorted(_domains(conn, f"SELECT d.domain FROM domains AS d{where}", params))
    conn.close()
    with read_only_folder(folder, tmp_path / "ro19", files=(folder / "old.db",)) as seen:
        out = hunter("leads", "--missing", "intune", "-f", "json", "--limit", "0", "--db", str(seen / "old.db"))
    assert out.exit_code == 0, out.stderr
    assert sorted(r["domain"] for r in json.loads(out.stdout)) == want and want


ZOOM_DOMAIN = "lists30-zoom.com.tr"
ZOOM_ZONE = (
    f"{ZOOM_DOMAIN}. 300 IN MX 10 mx.{ZOOM_DOMAIN}.\n"
    f"mx.{ZOOM_DOMAIN}. 300 IN A 192.0.2.30\n"
    f'{ZOOM_DOMAIN}. 300 IN TXT "v=spf1 mx -all"\n'
)


def test_a_rescan_that_finds_no_zoom_record_drops_the_lead_from_uses_zoom(hunter, dns, zone_text, db):
    def uses_zoom() -> list[str]:
        out = hunter("leads", "--uses", "zoom", "-f", "json")
        assert out.exit_code == 0, out.stderr
        return [r["domain"] for r in json.loads(out.stdout)]

    try:
        dns.load(zone_text + ZOOM_ZONE + f'{ZOOM_DOMAIN}. 300 IN TXT "ZOOM_verify_l1S2t3S4x5Y6z7W8"\n')
        assert hunter("scan", ZOOM_DOMAIN, "--no-whois", "--no-tenant", "-q").exit_code == 0
        assert uses_zoom() == [ZOOM_DOMAIN]
        dns.load(zone_text + ZOOM_ZONE)
        assert hunter("scan", ZOOM_DOMAIN, "--no-whois", "--no-tenant", "-q").exit_code == 0
    finally:
        dns.load(zone_text)
    assert uses_zoom() == []
    conn = store.connect(db)
    assert conn.execute("SELECT service_ids FROM domains WHERE domain = ?", (ZOOM_DOMAIN,)).fetchone()[0] == ","
    assert not conn.execute(f"SELECT 1 FROM {schema.FACETS_TABLE} WHERE kind = 'uses' AND value = 'zoom'").fetchall()
    assert _facets(conn) == _facets_from_columns(conn)
    conn.close()


def test_the_release_file_upgrades_with_the_table_in_step(tmp_path):
    """The 0.1.0 release file (tests/data/release), upgraded through every migration to 19."""
    import shutil

    old = tmp_path / "release.db"
    shutil.copy(Path(__file__).parent / "data" / "release" / "hunter-0.1.0.db", old)
    conn = store.connect(old)
    assert schema.stored_version(conn) == schema.latest_version() >= schema.FOOTPRINT_FACETS
    assert _facets(conn) == _facets_from_columns(conn)
    assert (
        conn.execute("SELECT count(*) FROM domains WHERE workload_tags IS NOT NULL").fetchone()[0]
        == len([f for f in _facets(conn) if f[0] == schema.CHECKED])
        + conn.execute(
            "SELECT count(*) FROM domains WHERE workload_tags IS NOT NULL AND NOT ("
            + schema.missing_premise_sql("domains")
            + ")"
        ).fetchone()[0]
    )
    conn.close()


@pytest.fixture(scope="module")
def broad(tmp_path_factory) -> Path:
    """24,000 synthetic leads (more than WALK_ABOVE match a category), with companies and scan times."""
    path = tmp_path_factory.mktemp("broad") / "broad.db"
    rng = random.Random(12)
    conn = store.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO domains (domain, added_at, company, last_good_at, service_ids, workload_tags,"
            " workloads_unknown, state, provider, category, segment, score)"
            " VALUES (?, '2026-01-01T00:00:00+00:00', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    f"b{i:05d}.example.com.tr",
                    rng.choice(("Çelik", "Işık", "ilk", "Acar", "Zeytin", "Öz")) + f" {i}",
                    f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T00:00:00+00:00",
                    *_varied(rng)[:5],
                    "P1" if i % 2 else rng.choice(core.CATEGORIES),
                    rng.choice(core.SEGMENTS),
                    rng.randint(0, 100),
                )
                for i in range(24_000)
            ],
        )
    conn.close()
    return path


def _traced_page(path: Path, f: core.LeadFilter, sort) -> tuple[list[str], str, list[str]]:
    """The page's domains, the SELECT page() ran and that statement's plan."""
    conn = core.prepare(store.connect(path))
    ran: list[str] = []
    conn.set_trace_callback(ran.append)
    rows, _ = core.page(conn, f, sort, 50)
    conn.set_trace_callback(None)
    sql = next(s for s in ran if s.startswith("SELECT d.domain, d.domain_unicode"))
    plan = [r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql)]
    conn.close()
    return [r["domain"] for r in rows], sql, plan


@pytest.mark.parametrize(
    "f, sort, index",
    [
        (core.LeadFilter(categories=("P1",)), ("company",), "domains_company_tr"),
        (core.LeadFilter(categories=("P1",)), ("scanned",), "domains_last_good"),
        (core.LeadFilter(uses=("zoom", "okta", "google", "mailchimp")), ("company",), "domains_company_tr"),
    ],
)
def test_a_broad_filter_walks_the_sort_index_to_the_same_page(broad, f, sort, index):
    """More than WALK_ABOVE matches and no index giving them in this order: the sort's index is walked (no temp
    B-tree over every match), and the page is the one the filter's own plan gives."""
    order = core.parse_sort(list(sort))
    domains, sql, plan = _traced_page(broad, f, order)
    conn = core.prepare(store.connect(broad))
    assert conn.execute(*core.count_sql(f)).fetchone()[0] >= core.WALK_ABOVE
    assert any(index in line for line in plan) and "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
    plain = core.select_sql(f, order, 50)
    assert "USE TEMP B-TREE FOR ORDER BY" in core.explain(conn, *plain)  # what it replaced
    assert domains == [r[0] for r in conn.execute(*plain)] and len(domains) == 50
    conn.close()


def test_a_filter_whose_index_gives_the_order_keeps_it(broad):
    """``--category P1`` in the default order is domains_category_score's own order: no walk past it."""
    domains, sql, plan = _traced_page(broad, core.LeadFilter(categories=("P1",)), core.DEFAULT_SORT)
    assert "+d.category" not in sql and any("domains_category_score (category=?)" in line for line in plan), plan
