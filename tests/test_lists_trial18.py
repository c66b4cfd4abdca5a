"""Lists from trial 18: every format ends alike when its reader goes away, CSV without the byte-order
mark on request, provider names as the CSV's provider_name has them, an unambiguous footprint, and
one line a lead at 80 columns."""

from __future__ import annotations

import re
import subprocess

import pytest


def _read_two_lines(cmd: list[str], env: dict) -> subprocess.CompletedProcess:
    """``cmd | head -2`` without a shell: read two lines, then close the pipe."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline() + proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    return subprocess.CompletedProcess(cmd, proc.returncode, first, err)


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "ndjson"])
def test_a_list_that_fits_the_pipe_ends_0_in_every_format_when_its_reader_leaves(hunter, hunter_cmd, tmp_path, fmt):
    """`hunter leads -f csv --limit 0 | head -2` exited 141 where `-f json` exited 0 (trial 18, 4.4): CSV
    went out in 8 KiB pieces, so the reader could leave between them. Now a list that fits in the pipe
    (64 KiB) is written at once in every format, and a longer one gets 141 in every format
    (test_cli_manners.py)."""
    listing = tmp_path / "list.txt"
    n = 100 if fmt in ("json", "ndjson") else 140  # more than 8 KiB, less than 60 KiB in each format
    listing.write_text("".join(f"firma{i:03d}-ornek.com.tr\n" for i in range(n)))
    assert hunter("import", str(listing)).exit_code == 0
    full = hunter("leads", "-f", fmt, "-n", "0", env={"COLUMNS": "80"}).stdout
    assert 8 << 10 < len(full.encode()) < 60 << 10 or fmt == "table", len(full.encode())
    base, env = hunter_cmd
    for _ in range(3):
        out = _read_two_lines(base + ["leads", "-f", fmt, "-n", "0"], env)
        assert out.returncode == 0, out.stderr
        assert "Traceback" not in out.stderr and "Broken pipe" not in out.stderr


@pytest.mark.parametrize("argv", [["leads"], ["changes", "--since", "30d"], ["referrals", "list"]])
def test_no_bom_leaves_the_byte_order_mark_out_of_every_csv(hunter, argv):
    assert hunter("scan", "firma.com.tr", "--no-whois", "-q").exit_code == 0
    with_mark = hunter(*argv, "-f", "csv")
    assert with_mark.exit_code == 0, with_mark.stderr
    assert with_mark.stdout.startswith("\ufeff")  # Excel's cue stays the default
    plain = hunter(*argv, "-f", "csv", "--no-bom")
    assert plain.exit_code == 0, plain.stderr
    assert plain.stdout == with_mark.stdout.removeprefix("\ufeff")
    if argv == ["leads"]:
        import csv
        import io

        assert next(csv.DictReader(io.StringIO(plain.stdout)))["domain"] == "firma.com.tr"


def _lines_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_providers_are_named_as_the_csv_names_them_in_tables_and_summary(hunter):
    scan = hunter(
        "scan", "firma.com.tr", "gmailer.de", "oz-sunucu.com.tr", "heavy.com", "--no-whois", env={"COLUMNS": "200"}
    )
    assert scan.exit_code == 0, scan.stderr
    providers = next(line for line in scan.stderr.splitlines() if line.strip().startswith("Providers"))
    assert "Google Workspace 1" in providers and "Microsoft 365 1" in providers and "own server 1" in providers
    assert "m365" not in providers and "google" not in providers
    wide = hunter("leads", env={"COLUMNS": "200"}).stdout
    for domain, name in (("firma.com.tr", "Microsoft 365"), ("gmailer.de", "Google Workspace")):
        assert re.search(rf"^{re.escape(domain)} +{name}  ", wide, re.M), wide
    assert re.search(r"^oz-sunucu\.com\.tr +own server  ", wide, re.M) and re.search(
        r"^heavy\.com +other  ", wide, re.M
    )
    narrow = hunter("leads", env={"COLUMNS": "80"}).stdout
    assert re.search(r"^firma\.com\.tr +M365  ", narrow, re.M) and re.search(r"^gmailer\.de +Google  ", narrow, re.M)
    turkish = hunter("leads", env={"COLUMNS": "200", "HUNTER_LANG": "tr"}).stdout
    assert re.search(r"^oz-sunucu\.com\.tr +kendi sunucusu  ", turkish, re.M)
    assert re.search(r"^heavy\.com +diğer  ", turkish, re.M) and re.search(
        r"^firma\.com\.tr +Microsoft 365  ", turkish, re.M
    )
    for typed, domain in (
        ("m365", "firma.com.tr"),  # the filter still takes the id
        ("M365", "firma.com.tr"),  # and each name a table shows
        ("Google Workspace", "gmailer.de"),
        ("own server", "oz-sunucu.com.tr"),
        ("own srv", "oz-sunucu.com.tr"),
        ("kendi sunucusu", "oz-sunucu.com.tr"),
        ("diğer", "heavy.com"),
    ):
        only = hunter("leads", "--provider", typed, "-f", "csv")
        assert only.exit_code == 0, (typed, only.stderr)
        assert [line.split(",")[0] for line in _lines_of(only.stdout)[1:]] == [domain], typed


def test_the_table_writes_no_microsoft_workload_as_a_dash_before_the_services(hunter):
    assert hunter("scan", "gmailer.de", "firma.com.tr", "--no-whois", "-q").exit_code == 0
    table = hunter("leads", "--uses", "google", env={"COLUMNS": "200"}).stdout
    assert "- | google" in table and "none | google" not in table, table
    listed = hunter("leads", "-f", "csv").stdout  # the CSV column keeps its form, documented in docs/cli.md
    assert ",none | google," in listed


@pytest.mark.parametrize("width", ["80", "100", "120"])
def test_the_narrow_leads_table_keeps_one_line_a_lead_and_says_where_the_tags_are(hunter, width):
    domains = ["oz-sunucu.com.tr", "natro-ornek.com.tr", "gmailer.de", "gw-ms-token.com", "heavy.com"]
    assert hunter("scan", *domains, "--no-whois", "-q").exit_code == 0
    assert hunter("tag", "gmailer.de", "fuar-2026").exit_code == 0
    for lang, note in (("en", "Tags are not shown at this width"), ("tr", "Etiketler bu genişlikte gösterilmiyor")):
        out = hunter("leads", env={"COLUMNS": width, "HUNTER_LANG": lang})
        rows = _lines_of(out.stdout)[2:]  # under the header and its rule
        assert len(rows) == len(domains), out.stdout
        assert all(any(d in row for d in domains) for row in rows), out.stdout
        assert note in out.stderr and "hunter leads show" in out.stderr and "-f csv" in out.stderr
    tagged = hunter("leads", "--tag", "fuar-2026", env={"COLUMNS": width})  # asked about: shown under the domain
    assert "fuar-2026" in tagged.stdout and "Tags are not shown" not in tagged.stderr
