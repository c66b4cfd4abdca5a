"""`hunter leads --uses / --workload / --missing` and the footprint column, over leads scanned from
tests/zones/footprint.zone through the real DNS server."""

from __future__ import annotations

import csv
import io
import json

import pytest

DOMAINS = {
    "fp-exo-ornek.com.tr": "exo,teams,intune,device-registration",
    "fp-sunucu-ornek.com.tr": "exch-onprem,lync-onprem,device-registration-onprem",
    "fp-hibrit-ornek.com.tr": "exo,exch-onprem,exch-hybrid,teams,lync-onprem,teams-hybrid,intune",
    "fp-bos-ornek.com.tr": "none | yandex",  # Yandex 360 by its MX alone: a service in use
    "fp-svc-zoom.com.tr": "none | zoom",
    "fp-svc-slack.com.tr": "none | slack",
    "fp-coklu-ornek.com.tr": "none | google,zoom,dropbox,slack,salesforce,mailchimp,google-verified",
    "fp-hata-ornek.com.tr": "exo",
}


@pytest.fixture(scope="module")
def leads(tmp_path_factory, _session_dns, _session_ms, _session_reg):
    """The domains above scanned once (fp-hata with its Intune and Teams lookups failing), plus
    fp-svc-box.com.tr scanned with --quick only, so its footprint was never asked. The domains with
    workloads online have a tenant (without one the lists count those workloads as unknown:
    tests/test_leads_footprint_agree.py)."""
    from conftest import TENANTS, Hunter
    from msserver import Tenant

    h = Hunter(_session_dns, tmp_path_factory.mktemp("leads") / "hunter.db", _session_ms, _session_reg)
    _session_dns.clear_faults()
    for i, online in enumerate(("fp-exo-ornek.com.tr", "fp-hibrit-ornek.com.tr", "fp-hata-ornek.com.tr")):
        _session_ms.tenants[online] = Tenant(id=f"2222{i:04d}-2222-4333-8444-555555555555", brand=online, region="EU")
    d = "fp-hata-ornek.com.tr"
    for name in ("enterpriseenrollment", "lyncdiscover", "_sipfederationtls._tcp", "_mta-sts"):
        _session_dns.faults[f"{name}.{d}"] = "servfail"
    try:
        assert h("scan", *DOMAINS, "--no-whois", "-q").exit_code == 0
        assert h("scan", "fp-svc-box.com.tr", "--no-whois", "--quick", "-q").exit_code == 0
    finally:
        _session_dns.clear_faults()
        _session_ms.tenants.clear()
        _session_ms.tenants.update(TENANTS)

    def run(*args: str) -> list[dict]:
        out = h("leads", *args, "--format", "json")
        assert out.exit_code == 0, out.stderr
        return json.loads(out.stdout)

    run.hunter = h  # type: ignore[attr-defined]  # the runner, for the table and CSV formats
    return run


def _domains(rows: list[dict]) -> set[str]:
    return {r["domain"] for r in rows}


def test_footprint_column_in_json(leads):
    rows = {r["domain"]: r["footprint"] for r in leads()}
    for d, cell in DOMAINS.items():
        assert rows[d] == cell, d
    assert rows["fp-svc-box.com.tr"] == "? | box"  # services from TXT even with --quick; no workloads asked


def test_uses_matches_any_of_the_services(leads):
    assert _domains(leads("--uses", "zoom")) == {"fp-svc-zoom.com.tr", "fp-coklu-ornek.com.tr"}
    assert _domains(leads("--uses", "ZOOM", "--uses", "slack")) == {
        "fp-svc-zoom.com.tr",
        "fp-svc-slack.com.tr",
        "fp-coklu-ornek.com.tr",
    }
    assert _domains(leads("--uses", "salesforce,box")) == {"fp-coklu-ornek.com.tr", "fp-svc-box.com.tr"}
    assert leads("--uses", "okta") == []


def test_workload_matches_the_tags_the_footprint_earns(leads):
    assert _domains(leads("--workload", "exchange-onprem")) == {"fp-sunucu-ornek.com.tr", "fp-hibrit-ornek.com.tr"}
    assert _domains(leads("--workload", "exchange-hybrid")) == {"fp-hibrit-ornek.com.tr"}
    assert _domains(leads("--workload", "intune")) == {"fp-exo-ornek.com.tr", "fp-hibrit-ornek.com.tr"}
    both = leads("--workload", "exchange-online", "--uses", "zoom")
    assert both == []  # filters combine with AND


def test_missing_is_a_proven_absence_never_a_failed_or_skipped_lookup(leads):
    missing = _domains(leads("--missing", "intune"))
    assert "fp-hata-ornek.com.tr" not in missing  # its Intune lookup failed: unknown, not missing
    assert "fp-svc-box.com.tr" not in missing  # --quick: never asked
    assert {"fp-sunucu-ornek.com.tr", "fp-bos-ornek.com.tr", "fp-svc-zoom.com.tr"} <= missing
    assert not missing & {"fp-exo-ornek.com.tr", "fp-hibrit-ornek.com.tr"}
    # all of them: known to lack Exchange Online and Intune
    both = _domains(leads("--missing", "exchange-online", "--missing", "intune"))
    assert "fp-sunucu-ornek.com.tr" in both and "fp-hata-ornek.com.tr" not in both
    assert "fp-hibrit-ornek.com.tr" not in _domains(leads("--missing", "exchange-online"))


@pytest.mark.parametrize(
    "args, option",
    [
        (("--uses", "zoomm"), "--uses"),
        (("--workload", "exchange"), "--workload"),
        (("--missing", "teamz"), "--missing"),
    ],
)
def test_unknown_values_are_usage_errors(leads, args, option):
    out = leads.hunter("leads", *args)
    assert out.exit_code == 2 and option in out.stderr


def test_services_by_the_names_the_brief_shows_and_workloads_pointed_to_their_option(leads):
    """trial 19: `--uses google-workspace` was refused ("use one of: google") and `--uses freshworks` too, though
    the brief names them so; `--uses teams` listed 67 service ids, none of them Teams, and guessed nothing useful."""
    assert _domains(leads("--uses", "google-workspace")) == _domains(leads("--uses", "google"))
    assert leads("--uses", "freshworks") == leads("--uses", "freshdesk")
    for typed, tag in (("teams", "teams"), ("exo", "exchange-online"), ("Intune", "intune")):
        out = leads.hunter("leads", "--uses", typed)
        said = " ".join(out.stderr.split())
        assert out.exit_code == 2 and f"use --workload {tag} instead" in said and "zoom" not in said, out.stderr
    tr = " ".join(leads.hunter("leads", "--uses", "teams", env={"HUNTER_LANG": "tr"}).stderr.split())
    assert "bunun yerine --workload teams kullanın" in tr and "zoom" not in tr, tr


def test_footprint_column_in_csv_and_table(leads):
    out = leads.hunter("leads", "--format", "csv", "--uses", "zoom")
    text = out.stdout_bytes.decode("utf-8-sig")
    rows = {r["domain"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["fp-coklu-ornek.com.tr"]["footprint"] == DOMAINS["fp-coklu-ornek.com.tr"]
    table = leads.hunter("leads", "--workload", "intune", env={"COLUMNS": "200"})
    assert "Footprint" in table.stdout and "exo, teams, intune" in table.stdout  # CSV and JSON: "exo,teams,intune"


@pytest.mark.parametrize("args", [("--uses", "zoom"), ("--workload", "intune"), ("--missing", "teams")])
def test_crm_push_selects_what_leads_lists(leads, args):
    """`hunter crm push` takes the filters of `hunter leads`: the same leads, in a dry run."""
    h = leads.hunter  # type: ignore[attr-defined]
    dry = h("crm", "push", *args, "--dry-run", env={"HUNTER_CRM_URL": "https://contoso.crm4.dynamics.com"})
    assert dry.exit_code == 0, dry.stderr
    sent = {item["domain"] for item in json.loads(dry.stdout)}
    assert sent == _domains(leads(*args)) and sent


def _as_schema_8(src, dst) -> None:
    """``src`` turned back into the form schema 8 kept: JSON text in ``current_json`` and
    ``result_json``, no filter columns, migration 9 not recorded."""
    import shutil
    import sqlite3

    from hunter_cli.store.packing import unpack

    shutil.copy(src, dst)
    conn = sqlite3.connect(dst)
    conn.execute("DROP VIEW scan_results")
    for (trigger,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'footprint%'"):
        conn.execute(f"DROP TRIGGER [{trigger}]")  # migration 19's, which read the columns dropped below
    conn.execute("DROP TABLE footprint_facets")
    conn.execute("ALTER TABLE domains RENAME COLUMN current_view TO current_json")
    conn.execute("ALTER TABLE scans RENAME COLUMN result TO result_json")
    for column in ("workload_tags", "workloads_unknown", "service_ids"):
        conn.execute(f"ALTER TABLE domains DROP COLUMN {column}")
    for rowid, value in conn.execute("SELECT rowid, current_json FROM domains").fetchall():
        conn.execute("UPDATE domains SET current_json = ? WHERE rowid = ?", (unpack(value), rowid))
    conn.execute("DROP INDEX domains_category_score")  # migration 10's, back to schema 8's
    conn.execute("CREATE INDEX domains_category_score ON domains(category, score DESC)")
    conn.execute("DELETE FROM schema_migrations WHERE version >= 9")
    conn.commit()
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


@pytest.fixture
def schema_8_read_only(leads, tmp_path):
    """The scanned leads as a schema 8 file behind a read-only folder (a read-only bind mount as root)."""
    from conftest import read_only_folder

    folder = tmp_path / "rw"
    folder.mkdir()
    old = folder / "old.db"
    _as_schema_8(leads.hunter.db, old)
    with read_only_folder(folder, tmp_path / "ro", files=(old,)) as seen:
        yield seen / old.name


@pytest.mark.parametrize(
    "args",
    [("--uses", "zoom"), ("--uses", "salesforce,box"), ("--workload", "exchange-onprem"), ("--missing", "intune")],
)
def test_a_read_only_file_before_schema_9_filters_the_same(leads, schema_8_read_only, args):
    """A file a read-only share keeps at schema 8 cannot be upgraded: the filters read its JSON."""
    import sqlite3

    db = str(schema_8_read_only)
    out = leads.hunter("leads", *args, "--format", "json", "--db", db)
    assert out.exit_code == 0, out.stderr
    assert _domains(json.loads(out.stdout)) == _domains(leads(*args))
    shown = leads.hunter("leads", "show", "fp-coklu-ornek.com.tr", "--json", "--db", db)
    assert shown.exit_code == 0, shown.stderr
    assert "zoom" in shown.stdout
    brief = leads.hunter("sales-summary", "fp-coklu-ornek.com.tr", "--json", "--db", db)
    assert brief.exit_code == 0, brief.stderr
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:  # still schema 8: nothing was written
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone() == (8,)


def test_leads_show_tells_the_footprint_and_the_services(leads):
    h = leads.hunter  # type: ignore[attr-defined]
    shown = h("leads", "show", "fp-coklu-ornek.com.tr", env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.stderr
    assert "Exchange: absent" in shown.stdout and "Intune enrolment: absent" in shown.stdout
    assert (
        "Services   Google Workspace, Zoom, Dropbox, Slack, Salesforce, Mailchimp, Google Search Console / Workspace"
        in shown.stdout
    )
    hybrid = h("leads", "show", "fp-hibrit-ornek.com.tr", env={"COLUMNS": "200"}).stdout
    assert "Exchange: hybrid" in hybrid or "Exchange: online" in hybrid
    quick = h("leads", "show", "fp-svc-box.com.tr", env={"COLUMNS": "200"}).stdout
    assert "Microsoft  not checked" in quick


def test_missing_is_for_domains_that_exist(leads, tmp_path):
    """A domain that does not exist lacks every workload, and is no one to sell Intune to."""
    h = leads.hunter  # type: ignore[attr-defined]
    assert h("scan", "yok-boyle-bir-alan.com.tr", "--no-whois", "-q").exit_code == 0
    missing = _domains(leads("--missing", "intune"))
    assert "yok-boyle-bir-alan.com.tr" not in missing and "fp-bos-ornek.com.tr" in missing


def test_an_empty_footprint_filter_says_when_no_footprint_was_ever_stored(hunter, tmp_path):
    db = tmp_path / "quick.db"
    assert hunter("scan", "firma.com.tr", "--quick", "--no-whois", "-q", "--db", str(db)).exit_code == 0
    out = hunter("leads", "--workload", "intune", "--db", str(db))
    assert out.exit_code == 0
    assert "No leads match." in out.stderr and "footprint stored yet" in out.stderr
    plain = hunter("leads", "--category", "P6", "--db", str(db))
    assert "footprint" not in plain.stderr  # only when the filter is on the footprint
