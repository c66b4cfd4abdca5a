"""Ctrl-C during a scan (trial12 C1, C2): the summary and the line that continues the scan, and nothing
else on stderr (no "Task exception was never retrieved", no traceback), exit 130, promptly; and the
line says what was actually left when only registration lookups were still running."""

from __future__ import annotations

import re
import signal
import subprocess
import time

from test_store import _slow_list, _wait_for_rows, rows

NOISE = ("Traceback", "exception was never retrieved", "Session is closed", "Error:")


def _quiet(err: str) -> None:
    for word in NOISE:
        assert word not in err, err


def _wait(what, deadline=20.0) -> None:
    end = time.monotonic() + deadline
    while not what():
        assert time.monotonic() < end, "the scan never got that far"
        time.sleep(0.02)


def test_ctrl_c_with_tenant_lookups_in_flight_prints_only_the_summary(hunter_cmd, dns, ms, db, tmp_path):
    """Each domain's tenant lookup is in flight (a slow sign-in service) when Ctrl-C comes: it ends with
    its scan, before the run closes the HTTP client, instead of failing on the closed session later."""
    path, names = _slow_list(dns, tmp_path, n=80, delay=3.0)  # more lookups than the sign-in pace sends at first
    for name in names:
        ms.faults[name] = ("slow", 3.0)
    base, env = hunter_cmd
    proc = subprocess.Popen(
        base + ["scan", str(path), "-c", "80", "--nameserver", dns.nameserver, "--timeout", "5", "--no-whois"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait(lambda: ms.count() >= 10)  # tenant lookups are in flight or waiting their turn, MX answers 3 s away
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert time.monotonic() - sent < 3.0, err  # not after the slow answers (3 s away)
    left = re.search(r"interrupted: (?:(\d+) domains? read but not scanned)?(?:, )?(?:(\d+) lines? not read)?;", err)
    assert left and int(left.group(1) or 0) + int(left.group(2) or 0) == 80, err
    _quiet(err)


def test_ctrl_c_while_only_registration_lookups_run_says_so(hunter, hunter_cmd, dns, db, tmp_path, registries):
    """Every domain is scanned, registration lookups are still running (a WHOIS server that answers
    slowly): the line names them, not "0 lines not read", and the run stops promptly."""
    names = ["firma.com.tr", "google-tenant.com.tr", "gw-ms-token.com", "nomail.com"]
    path = tmp_path / "four.txt"
    path.write_text("\n".join(names) + "\n")
    rdap, whois = registries
    rdap.faults.update({d: ("slow", 8.0) for d in names})
    whois.faults.update({d: ("slow", 8.0) for d in names})
    base, env = hunter_cmd
    proc = subprocess.Popen(
        base + ["scan", str(path), "--nameserver", dns.nameserver, "--timeout", "2", "--no-tenant"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_rows(db, len(names))
    _wait(lambda: rdap.count() + whois.count() >= 2)
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert time.monotonic() - sent < 3.0, err  # the registry answers in 8 s; it took 4 s in trial12
    _quiet(err)
    assert "not scanned" not in err and "not read" not in err, err
    m = re.search(
        r"interrupted: every input was scanned, but (?:the )?registration lookups? (?:for|of) (\d) domains? (?:was|were) not done; the results are stored",
        err,
    )
    assert m, err
    assert 1 <= int(m.group(1)) <= len(names)
    assert rows(db, "SELECT count(DISTINCT domain) FROM scans")[0][0] == len(names)
