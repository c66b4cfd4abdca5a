"""`hunter scan --json` and `hunter rescan --json` lines carry ``domain_unicode`` as `hunter leads -f json`
does: an IDN (RFC 5890 A-label) shows as people write it; every other field is unchanged."""

from __future__ import annotations

import json
import subprocess

IDN = "xn--ieki-ahmet-n6abc.com.tr"
IDN_U = "çiçekçi-ahmet.com.tr"


def _lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_scan_json_gives_the_unicode_form_as_leads_does(hunter_cmd, dns, db):
    base, env = hunter_cmd
    # typed in Unicode, as an A-label, and an ASCII domain
    for typed in (IDN_U, IDN, "firma.com.tr"):
        run = subprocess.run(
            base + ["scan", typed, "--json", "--nameserver", dns.nameserver],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 0, run.stderr
        (line,) = _lines(run.stdout)
        keys = list(line)
        assert keys[:2] == ["domain", "domain_unicode"] and keys[2] == "status"  # domain keeps its place
        if typed == "firma.com.tr":
            assert line["domain"] == line["domain_unicode"] == "firma.com.tr"
        else:
            assert (line["domain"], line["domain_unicode"]) == (IDN, IDN_U)
            assert IDN_U in run.stdout  # UTF-8 as written, not \\u escapes
    leads = subprocess.run(base + ["leads", "-f", "json"], env=env, capture_output=True, text=True, timeout=60)
    listed = {row["domain"]: row["domain_unicode"] for row in json.loads(leads.stdout)}
    assert listed[IDN] == IDN_U


def test_rescan_json_carries_it_too(hunter, dns):
    hunter.scan_json(IDN)
    result = hunter("rescan", "--older-than", "0s", "--json", "--nameserver", dns.nameserver, "--no-whois")
    assert result.exit_code == 0, result.stderr
    (line,) = _lines(result.stdout)
    assert line["domain_unicode"] == IDN_U


def test_the_other_fields_are_unchanged(hunter):
    line = hunter.scan_json(IDN)[IDN]
    stored = json.loads(hunter("leads", "show", IDN, "--json").stdout)
    assert line["provider"] == stored["lead"]["provider"] and line["status"] == "ok"
    assert "domain_unicode" not in line["mx"][0]  # only the result's own top-level field
