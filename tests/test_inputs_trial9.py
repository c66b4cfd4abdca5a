"""Faults a fresh-user trial found, each tried as a kind through the real CLI on real files:
huge durations and numbers, binary files, CR line ends, CSV for Excel in a Turkish locale,
Turkish case in tags, import and rescan summaries, Turkish skip reasons."""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3

import pytest

from hunter_cli import inputs

HUGE = "99999999d"


@pytest.mark.parametrize(
    "argv",
    [
        ["changes", "--since", HUGE],
        ["leads", "--changed-since", HUGE],
        ["leads", "--stale", "5214287w"],
        ["rescan", "--older-than", "9" * 400 + "s"],
        ["db", "prune", "--keep", "36501d"],
        ["leads", "--stale", "876001h"],
    ],
)
def test_a_duration_too_long_is_a_usage_error_naming_the_option_and_the_longest(hunter, tmp_path, argv):
    hunter("import", str(_file(tmp_path, "a.txt", "b7-gw.com.tr\n")))
    result = hunter(*argv)
    assert result.exit_code == 2, result.output
    assert argv[-2] in result.stderr and "36500d" in result.stderr
    assert "Traceback" not in result.output


def test_scan_max_age_too_long_and_the_longest_accepted(hunter, tmp_path):
    f = _file(tmp_path, "a.txt", "b7-gw.com.tr\n")
    bad = hunter("scan", str(f), "--no-whois", "--max-age", HUGE)
    assert bad.exit_code == 2 and "--max-age" in bad.stderr and "36500d" in bad.stderr
    hunter("import", str(f))
    assert hunter("leads", "--stale", "36500d").exit_code == 0


@pytest.mark.parametrize(
    "argv,option",
    [
        (["leads", "--limit", "99999999999999999999"], "--limit"),
        (["changes", "--limit", "99999999999999999999"], "--limit"),
        (["leads", "--min-score", "-99999999999999999999"], "--min-score"),
        (["leads", "--max-score", "1" + "0" * 30], "--max-score"),
    ],
)
def test_a_huge_number_is_a_usage_error_not_an_overflow(hunter, tmp_path, argv, option):
    hunter("import", str(_file(tmp_path, "a.txt", "b7-gw.com.tr\n")))
    result = hunter(*argv)
    assert result.exit_code == 2, result.output
    assert option in result.stderr and "9223372036854775" in result.stderr


@pytest.mark.parametrize("value", ["1e400", "inf", "nan", "-inf"])
def test_a_timeout_that_is_no_finite_number_is_a_usage_error(hunter, tmp_path, value):
    f = _file(tmp_path, "a.txt", "b7-gw.com.tr\n")
    result = hunter("scan", str(f), "--no-whois", "--timeout", value, dns_args=False)
    assert result.exit_code == 2 and "--timeout" in result.stderr


def test_random_bytes_never_end_in_a_traceback(tmp_path):
    """Hundreds of random files of many sizes and names: every one is read, its lines counted or skipped."""
    for seed in range(300):
        r = random.Random(seed)
        data = r.randbytes(r.choice([1, 17, 300, 3000, 70_000]))
        if seed % 3 == 0:
            data = data.replace(b"\x00", b"\r")  # no NUL: the lines reach the CSV reader
        name = f"bin{seed}" + [".csv", ".txt", ".tsv", "", ".list"][seed % 5]
        path = _file(tmp_path, name, data)
        stats = inputs.InputStats()
        list(inputs.leads([str(path)], stats))
        assert stats.lines or stats.unreadable, name


def test_binary_file_through_the_cli_names_the_file(hunter, tmp_path):
    for seed in range(8):
        data = random.Random(seed).randbytes(3000).replace(b"\x00", b"\r")
        f = _file(tmp_path, f"bin{seed}.csv", data)
        result = hunter("scan", str(f), "--no-whois")
        assert "Traceback" not in result.output
        assert result.exit_code in (0, 1), result.output
        assert f"bin{seed}.csv" in result.stderr


def test_a_csv_value_over_the_csv_module_limit_is_read(tmp_path):
    f = _file(tmp_path, "uzun.csv", 'web,not\nb7-gw.com.tr,"' + "x" * 200_000 + '"\nb7-kendi.com.tr,y\n')
    stats = inputs.InputStats()
    assert [lead.domain for lead in inputs.leads([str(f)], stats)] == ["b7-gw.com.tr", "b7-kendi.com.tr"]


@pytest.mark.parametrize("ending", [b"\r", b"\n", b"\r\n"])
@pytest.mark.parametrize("name", ["mac.csv", "mac.txt", "mac", "mac.tsv"])
def test_every_line_ending_ends_a_line(hunter, tmp_path, ending, name):
    body = ending.join([b"b7-gw.com.tr", b"b7-kendi.com.tr", b"b8-kopuk.com"]) + ending
    got = hunter.scan_json(str(_file(tmp_path, name, body)), "--no-whois")
    assert set(got) == {"b7-gw.com.tr", "b7-kendi.com.tr", "b8-kopuk.com"}


def test_mixed_line_endings_lose_nothing_and_count_lines_as_an_editor(hunter, tmp_path):
    f = _file(tmp_path, "t3.csv", b"Firma,Web\nA,b7-gw.com.tr\rB,b7-kendi.com.tr\r\nC,nokta-yok\rD,b8-kopuk.com\n")
    result = hunter("scan", str(f), "--no-whois", "--json")
    assert result.exit_code == 0, result.stderr
    got = {json.loads(line)["domain"]: json.loads(line) for line in result.stdout.splitlines()}
    assert set(got) == {"b7-gw.com.tr", "b7-kendi.com.tr", "b8-kopuk.com"}
    assert "t3.csv:4" in result.stderr  # nokta-yok is on the editor's 4th line
    stats = inputs.InputStats()
    list(inputs.leads([str(f)], stats))
    assert stats.lines == 5 and stats.skipped == {"a single name with no dot, not a domain": ["t3.csv:4"]}


def test_cr_only_text_with_a_broken_quote_skips_one_line(tmp_path):
    f = _file(tmp_path, "q.csv", b'web,ad\rb7-gw.com.tr,"Acme\rb7-kendi.com.tr,B\r')
    stats = inputs.InputStats()
    got = [lead.domain for lead in inputs.leads([str(f)], stats)]
    assert got == ["b7-kendi.com.tr"] and stats.skipped == {inputs.BROKEN_QUOTE: ["q.csv:2"]}


def test_utf16_with_cr_line_ends(tmp_path):
    f = _file(tmp_path, "u.txt", "alan adı\rb7-gw.com.tr\rb7-kendi.com.tr\r".encode("utf-16"))
    stats = inputs.InputStats()
    assert [lead.domain for lead in inputs.leads([str(f)], stats)] == ["b7-gw.com.tr", "b7-kendi.com.tr"]


def test_a_long_cr_only_file_is_read_whole(tmp_path):
    names = [f"firma{i}.com.tr" for i in range(60_000)]  # over 1 MiB with no LF at all
    f = _file(tmp_path, "uzun.txt", ("\r".join(names) + "\r").encode())
    stats = inputs.InputStats()
    assert sum(1 for _ in inputs.leads([str(f)], stats)) == 60_000
    assert not stats.skipped


@pytest.mark.parametrize("sep,given", [(";", ";"), (";", "semicolon"), ("\t", "tab"), (",", ",")])
def test_leads_csv_with_the_separator_asked(hunter, tmp_path, sep, given):
    hunter("import", str(_file(tmp_path, "a.csv", 'Firma,Web\n"Acme, Ltd",b7-gw.com.tr\nB;C,b7-kendi.com.tr\n')))
    hunter("tag", "b7-gw.com.tr", "sıcak", "izmir")
    result = hunter("leads", "-f", "csv", "--csv-separator", given)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff")), delimiter=sep))
    by = {r["domain"]: r for r in rows}
    assert by["b7-gw.com.tr"]["company"] == "Acme, Ltd" and by["b7-gw.com.tr"]["tags"] == "izmir;sıcak"
    assert by["b7-kendi.com.tr"]["company"] == "B;C"
    env = hunter("leads", "-f", "csv", env={"HUNTER_CSV_SEPARATOR": given})
    assert env.stdout == result.stdout


def test_changes_csv_with_a_semicolon_and_a_bad_separator(hunter, tmp_path):
    hunter("import", str(_file(tmp_path, "a.txt", "b7-gw.com.tr\n")))
    result = hunter("changes", "-f", "csv", "--csv-separator", ";")
    assert result.exit_code == 0 and result.stdout.lstrip("\ufeff").startswith("occurred_at;domain;")
    bad = hunter("leads", "-f", "csv", "--csv-separator", "|")
    assert bad.exit_code == 2 and "--csv-separator" in bad.stderr


@pytest.mark.parametrize("typed", ["SICAK", "sicak", "Sıcak", "SıCAK"])
def test_tags_compare_the_turkish_way(hunter, tmp_path, typed):
    hunter("import", str(_file(tmp_path, "a.txt", "b7-gw.com.tr\nb7-kendi.com.tr\n")))
    assert hunter("tag", "b7-gw.com.tr", "sıcak", "İzmir").exit_code == 0
    listed = hunter("leads", "--tag", typed, "-f", "csv")
    assert [r["domain"] for r in csv.DictReader(io.StringIO(listed.stdout.lstrip("\ufeff")))] == ["b7-gw.com.tr"]
    assert "b7-gw.com.tr" in hunter("leads", "--tag", "IZMIR", "-f", "csv").stdout
    added = hunter("tag", "b7-kendi.com.tr", typed)
    assert "sıcak" in added.stdout  # the stored spelling, never a second tag
    removed = hunter("untag", "b7-gw.com.tr", typed)
    assert removed.exit_code == 0, removed.output
    conn = sqlite3.connect(hunter.db)
    try:
        user = sorted(conn.execute("SELECT domain, tag FROM tags WHERE source = 'user'").fetchall())
    finally:
        conn.close()
    assert user == [("b7-gw.com.tr", "izmir"), ("b7-kendi.com.tr", "sıcak")]


def test_import_summary_counts_the_known_domains(hunter, tmp_path):
    hunter("import", str(_file(tmp_path, "eski.txt", "b7-gw.com.tr\nb7-kendi.com.tr\n")))
    f = _file(tmp_path, "uyeler.csv", "Firma,Web\nGW AŞ,b7-gw.com.tr\nKendi Ltd,b7-kendi.com.tr\nKopuk,b8-kopuk.com\n")
    result = hunter("import", str(f))
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stderr.split())
    assert "Leads created 1" in text and "Already known 2" in text and "Company names filled in 2" in text


def test_rescan_summary_says_what_it_rescanned(hunter, tmp_path):
    hunter("import", str(_file(tmp_path, "a.txt", "b7-gw.com.tr\nb7-kendi.com.tr\n")))
    result = hunter("rescan", "--nameserver", hunter.server.nameserver, "--timeout", "0.3", "--no-whois")
    assert result.exit_code in (0, 5), result.stderr
    text = " ".join(result.stderr.split())
    assert "2 stored domains that were due" in text and " lines" not in text
    tr = hunter("rescan", "--nameserver", hunter.server.nameserver, "--no-whois", "--older-than", "0", "--lang", "tr")
    assert "zamanı gelmiş 2 kayıtlı alan adı" in " ".join(tr.stderr.split())


def test_turkish_skip_reasons_have_no_doubled_colons(hunter, tmp_path):
    f = _file(tmp_path, "liste.txt", "noktasiz\nb7-gw.com.tr\nfirma.bilinmeyenuzanti\n")
    result = hunter("scan", str(f), "--no-whois", "--lang", "tr")
    rows = [line for line in result.stderr.splitlines() if "satır" in line and "liste.txt" in line]
    assert rows, result.stderr
    for row in rows:
        assert row.replace("liste.txt:", "").count(":") == 0, row
    assert "noktası olmayan tek bir ad, alan adı değil" in result.stderr


def _file(folder, name, body):
    path = folder / name
    if isinstance(body, str):
        path.write_text(body, encoding="utf-8", newline="")
    else:
        path.write_bytes(body)
    return path
