"""Every table Hunter prints, at 80 and 120 columns, compared with tests/golden/tables/.

A realistic database: the brief's dozen domains scanned against the test DNS server, three
companies imported but not yet scanned (long Turkish domain names among them), tags, notes
and change events. Times are frozen and the local zone is Europe/Istanbul, so the files only
change when a table does. After a deliberate change, rewrite them with
`HUNTER_UPDATE_GOLDEN=1 pytest tests/test_tables_golden.py` and read the diff.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from pathlib import Path

import pytest
from rich.cells import cell_len
from test_brief import DOMAINS

GOLDEN = Path(__file__).parent / "golden" / "tables"
WIDTHS = (80, 120)
FROZEN = "2026-11-29T12:30:00+00:00"  # 15:30 in Istanbul
IMPORTED = (
    "domain,company\n"
    "marmaralojistik.com.tr,Marmara Lojistik ve Dış Ticaret A.Ş.\n"
    "karadeniz-insaat-taahhut.com.tr,Karadeniz İnşaat Taahhüt\n"
    "ege.com.tr,Ege Gıda\n"
)
EVENTS = [
    ("gmailer.de", "provider_changed", "google", "m365"),
    (
        "firma.com.tr",
        "spf_changed",
        "v=spf1 include:_spf.google.com ~all",
        "v=spf1 include:spf.protection.outlook.com -all",
    ),
    ("gw-ms-token.com", "gateway_added", None, "mimecast"),
    ("fp-sunucu-ornek.com.tr", "workload_changed", "exchange: on_premises", "exchange: online"),
    ("natro-ornek.com.tr", "dmarc_policy_changed", "none", "quarantine"),
    ("xn--ieki-ahmet-n6abc.com.tr", "service_added", None, "Zoom"),
    ("google-tenant.com.tr", "expires_soon", None, "2026-12-05"),
]


@pytest.fixture(scope="module")
def tables_db(tmp_path_factory, _session_dns, _session_ms, _session_reg):
    from conftest import TENANTS, Hunter

    db = tmp_path_factory.mktemp("tables") / "hunter.db"
    _session_ms.tenants.clear()
    _session_ms.tenants.update(TENANTS)
    _session_dns.clear_faults()
    _session_dns.faults[("slowmx.com", "MX")] = "servfail"
    try:
        h = Hunter(_session_dns, db, _session_ms, _session_reg)
        assert h("scan", *DOMAINS, "-q").exit_code == 0
        csv = db.parent / "crm.csv"
        csv.write_text(IMPORTED, encoding="utf-8")
        assert h("import", str(csv), "-q").exit_code == 0
        assert h("tag", "firma.com.tr", "fuar-2026", "bayi").exit_code == 0
        assert h("note", "firma.com.tr", "Ayşe Hanım: BT müdürü, Ocak'ta taşımak istiyor").exit_code == 0
    finally:
        _session_dns.clear_faults()
    conn = sqlite3.connect(db)
    with conn:
        for table, column in (
            ("domains", "added_at"),
            ("domains", "last_attempt_at"),
            ("domains", "last_good_at"),
            ("domains", "last_ok_at"),
            ("domains", "last_change_at"),
            ("scans", "scanned_at"),
            ("registrations", "fetched_at"),
            ("notes", "created_at"),
        ):
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} IS NOT NULL", (FROZEN,))
        conn.execute("DELETE FROM events")  # expires_soon depends on today's date: only the events below
        conn.executemany(
            "INSERT INTO events (domain, occurred_at, kind, old, new) VALUES (?, ?, ?, ?, ?)",
            [(d, FROZEN, k, o, n) for d, k, o, n in EVENTS],
        )
        conn.executemany(
            "INSERT INTO referrals (id, name, status, substatus, type, kind, customer_name, deal_value, currency,"
            " closing_date, updated_at, domain, link, raw_json, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " 'auto', '{}', ?)",
            [
                (
                    "r-1",
                    "M365 E5",
                    "Active",
                    "Accepted",
                    "Shared",
                    "cosell",
                    "Marmara Lojistik ve Dış Ticaret A.Ş.",
                    125000,
                    "USD",
                    "2027-01-31",
                    FROZEN,
                    "marmaralojistik.com.tr",
                    FROZEN,
                ),
                (
                    "r-2",
                    "Teams Phone",
                    "New",
                    "Pending",
                    "Independent",
                    "partner",
                    "Karadeniz İnşaat Taahhüt",
                    None,
                    None,
                    None,
                    FROZEN,
                    "karadeniz-insaat-taahhut.com.tr",
                    FROZEN,
                ),
            ],
        )
    conn.close()
    return h, db


@pytest.fixture(autouse=True)
def istanbul(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Istanbul")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


COMMANDS = {
    "scan": None,  # from the scan itself, below
    "leads": ["leads", "--limit", "0"],
    # a column filtered on or sorted by never gives way (render/short.py FILTER_COLUMNS)
    "leads-gateway": ["leads", "--gateway", "mimecast,none"],
    "leads-workload": ["leads", "--workload", "exchange-online,exchange-onprem", "--sort", "segment"],
    "leads-sorted": ["leads", "--sort", "-scanned,tenant", "--segment", "existing,cold"],
    "leads-show": ["leads", "show", "firma.com.tr"],
    "leads-show-failed": ["leads", "show", "slowmx.com"],
    "changes": ["changes", "--since", "1000d"],
    "explain": ["explain", "gmailer.de"],
    "rules-matrix": ["rules", "matrix"],
    "referrals-list": ["referrals", "list"],
}


def _check(name: str, width: int, text: str) -> None:
    text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"  # Rich pads lines to the width
    path = GOLDEN / f"{name}.{width}.txt"
    if os.environ.get("HUNTER_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with HUNTER_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs; HUNTER_UPDATE_GOLDEN=1 rewrites it"


def _fits(text: str, width: int) -> None:
    wide = [line for line in text.splitlines() if cell_len(line) > width]
    assert not wide, f"lines wider than {width} columns: {wide[:3]}"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", [n for n in COMMANDS if n != "scan"])
def test_table(tables_db, name, width):
    h, db = tables_db
    result = h.runner.invoke(
        __import__("hunter_cli.cli", fromlist=["app"]).app,
        [*COMMANDS[name], "--db", str(db)] if COMMANDS[name][0] != "rules" else COMMANDS[name],
        env={**h.env, "COLUMNS": str(width)},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    _fits(result.stdout, width)
    stderr = re.sub(r"since \d{4}-\d\d-\d\d \d\d:\d\d", "since DAY TIME", result.stderr)  # --since is relative to now
    _check(name, width, result.stdout + ("--- stderr\n" + stderr if stderr else ""))


@pytest.mark.parametrize("width", WIDTHS)
def test_scan_table(hunter, width, tmp_path):
    """The scan's own table and summary (stdout and stderr), rates and seconds masked."""

    hunter.server.faults[("slowmx.com", "MX")] = "servfail"
    result = hunter("scan", *DOMAINS, "marmaralojistik.com.tr", env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.stderr
    _fits(result.stdout, width)
    _fits(result.stderr, width)
    stderr = re.sub(r"in \d+\.\d s \(\d+/s\)", "in N s (N/s)", result.stderr)
    _check("scan", width, result.stdout + "--- stderr\n" + stderr)


def test_domains_are_never_cut_or_wrapped_at_80(tables_db):
    """The domain column has priority: every domain shows whole, on one line, in each table."""
    h, db = tables_db
    longest = ["karadeniz-insaat-taahhut.com.tr", "marmaralojistik.com.tr", "fp-onprem-guclu.com.tr"]
    for argv in (["leads", "--limit", "0"], ["changes", "--since", "1000d"], ["referrals", "list"]):
        out = h(*argv, env={"COLUMNS": "80"}).stdout
        domains = {"leads": longest, "referrals": longest[:2]}.get(argv[0], ["fp-sunucu-ornek.com.tr"])
        for d in domains:
            assert d in out, (argv, d)
        # only a company name under its domain may be shortened; no value column is cut
        assert all(line.rstrip().endswith("…") for line in out.splitlines() if "…" in line), out


# Each lead-list filter or sort, and the header of the column it is about (render/short.py FILTER_COLUMNS).
KEPT = [
    (["--provider", "m365,google"], "Provider"),
    (["--provider", "microsoft"], "Provider"),
    (["--gateway", "any"], "Gateway"),
    (["--gateway", "none"], "Gateway"),
    (["--sort", "gateway"], "Gateway"),
    (["--tenant"], "Tenant"),
    (["--no-tenant"], "Tenant"),
    (["--sort", "-tenant"], "Tenant"),
    (["--segment", "cold,existing"], "Segment"),
    (["--category", "P1,P2,P3"], "Cat"),
    (["--uses", "zoom"], "Footprint"),
    (["--workload", "exchange-online"], "Footprint"),
    (["--missing", "intune"], "Footprint"),
    (["--sort", "dmarc"], "DMARC"),
    (["--sort", "-scanned"], "Scanned"),
    (["--failed"], "Scanned"),
    (["--search", "ornek"], "Domain"),
    (["--min-score", "10", "--gateway", "none"], "Score"),
]


@pytest.mark.parametrize("width", (64, 72, 80, 100))
@pytest.mark.parametrize("argv, header", KEPT, ids=[" ".join(a) for a, _ in KEPT])
def test_a_column_filtered_on_or_sorted_by_never_gives_way(tables_db, argv, header, width):
    """`hunter leads --gateway any` at 80 columns shows the Gateway column: whatever gives way, the
    column the user asked about stays, and every line still fits the terminal."""
    h, db = tables_db
    result = h("leads", "--limit", "0", *argv, "--db", str(db), env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines, result.stderr
    assert header in lines[0].split(), (argv, width, lines[0])
    _fits(result.stdout, width)


def test_the_columns_kept_for_two_filters_and_a_sort(tables_db):
    """Several asked-about columns at once: all of them stay, the others give way in GIVE_WAY order."""
    h, db = tables_db
    argv = ["--gateway", "any,none", "--segment", "cold,existing,migration", "--sort", "dmarc"]
    out = h("leads", "--limit", "0", *argv, "--db", str(db), env={"COLUMNS": "66"}).stdout
    head = out.splitlines()[0].split()
    assert {"Gateway", "Segment", "DMARC", "Domain", "Score", "Cat"} <= set(head), head
    assert "Tenant" not in head  # the first of GIVE_WAY not asked about went
    _fits(out, 66)


def test_one_vocabulary_of_short_forms_in_every_list_table():
    """Below 120 columns every list table (leads, the scan's results and summary, the rules matrix)
    writes a value in its one short form (render/short.py); at 120 every table writes it in full."""
    from hunter_cli.render.short import SHORT

    pairs = [(full, short) for forms in SHORT.values() for full, short in forms.items() if full != short]
    lists = ("leads", "scan", "rules-matrix")
    for path in sorted(GOLDEN.glob("*.txt")):
        name, width = path.name.rsplit(".", 2)[0], int(path.name.rsplit(".", 2)[1])
        if not name.startswith(lists) or name.startswith("leads-show"):  # one lead in full: room for words
            continue
        text = path.read_text(encoding="utf-8").split("--- stderr")[0] if name != "scan" else path.read_text()
        words = set(re.findall(r"[\w?-]+(?: srv)?", text))
        for full, short in pairs:
            if width < 120:
                assert full not in words, (path.name, full)
            else:
                assert short not in words, (path.name, short)


def test_short_forms_never_stand_for_two_values():
    """A short form is read back as exactly one value: never two values with one form, never a form
    that is another value of the same column ("?" means not known, so Unknown keeps its name)."""
    from hunter_cli.render.short import SHORT

    values = {
        "provider": {"self-hosted", "hosting", "unknown", "other", "none", "broken", "m365", "google"},
        "tenant": {"Managed", "Federated", "Unknown", "none", "?"},
        "dmarc": {"none", "quarantine", "reject", "-"},
        "segment": {"Existing", "Migration", "Cold", "Skip"},
    }
    for column, forms in SHORT.items():
        shorts = list(forms.values())
        assert len(shorts) == len(set(shorts)), column
        for full, short in forms.items():
            assert short == full or short not in values[column], (column, full, short)
