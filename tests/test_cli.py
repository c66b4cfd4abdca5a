"""The `hunter` command line: exit codes, clean stdout, messages, start-up cost."""

import json
import subprocess
import sys


def test_help_lists_scan_and_exit_codes(hunter):
    result = hunter("scan", "--help", dns_args=False)
    assert result.exit_code == 0
    for word in ("--nameserver", "--timeout", "--concurrency", "--max-age", "--json", "--quiet", "Exit codes"):
        assert word in " ".join(result.stdout.split())


def test_json_output_is_only_json_lines_with_the_documented_keys(hunter):
    result = hunter("scan", "firma.com.tr", "nomail.com", "gmail.com", "bad..name", "--json")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    keys = {
        "domain",
        "status",
        "provider",
        "gateway",
        "mx",
        "spf",
        "dmarc",
        "dkim",
        "tenant",
        "score",
        "segment",
        "category",
        "errors",
    }
    for line in lines:
        assert keys <= set(json.loads(line))
    # the summary, with skipped lines, goes to stderr
    assert "consumer mailbox domain" in result.stderr and "empty label" in result.stderr


def test_table_output_and_summary(hunter):
    result = hunter("scan", "firma.com.tr", "gmailer.de", "nomail.com")
    assert result.exit_code == 0
    assert "firma.com.tr" in result.stdout and "Microsoft 365" in result.stdout
    assert "Scan summary" in result.stderr and "Microsoft 365 1" in result.stderr


def test_quiet_prints_nothing_on_success(hunter):
    result = hunter("scan", "firma.com.tr", "-q")
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""


def test_failed_domains_still_exit_0_and_are_counted(hunter, dns):
    dns.faults[("slowmx.com", "MX")] = "servfail"
    result = hunter("scan", "slowmx.com", "firma.com.tr")
    assert result.exit_code == 0
    assert "failed 1" in result.stderr and "1 MX lookup failed (SERVFAIL)" in result.stderr


def test_no_valid_domain_is_exit_1_with_reasons(hunter, tmp_path):
    p = tmp_path / "bad.txt"
    p.write_text("nan\nlocalhost\nali@gmail.com\n")
    result = hunter("scan", str(p))
    assert result.exit_code == 1
    assert "no valid domain in the input" in result.stderr
    assert "bad.txt:1" in result.stderr and "bad.txt:3" in result.stderr


def test_usage_errors_are_exit_2(hunter, tmp_path):
    assert hunter("scan", str(tmp_path / "missing.csv")).exit_code == 2
    assert hunter("scan", "firma.com.tr", "--max-age", "soon").exit_code == 2
    bad_ns = hunter("scan", "firma.com.tr", "--nameserver", "dns.google", dns_args=False)
    assert bad_ns.exit_code == 2 and "IP address" in bad_ns.stderr
    assert hunter("scan", "firma.com.tr", "--dkim-selectors", "a b").exit_code == 2
    assert hunter("nope", dns_args=False).exit_code == 2


def test_nameservers_from_env(hunter, dns):
    result = hunter(
        "scan",
        "firma.com.tr",
        "--json",
        "--timeout",
        "0.3",
        dns_args=False,
        env={"HUNTER_NAMESERVERS": f"127.0.0.1:9,{dns.nameserver}"},
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["provider"] == "m365"


def test_db_from_env(hunter, dns, tmp_path):
    other = tmp_path / "elsewhere" / "x.db"
    result = hunter("scan", "firma.com.tr", "-q", "--db", str(other))
    assert result.exit_code == 0 and other.exists()


def test_module_entry_point_and_version(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "hunter_cli", "--version"], cwd=tmp_path, capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.startswith("hunter ")


def test_help_does_not_import_heavy_modules(tmp_path):
    code = (
        "import sys; sys.argv=['hunter','--help']\n"
        "from hunter_cli.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pycares','sqlite3','pydantic','openpyxl','publicsuffixlist','httpx','dns.resolver','uvloop',"
        "'stamina','tenacity','truststore','msal','msal_extensions','portalocker','aiohttp') "
        "if m in sys.modules]\n"
        "print('HEAVY:' + ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_readable_at_80_columns(hunter):
    result = hunter("scan", "firma.com.tr", "gw-mimecast-deep.com.tr", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert max(len(line) for line in (result.stdout + result.stderr).splitlines()) <= 80


def test_narrow_table_marks_failed_and_partial_domains_without_colour(hunter, dns):
    dns.faults[("slowmx.com", "MX")] = "servfail"
    dns.faults["_dmarc.halfbroken.com"] = "servfail"
    result = hunter(
        "scan", "firma.com.tr", "slowmx.com", "halfbroken.com", "--no-whois", env={**hunter.env, "COLUMNS": "80"}
    )
    assert result.exit_code == 0
    assert "slowmx.com !" in result.stdout and "halfbroken.com *" in result.stdout
    assert "firma.com.tr *" not in result.stdout and "the MX lookup failed" in result.stdout
