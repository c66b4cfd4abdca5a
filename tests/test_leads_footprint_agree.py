"""`hunter leads` states the footprint as the brief and `leads show` do (issue 13, "each fact about a lead is
defined once"): real scans of tests/zones/lists11.zone through the suite's DNS server and sign-in stand-in.

- An SPF include that the brief reads as left over from before a move (the MX delivers to another mailbox
  provider: catalog.other_mail_providers, RFC 7208 5.2) is no service in use: not in `--uses`, not in the
  footprint column, and Exchange Online named only by it is no `--workload exchange-online` (it is missing).
- A workload online by records no tenant stands behind (the brief's "no_tenant" doubt) is neither in use
  nor missing: `exo?` in the column, in neither `--workload` nor `--missing`.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

# domain -> the footprint column
CELLS = {
    "l11-google-eski-exo.com.tr": "none | google",  # the Exchange Online include is a leftover
    "l11-exo-eski-google.com.tr": "exo",  # the Google include is a leftover
    "l11-natro-iki-kalinti.com.tr": "none",  # both includes are leftovers
    "l11-google-jetonlu.com.tr": "exo | google",  # a Workspace token of its own: more than the include
    "l11-exo-gercek.com.tr": "exo,intune",
    "l11-exo-sadece-spf.com.tr": "exo",  # their own server: no leftover verdict, Exchange Online runs beside it
    "l11-hibrit.com.tr": "exo,exch-onprem,exch-hybrid",
    # the on-premises side stands; the Exchange Online side (and so the hybrid) is doubted, as the brief says
    "l11-hibrit-tenantsiz.com.tr": "exch-onprem,exo?,exch-hybrid?,intune?",
    "l11-tenantsiz.com.tr": "exo?,teams?,intune?",
    "l11-gecit-tenant.com.tr": "exo?",  # Microsoft 365 behind a gateway by the tenant alone
    "l11-sarkan.com.tr": "exo?",  # no MX host resolves: Exchange Online receives none of their mail
}
WITH_TENANT = (
    "l11-exo-eski-google.com.tr",
    "l11-google-jetonlu.com.tr",
    "l11-exo-gercek.com.tr",
    "l11-exo-sadece-spf.com.tr",
    "l11-hibrit.com.tr",
    "l11-gecit-tenant.com.tr",
    "l11-sarkan.com.tr",
)


@pytest.fixture(scope="module")
def leads(tmp_path_factory, _session_dns, _session_ms, _session_reg):
    """The domains above scanned once; the sign-in stand-in knows a tenant for those in WITH_TENANT."""
    from conftest import scanned_once

    h = scanned_once(tmp_path_factory, _session_dns, _session_ms, _session_reg, "lists11", CELLS, WITH_TENANT, "1111")

    def run(*args: str) -> list[dict]:
        out = h("leads", *args, "--format", "json")
        assert out.exit_code == 0, out.stderr
        return json.loads(out.stdout)

    run.hunter = h  # type: ignore[attr-defined]
    return run


WIDE = {"COLUMNS": "400"}  # no cell of `leads show` wraps: the sentences are matched whole


def _domains(rows: list[dict]) -> set[str]:
    return {r["domain"] for r in rows}


def test_footprint_column_states_the_brief_reading(leads):
    rows = {r["domain"]: r["footprint"] for r in leads()}
    assert {d: rows[d] for d in CELLS} == CELLS


def test_workload_exchange_online_lists_only_users(leads):
    assert _domains(leads("--workload", "exchange-online")) == {
        "l11-exo-eski-google.com.tr",
        "l11-google-jetonlu.com.tr",
        "l11-exo-gercek.com.tr",
        "l11-exo-sadece-spf.com.tr",
        "l11-hibrit.com.tr",
    }  # not l11-hibrit-tenantsiz: no tenant stands behind its Exchange Online side
    assert _domains(leads("--workload", "intune")) == {"l11-exo-gercek.com.tr"}
    assert _domains(leads("--workload", "exchange-onprem")) == {"l11-hibrit.com.tr", "l11-hibrit-tenantsiz.com.tr"}
    assert _domains(leads("--workload", "exchange-hybrid")) == {"l11-hibrit.com.tr"}
    assert leads("--workload", "teams") == []  # l11-tenantsiz's Teams records have no tenant behind them


def test_missing_counts_a_leftover_as_missing_and_a_doubt_as_unknown(leads):
    missing = _domains(leads("--missing", "exchange-online"))
    # a company whose mail moved to Google or a hosting firm does not use Exchange Online: a lead for it
    assert {"l11-google-eski-exo.com.tr", "l11-natro-iki-kalinti.com.tr"} <= missing
    assert "l11-tenantsiz.com.tr" not in missing  # doubted: not known to lack it either
    assert "l11-gecit-tenant.com.tr" not in missing  # the brief puts the mailboxes at Microsoft 365
    assert "l11-sarkan.com.tr" not in missing  # a set-up removed or never finished: ask
    assert "l11-hibrit-tenantsiz.com.tr" not in missing  # its Exchange Online side is doubted, not missing
    assert not missing & {"l11-exo-gercek.com.tr", "l11-exo-eski-google.com.tr", "l11-hibrit.com.tr"}
    intune_missing = _domains(leads("--missing", "intune"))
    assert "l11-tenantsiz.com.tr" not in intune_missing and "l11-hibrit-tenantsiz.com.tr" not in intune_missing
    assert "l11-exo-gercek.com.tr" not in intune_missing
    assert "l11-google-eski-exo.com.tr" in intune_missing


def test_uses_google_leaves_out_a_leftover_include(leads):
    assert _domains(leads("--uses", "google")) & set(CELLS) == {
        "l11-google-eski-exo.com.tr",  # their mail provider
        "l11-google-jetonlu.com.tr",  # a verification token of their own besides the include
    }


def test_csv_and_table_carry_the_same_cells(leads):
    h = leads.hunter
    out = h("leads", "--format", "csv")
    assert out.exit_code == 0, out.stderr
    rows = {r["domain"]: r["footprint"] for r in csv.DictReader(io.StringIO(out.stdout.lstrip("\ufeff")))}
    assert {d: rows[d] for d in CELLS} == CELLS
    table = h("leads", "--workload", "exchange-online", "--limit", "100")
    assert table.exit_code == 0, table.stderr
    assert "l11-google-eski-exo" not in table.stdout and "l11-natro-iki" not in table.stdout
    assert "l11-exo-gercek" in table.stdout


def test_leads_show_and_the_brief_say_what_the_list_says(leads):
    h = leads.hunter
    show = h("leads", "show", "l11-google-eski-exo.com.tr", "--lang", "en", env=WIDE)
    assert show.exit_code == 0, show.stderr
    text = " ".join(show.stdout.split())
    assert "only an SPF include names it" in text
    detail = json.loads(h("leads", "show", "l11-exo-eski-google.com.tr", "--format", "json").stdout)
    assert detail["lead"]["footprint"] == "exo"  # the same object as the list's row
    show = h("leads", "show", "l11-exo-eski-google.com.tr", "--lang", "en", env=WIDE)
    assert "Google Workspace (only in SPF" in " ".join(show.stdout.split())
    show = " ".join(h("leads", "show", "l11-tenantsiz.com.tr", "--lang", "en", env=WIDE).stdout.split())
    assert "by the records (no tenant found)" in show
    brief = " ".join(h("sales-summary", "l11-google-eski-exo.com.tr", "--lang", "en", env=WIDE).stdout.split())
    assert "only their SPF record names it" in brief
    show = " ".join(h("leads", "show", "l11-gecit-tenant.com.tr", "--lang", "en", env=WIDE).stdout.split())
    assert "Exchange: absent by the records (only the tenant and its MS= token" in show
    show = " ".join(h("leads", "show", "l11-gecit-tenant.com.tr", "--lang", "tr", env=WIDE).stdout.split())
    assert "yalnızca tenant ve MS= kaydı gösteriyor" in show
    show = " ".join(h("leads", "show", "l11-sarkan.com.tr", "--lang", "en", env=WIDE).stdout.split())
    assert "Exchange: online by the records (no MX host resolves" in show
    brief = " ".join(h("sales-summary", "l11-sarkan.com.tr", "--lang", "en", env=WIDE).stdout.split())
    assert "Exchange Online receives none of their mail" in brief
    assert "their mail does not work now (no MX host takes mail)" in brief  # not "their mail runs on" it
    assert "while their mail runs on" not in brief
    brief = " ".join(h("sales-summary", "l11-sarkan.com.tr", "--lang", "tr", env=WIDE).stdout.split())
    assert "e-postası şu an çalışmıyor" in brief and "üzerinde: tenant" not in brief
    show = " ".join(h("leads", "show", "l11-hibrit-tenantsiz.com.tr", "--lang", "en", env=WIDE).stdout.split())
    assert "Exchange: hybrid by the records (no tenant found)" in show  # the brief: "may be left over: ask"
    brief = " ".join(h("sales-summary", "l11-hibrit-tenantsiz.com.tr", "--lang", "en", env=WIDE).stdout.split())
    assert "the Exchange Online side may be left over" in brief
    # their own server stands: the migration play holds, offered once in "What to offer" (trial 32), the
    # services section saying the fact and pointing there
    flat = re.sub(r"[\s│]+", " ", brief)
    assert "They run Exchange on a server of their own" in flat and "covers the move" in flat, flat


def _as_before_migration_12(src, dst) -> None:
    """``src`` as the release before migration 12 left it: the footprint and filter columns copied from
    the scan's own tags and service ids (what migrations 8 and 9 and that release's writer stored)."""
    import shutil
    import sqlite3

    from hunter_cli.lead.view import footprint_cell
    from hunter_cli.store.packing import loads
    from hunter_cli.store.schema import footprint_filters_of_view

    shutil.copy(src, dst)
    conn = sqlite3.connect(dst)
    for rowid, value in conn.execute("SELECT rowid, current_view FROM domains WHERE current_view IS NOT NULL"):
        view = loads(value)
        ms = view.get("microsoft")
        tags = [t for w in ((ms or {}).get("workloads") or {}).values() for t in w.get("tags") or []]
        cell = footprint_cell(tags, [s["id"] for s in view.get("services") or []], isinstance(ms, dict))
        conn.execute(
            "UPDATE domains SET footprint = ?, workload_tags = ?, workloads_unknown = ?, service_ids = ? WHERE rowid = ?",
            (cell, *footprint_filters_of_view(view), rowid),
        )
    conn.execute("DELETE FROM schema_migrations WHERE version >= 12")
    conn.commit()
    conn.close()


def test_an_older_database_is_derived_again_on_open(leads, tmp_path):
    """Migration 12: a file whose columns still hold the scan's own tags lists what the brief says once opened."""
    import sqlite3

    from hunter_cli.store.schema import latest_version

    h = leads.hunter
    old = tmp_path / "old.db"
    _as_before_migration_12(h.db, old)
    with sqlite3.connect(old) as conn:  # the disagreement as that release stored it
        stored = dict(conn.execute("SELECT domain, footprint FROM domains"))
    assert stored["l11-google-eski-exo.com.tr"] == "exo | google"
    assert stored["l11-exo-eski-google.com.tr"] == "exo | google"
    assert stored["l11-tenantsiz.com.tr"] == "exo,teams,intune"

    out = h("leads", "--format", "json", "--db", str(old))
    assert out.exit_code == 0, out.stderr
    assert {r["domain"]: r["footprint"] for r in json.loads(out.stdout) if r["domain"] in CELLS} == CELLS
    listed = h("leads", "--workload", "exchange-online", "--format", "json", "--db", str(old))
    assert _domains(json.loads(listed.stdout)) == _domains(leads("--workload", "exchange-online"))
    missing = h("leads", "--missing", "exchange-online", "--format", "json", "--db", str(old))
    assert _domains(json.loads(missing.stdout)) == _domains(leads("--missing", "exchange-online"))
    uses = h("leads", "--uses", "google", "--format", "json", "--db", str(old))
    assert _domains(json.loads(uses.stdout)) == _domains(leads("--uses", "google"))
    with sqlite3.connect(old) as conn:
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone() == (latest_version(),)


def test_a_read_only_older_file_lists_the_same_without_upgrading(leads, tmp_path):
    """A file a read-only share keeps before migration 12 cannot be derived again: the lists read each
    lead's view through the writer's definition instead (store.leads.footprint_derived_from)."""
    import sqlite3

    from conftest import read_only_folder

    h = leads.hunter
    folder = tmp_path / "rw"
    folder.mkdir()
    old = folder / "old.db"
    _as_before_migration_12(h.db, old)
    with sqlite3.connect(old) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    with read_only_folder(folder, tmp_path / "ro", files=(old,)) as seen:
        db = str(seen / old.name)
        out = h("leads", "--format", "json", "--db", db)
        assert out.exit_code == 0, out.stderr
        assert {r["domain"]: r["footprint"] for r in json.loads(out.stdout) if r["domain"] in CELLS} == CELLS
        for args in (("--workload", "exchange-online"), ("--missing", "exchange-online"), ("--uses", "google")):
            got = h("leads", *args, "--format", "json", "--db", db)
            assert got.exit_code == 0, got.stderr
            assert _domains(json.loads(got.stdout)) == _domains(leads(*args)), args
        csv_out = h("leads", "--format", "csv", "--db", db)
        rows = {r["domain"]: r["footprint"] for r in csv.DictReader(io.StringIO(csv_out.stdout.lstrip("\ufeff")))}
        assert {d: rows[d] for d in CELLS} == CELLS
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:  # nothing was written
            assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone() == (11,)
            assert conn.execute(
                "SELECT footprint FROM domains WHERE domain = 'l11-google-eski-exo.com.tr'"
            ).fetchone() == ("exo | google",)
