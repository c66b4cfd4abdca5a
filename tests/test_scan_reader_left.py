"""`hunter scan --json | head -2` (trial 23, C3): the run's record says what really happened.

The reader of standard output left after two lines; the scan exits 141 quietly, as a piped command
killed by SIGPIPE would. When it still scanned and stored every domain, its run is not `interrupted`
(nothing was left undone): it is recorded with the outcome it had, and `output_closed` says the
reader left. Real DNS server on loopback, the CLI as a subprocess (conftest `hunter_cmd`).
"""

from __future__ import annotations

import json
import subprocess

from test_store import _slow_list, rows


def test_a_scan_whose_reader_left_records_what_it_stored(hunter_cmd, dns, db, tmp_path):
    path, names = _slow_list(dns, tmp_path, n=200, delay=0.0)
    base, env = hunter_cmd
    cmd = base + ["scan", str(path), "--json", "--nameserver", dns.nameserver, "--no-whois", "--no-tenant"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert proc.returncode == 141, err
    assert "Traceback" not in err and "Broken pipe" not in err
    outcome, stats = rows(db, "SELECT outcome, stats_json FROM runs ORDER BY id DESC LIMIT 1")[0]
    stats = json.loads(stats)
    stored = rows(db, "SELECT count(*) FROM scans")[0][0]
    assert stats["output_closed"] is True, stats
    assert stats["stored"] == stored
    if stored == len(names):  # it went on to the end: nothing was left undone
        assert outcome == "ok", (outcome, stats)
    else:  # it stopped when the reader left: interrupted, and the record says why
        assert outcome == "interrupted", (outcome, stats)
