"""Scan worker processes (hunter_cli/scan_pool.py): a bulk list scanned on every core.

Real scans as subprocesses against the loopback DNS server, with ``--processes 2`` so the
workers run whatever the machine's CPU count: the results equal one process's (see also
tests/test_writer_process.py, whose bulk scans run on workers too), a worker's log reaches
the run's log, a worker killed from outside fails the run in one sentence with what was
printed stored, and a killed or stopped run leaves no worker behind.
"""

from __future__ import annotations

import json
import os
import signal
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_store import _wait_for_rows, rows
from test_store_faults import Scan, assert_clean, stored
from test_writer_process import _bulk_list, _children, _gone, _started

from hunter_cli.services.scan import BULK_INPUT_BYTES

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc to find the workers")

TWO = ("--processes", "2")


def _workers_of(pid: int) -> list[int]:
    """The two scan worker processes of the scan ``pid``."""
    return _started(pid, "_worker_main", count=2)


def test_workers_scan_exactly_what_one_process_scans(hunter, dns, tmp_path):
    """Every test zone's domain, as JSON lines: the same results from two workers as from one process."""
    expected = json.loads((Path(__file__).parent / "zones" / "providers_expected.json").read_text())
    names = sorted(set(expected) | {"firma.com.tr", "federe.com.tr", "gw-ms-token.com"})  # with tenants
    pad = "# " + "-" * 78 + "\n"
    big = tmp_path / "big.txt"
    big.write_text(pad * (BULK_INPUT_BYTES // len(pad) + 1) + "\n".join(names) + "\n")
    out = {}
    for processes in ("1", "2"):
        result = hunter(
            "scan", str(big), "--db", str(tmp_path / f"p{processes}.db"), "--json", "--processes", processes
        )
        assert result.exit_code == 0, result.stderr
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        for obj in lines:
            obj.pop("scanned_at")
        out[processes] = {obj["domain"]: obj for obj in lines}
    assert set(out["1"]) == set(names)
    assert out["1"] == out["2"]
    assert out["2"]["federe.com.tr"]["tenant"]["namespace_type"] == "Federated"  # asked in a worker


def test_a_worker_log_reaches_the_run_log(hunter, dns, tmp_path):
    path, names = _bulk_list(dns, tmp_path, n=20, delay=0.0)
    log = tmp_path / "scan.log"
    env = {"HUNTER_LOG_FILE": str(log), "HUNTER_LOG_LEVEL": "debug"}
    result = hunter("scan", str(path), "-q", "--no-whois", *TWO, env=env)
    assert result.exit_code == 0, result.stderr
    text = log.read_text()
    for name in names:
        assert f"asking {name} MX" in text  # the resolver's debug line, written in a worker


def test_a_worker_killed_from_outside_fails_the_run_in_one_sentence(hunter_cmd, dns, db, tmp_path):
    path, names = _bulk_list(dns, tmp_path, n=200, delay=0.05)
    scan = Scan(hunter_cmd, dns, [path], "-c", "4", *TWO)
    first, second = _workers_of(scan.proc.pid)
    _wait_for_rows(db, 2)
    os.kill(first, signal.SIGKILL)
    code, err = scan.finish()
    assert code == 1, err
    assert_clean(err)  # no traceback
    assert "scan worker process ended unexpectedly (killed by signal 9)" in err
    assert "--processes 1" in err
    assert scan.printed() <= stored(db) < set(names)
    (outcome, stats) = rows(db, "SELECT outcome, stats_json FROM runs")[0]
    assert outcome == "failed" and "scan worker" in json.loads(stats)["error"]
    assert _gone(second), "the other worker outlived the run"
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_a_run_killed_or_stopped_leaves_no_worker(hunter_cmd, dns, db, tmp_path, how):
    path, names = _bulk_list(dns, tmp_path, n=150, delay=0.05)
    scan = Scan(hunter_cmd, dns, [path], "-c", "2", *TWO)
    workers = _workers_of(scan.proc.pid)
    _wait_for_rows(db, 2)
    scan.proc.send_signal(getattr(signal, how))
    code, err = scan.finish(timeout=30)
    for pid in workers:
        assert _gone(pid, deadline=15), f"a scan worker outlived the run ({how})"
    assert scan.printed() <= stored(db)
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"
    if how == "SIGTERM":
        assert code == 143, err
        assert_clean(err)
        assert rows(db, "SELECT outcome FROM runs")[0][0] == "interrupted"


@contextmanager
def _in_dns(dns, zone_text: str, names: list[str]):
    """The names exist (an MX each) while the block runs: a domain not in DNS is not asked about at the
    sign-in service (its lookup is dropped), and these tests count the lookups."""
    dns.load(zone_text + "".join(f"{d}. 300 IN MX 10 mx.{d}.\n" for d in names))
    try:
        yield
    finally:
        dns.load(zone_text)


def test_the_tenant_ceiling_is_not_multiplied_by_the_workers(hunter, dns, ms, tmp_path, zone_text):
    """--tenant-concurrency 4 with two workers: the sign-in stand-in never holds more than 4 at once."""
    path, names = _bulk_list(dns, tmp_path, n=60, delay=0.0)
    for name in names:
        ms.faults[name] = ("slow", 0.1)  # every answer waits, so lookups pile up to the ceiling
    with _in_dns(dns, zone_text, names):
        result = hunter("scan", str(path), "-q", "--no-whois", "--tenant-concurrency", "4", *TWO)
    assert result.exit_code == 0, result.stderr
    assert {d for _, d in ms.requests} >= set(names)  # every domain was asked about
    assert 2 <= ms.peak_in_flight <= 4


def test_a_tenant_ceiling_below_the_workers_holds(hunter_cmd, dns, ms, db, tmp_path, zone_text):
    """--tenant-concurrency 1 leaves one request in flight in all (the run's one client asks for every worker)."""
    path, names = _bulk_list(dns, tmp_path, n=30, delay=0.05)
    for name in names:
        ms.faults[name] = ("slow", 0.05)
    with _in_dns(dns, zone_text, names):
        scan = Scan(hunter_cmd, dns, [path], "--no-whois", "--tenant-concurrency", "1", *TWO)
        code, err = scan.finish()
    assert code == 0, err
    assert scan.printed() == set(names)
    assert ms.peak_in_flight == 1


def test_standard_input_redirected_from_a_long_file_is_a_long_list(hunter_cmd, dns, db, tmp_path):
    """`hunter scan - < list.txt`: the file's size is known, so workers scan it as they scan the file."""
    import subprocess

    path, names = _bulk_list(dns, tmp_path, n=40, delay=0.2)
    base, env = hunter_cmd
    with open(path) as stdin:
        proc = subprocess.Popen(
            [*base, "scan", "-", "--json", "--nameserver", dns.nameserver, "--no-whois", *TWO],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        workers = _workers_of(proc.pid)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert {json.loads(line)["domain"] for line in out.splitlines()} == set(names)
    assert len(workers) == 2


def test_a_short_list_scans_on_workers_only_when_processes_is_given(hunter_cmd, dns, db, tmp_path):
    names = [f"slow{i}.com" for i in range(6)]
    for name in names:
        dns.faults[(name, "MX")] = ("delay", 1.0)
    path = tmp_path / "short.txt"
    path.write_text("\n".join(names) + "\n")
    asked = Scan(hunter_cmd, dns, [path], "--no-whois", *TWO)
    assert len(_workers_of(asked.proc.pid)) == 2
    code, err = asked.finish()
    assert code == 0, err
    assert asked.printed() == set(names)
    # the variable only sets how many a long list gets: a short one is scanned in the run's process
    default = Scan(hunter_cmd, dns, [path], "--no-whois", env={"HUNTER_SCAN_PROCESSES": "2"})
    end = time.monotonic() + 0.8
    while time.monotonic() < end:
        assert not [p for p, cmdline in _children(default.proc.pid) if "_worker_main" in cmdline]
        time.sleep(0.05)
    code, err = default.finish()
    assert code == 0, err
