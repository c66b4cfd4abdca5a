"""Lists from trial 18: every format ends alike when its reader goes away, CSV without the byte-order
mark on request, provider names as the CSV's provider_name has them, an unambiguous footprint, and
one line a lead at 80 columns."""

from __future__ import annotations

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
    listing.write_text("".join(f"firma{i:03d}-ornek.com.tr\n" for i in range(120)))
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
