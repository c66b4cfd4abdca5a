"""How the command line reads and behaves across every command (issue 16): help, short flags, choices,
completion, time formats, plurals, empty states, a closed pipe and an interrupted run."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time

import pytest
import typer.main
from test_store import _slow_list, _wait_for_rows, rows
from typer.testing import CliRunner

from hunter_cli.cli import app


def _commands(group=None, path=()):
    """(argv path, click command) for every command and group under ``hunter``."""
    group = group or typer.main.get_command(app)
    yield path, group
    for name, cmd in getattr(group, "commands", {}).items():
        yield from _commands(cmd, (*path, name))


ALL = list(_commands())


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=lambda p: " ".join(p) or "hunter")
def test_help_shows_plain_metavars(path):
    """No Python types (`<list[str]>`, `<float range>`, `domain <str>`) nor `{INPUT...}...` in any help."""
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    usage = text.split("\n", 1)[0]
    text = text.split("\nCommands:")[0]
    sections = re.split(r"^(?:Arguments|Options):$", text, flags=re.M)[1:]  # not the prose above them
    names = [line.strip().split("  ")[0] for part in sections for line in part.splitlines() if re.match(r"  \S", line)]
    params = "\n".join([usage.split("[OPTIONS]")[-1], *names])  # the usage and each parameter's name column
    assert not re.search(r"<[a-z][^>]*>", params), text  # <str>, <path>, <list[str]>, <int range>
    assert "{" not in usage, text
    assert not re.search(r"\b(str|int|float|bool|list)\b", params), text
    # arguments in the usage line are upper case names (DOMAIN, TAG..., [DOMAIN]...)
    for word in usage.split()[len(path) + 2 :]:
        assert word.strip("[].") == word.strip("[].").upper(), usage


def test_one_meaning_per_short_flag():
    """A short flag means the same long option in every command that has it; -n is always a row limit."""
    meaning: dict[str, set[str]] = {}
    for _, cmd in ALL:
        for p in getattr(cmd, "params", []):
            longs = [o for o in p.opts + p.secondary_opts if o.startswith("--")]
            for short in (o for o in p.opts if re.fullmatch(r"-[A-Za-z]", o)):
                meaning.setdefault(short, set()).update(longs[:1])
    assert {k: v for k, v in meaning.items() if len(v) > 1} == {}
    assert meaning["-n"] == {"--limit"} and meaning["-f"] == {"--format"} and meaning["-q"] == {"--quiet"}


def test_every_list_command_takes_limit_n():
    group = typer.main.get_command(app)
    for path in (("leads",), ("changes",), ("referrals", "list")):
        cmd = group
        for name in path:
            cmd = cmd.commands[name]  # type: ignore[attr-defined]
        opts = {o for p in cmd.params for o in p.opts}
        assert {"--limit", "-n"} <= opts, path


def test_version_short_and_completion():
    assert CliRunner().invoke(app, ["-V"]).stdout.startswith("hunter ")
    text = CliRunner().invoke(app, ["--help"]).stdout
    assert "--install-completion" in text and "--show-completion" in text


def test_version_is_the_installed_packages_and_pyprojects():
    """`hunter -V` / `--version` print the installed distribution's version, which is pyproject.toml's."""
    import sys
    from importlib.metadata import version
    from pathlib import Path

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    declared = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]["version"]
    assert version("hunter-cli") == declared
    for flag in ("-V", "--version"):
        proc = subprocess.run(
            [sys.executable, "-m", "hunter_cli", flag],
            capture_output=True,
            text=True,
            timeout=60,
            env={**__import__("os").environ, "PYTHONSAFEPATH": "1"},
        )
        assert proc.returncode == 0 and proc.stdout == f"hunter {declared}\n", proc.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_completion_script_for_each_shell(shell):
    """`hunter --show-completion SHELL` prints a script that completes `hunter` (here through Typer's own hook)."""
    import os
    import sys

    env = dict(os.environ, _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    proc = subprocess.run(
        [sys.executable, "-c", "from hunter_cli.cli import main; main()", "--show-completion", shell],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "_HUNTER_COMPLETE" in proc.stdout and "hunter" in proc.stdout


def test_choices_take_any_case_and_either_separator(hunter):
    hunter.scan_json("firma.com.tr", "gmailer.de", "--no-whois")
    for argv in (
        ["changes", "--kind", "provider-changed"],
        ["changes", "--kind", "PROVIDER_CHANGED"],
        ["changes", "-f", "JSON"],
        ["leads", "--segment", "existing", "-f", "Json"],
        ["leads", "--workload", "exchange_online", "-f", "csv"],
        ["sales-summary", "firma.com.tr", "--lang", "TR"],
    ):
        result = hunter(*argv, dns_args=False)
        assert result.exit_code == 0, (argv, result.output)
    tr = hunter("sales-summary", "firma.com.tr", "-f", "markdown", env={"HUNTER_LANG": "tr_TR.UTF-8"}, dns_args=False)
    en = hunter("sales-summary", "firma.com.tr", "-f", "markdown", env={"HUNTER_LANG": "en_US.UTF-8"}, dns_args=False)
    assert tr.exit_code == 0 and en.exit_code == 0 and tr.stdout != en.stdout
    bad = hunter("sales-summary", "firma.com.tr", "--lang", "de_DE.UTF-8", dns_args=False)
    assert bad.exit_code == 2 and "en, tr" in bad.output
    assert hunter("changes", "--kind", "provider-moved", dns_args=False).exit_code == 2


def test_choice_matching_rules():
    from hunter_cli.choices import language, pick

    assert pick("Provider-Changed", ("provider_changed",)) == "provider_changed"
    assert pick(" migration ", ("Existing", "Migration")) == "Migration"
    assert pick("provider changed", ("provider_changed",)) is None
    for value, lang in (("TR", "tr"), ("tr-TR", "tr"), ("tr_TR.UTF-8", "tr"), ("en_GB@euro", "en"), ("C", None)):
        assert language(value, ("en", "tr")) == lang, value


def test_times_local_for_people_iso_with_offset_for_machines(monkeypatch):
    from hunter_cli.timefmt import day_for_people, for_machines, for_people

    monkeypatch.setenv("TZ", "Europe/Istanbul")
    time.tzset()
    try:
        assert for_people("2026-11-29T12:30:05+00:00") == "2026-11-29 15:30"
        assert for_people("2026-11-29T22:30:00Z") == "2026-11-30 01:30"
        assert day_for_people("2026-11-29T22:30:00+00:00") == "2026-11-30"  # the local day
        assert for_people("2026-12-05") == "2026-12-05" and for_people(None) == ""
        # Turkish as its briefs write a day (trial 32 DATE_STYLES_LEADS_SHOW)
        assert for_people("2026-11-29T12:30:05+00:00", "tr") == "29 Kasım 2026 15:30"
        assert day_for_people("2026-11-29T22:30:00+00:00", "tr") == "30 Kasım 2026"
        assert for_people("2026-12-05", "tr") == "5 Aralık 2026"
        assert for_machines("2026-11-29T12:30:05.123+00:00") == "2026-11-29T12:30:05+00:00"
        assert for_machines("2026-11-29T12:30:05") == "2026-11-29T12:30:05+00:00"  # stored times are UTC
    finally:
        monkeypatch.undo()
        time.tzset()


def test_leads_csv_times_carry_their_offset(hunter):
    hunter.scan_json("firma.com.tr", "--no-whois")
    raw = hunter("leads", "-f", "csv", dns_args=False).stdout.lstrip("\ufeff")
    header, row = raw.splitlines()[:2]
    value = row.split(",")[header.split(",").index("last_scanned")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", value), value


def test_plurals():
    from hunter_cli.render.words import plural

    assert plural(1, "domain") == "1 domain" and plural(0, "domain") == "0 domains"
    assert plural(2, "entry") == "2 entries" and plural(12345, "line") == "12,345 lines"


def test_change_descriptions():
    from hunter_cli.render.changes import describe

    assert describe("provider_changed", "google", "m365") == "Provider: Google Workspace → Microsoft 365"
    assert (
        describe("spf_changed", "v=spf1 mx ~all", "v=spf1 mx include:spf.protection.outlook.com ~all")
        == "SPF: mechanism include:spf.protection.outlook.com added"
    )
    assert describe("spf_changed", "v=spf1 a mx -all", "v=spf1 mx ?all") == "SPF: mechanism a removed; -all → ?all"
    assert describe("spf_changed", None, "v=spf1 -all") == "SPF: record published"
    assert describe("dmarc_policy_changed", "none", "reject") == "DMARC: p=none → p=reject"
    assert describe("workload_changed", "exchange: on_premises", "exchange: hybrid") == "Exchange: on-premises → hybrid"
    assert describe("gateway_changed", "mimecast", "proofpoint") == "Gateway: Mimecast → Proofpoint"


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["leads"], "No leads yet: run `hunter scan FILE` or `hunter import FILE`."),
        (["changes"], "No leads yet: run `hunter scan FILE` or `hunter import FILE`."),
        (["referrals", "list"], "No referrals yet: run `hunter referrals sync`"),
    ],
)
def test_empty_states_say_what_to_run(hunter, db, argv, expected):
    from hunter_cli import store

    store.connect(db, write=True).close()  # an empty database; a missing one is "no database at PATH"
    result = hunter(*argv, dns_args=False)
    assert result.exit_code == 0 and expected in result.stderr and result.stdout == ""


def test_scan_summary_counts_domains_and_registration_honestly(hunter, dns, registries):
    dns.faults[("slowmx.com", "MX")] = "servfail"
    dns.faults[("_dmarc.firma.com.tr", "TXT")] = "servfail"
    result = hunter("scan", "firma.com.tr", "slowmx.com", "nomail.com", "gone-for-good.com.tr")
    err = result.stderr
    assert "Failures       2 domains with failed lookups" in err
    assert "Not found      1 domain does not exist (NXDOMAIN)" in err
    providers = next(line for line in err.splitlines() if line.strip().startswith("Providers"))
    assert "none 1" in providers  # nomail.com only: the domain that does not exist is not a provider "none"
    assert re.search(r"Registration +2 fetched", err)  # firma.com.tr (WHOIS), nomail.com (RDAP)
    # a name that does not exist in DNS is not asked of a registry (a WHOIS query each for a list of dead names)
    assert hunter.whois.count("gone-for-good.com.tr") == 0 and hunter.rdap.count("gone-for-good.com.tr") == 0
    assert "4 lines, 4 unique domains" in err


def _closed_pipe(cmd: list[str], env: dict) -> subprocess.CompletedProcess:
    """Run ``cmd | head -1`` without a shell: read one line, then close the pipe."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    return subprocess.CompletedProcess(cmd, proc.returncode, "", err)


def test_closed_pipe_ends_quietly(hunter, hunter_cmd, dns, tmp_path):
    path, names = _slow_list(dns, tmp_path, n=400, delay=0.0)
    base, env = hunter_cmd
    scan = _closed_pipe(base + ["scan", str(path), "--json", "--nameserver", dns.nameserver, "--no-whois"], env)
    assert scan.returncode in (0, 141) and "Traceback" not in scan.stderr and "Broken pipe" not in scan.stderr
    leads = _closed_pipe(base + ["leads", "-f", "csv"], env)
    assert leads.returncode in (0, 141), leads.stderr
    assert "Traceback" not in leads.stderr and "Broken pipe" not in leads.stderr and "Exception" not in leads.stderr


def test_interrupted_scan_says_what_is_left_and_how_to_continue(hunter_cmd, dns, db, tmp_path):
    path, names = _slow_list(dns, tmp_path)
    base, env = hunter_cmd
    proc = subprocess.Popen(
        base + ["scan", str(path), "-c", "2", "--nameserver", dns.nameserver, "--timeout", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_rows(db, 1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    done = rows(db, "SELECT count(DISTINCT domain) FROM scans")[0][0]
    m = re.search(
        r"interrupted: (?:(\d+) domains? read but not scanned)?(?:, )?(?:(\d+) lines? not read)?;"
        r" results so far are stored\. Continue with: (.*)",
        err,
    )
    assert m, err
    left = int(m.group(1) or 0) + int(m.group(2) or 0)
    assert abs(left - (len(names) - done)) <= 2  # in flight at the moment of Ctrl-C: at most -c 2
    # the options typed are repeated (the nameserver above all: without it the rest would go elsewhere)
    assert m.group(3).startswith(f"hunter scan {path} --")
    words = m.group(3).split()
    assert words[words.index("--nameserver") + 1] == dns.nameserver
    assert words[words.index("--timeout") + 1] == "2.0" and words[words.index("--concurrency") + 1] == "2"
    assert "--max-age" in words and words[words.index("--max-age") + 1] == "1d"


def test_interrupted_rescan_continues_with_rescan_and_its_options(hunter, hunter_cmd, dns, db, tmp_path):
    """Not `hunter scan` and every due domain by name (a line of thousands of names, without the
    options): the same rescan, which picks what is still due."""
    path, names = _slow_list(dns, tmp_path, n=60)
    for name in names:  # first scan, fast
        dns.faults.pop((name, "MX"), None)
    assert hunter("scan", str(path), "--no-whois", "-q").exit_code == 0
    for name in names[30:]:  # half answer at once, half take long enough to be caught in flight
        dns.faults[(name, "MX")] = ("delay", 4.0)
    base, env = hunter_cmd
    args = ["rescan", "--older-than", "0s", "--nameserver", dns.nameserver, "--no-whois", "--timeout", "5"]
    proc = subprocess.Popen(base + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    end = time.monotonic() + 30
    while rows(db, "SELECT count(*) FROM scans")[0][0] < len(names) + 2 and time.monotonic() < end:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    m = re.search(r"interrupted: (\d+) domains? not rescanned; results so far are stored\. Continue with: (.*)", err)
    assert m, (out, err)
    assert 0 < int(m.group(1)) < len(names)
    words = m.group(2).split()
    assert words[:2] == ["hunter", "rescan"] and "slow0.com" not in words
    for option, value in (("--older-than", "0s"), ("--nameserver", dns.nameserver), ("--timeout", "5.0")):
        assert words[words.index(option) + 1] == value
    assert "--no-whois" in words and words[words.index("--db") + 1] == str(db)


def test_no_empty_scan_table_before_an_error(hunter, tmp_path):
    """Nothing was scanned: the input's reasons show, never a summary of zero domains."""
    p = tmp_path / "bad.txt"
    p.write_text("nan\nlocalhost\nali@gmail.com\n")
    result = hunter("scan", str(p))
    assert result.exit_code == 1 and "no valid domain in the input" in result.stderr
    assert "Skipped" in result.stderr and "3 lines, 0 unique domains" in result.stderr
    assert "Scanned" not in result.stderr and "Providers" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["leads", "-n", "abc"], "--limit' / '-n': 'abc' is not a whole number"),
        (["leads", "-n", "2.5"], "'2.5' is not a whole number"),
        (["leads", "-n", "-1"], "-1 is below the lowest allowed value, 0"),
        (["scan", "x.com.tr", "--timeout", "0"], "'--timeout': 0 is below the lowest allowed value, 0.05"),
        (["scan", "x.com.tr", "--timeout", "soon"], "'soon' is not a number"),
        (["scan", "x.com.tr", "--concurrency", "20000"], "20000 is above the highest allowed value, 10000"),
    ],
)
def test_a_bad_number_names_the_option_and_the_range(hunter, args, message):
    """Numbers are checked by hunter_cli/cli/coerce.py: one plain line, exit 2, nothing run."""
    out = hunter(*args, dns_args=False)
    assert out.exit_code == 2, out.stderr
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_numbers_paths_and_lists_arrive_as_their_types(hunter, tmp_path):
    db = tmp_path / "sub" / "h.db"
    ns = hunter.server.nameserver
    out = hunter(
        "scan",
        "nomail.com",
        "--json",
        "--no-whois",
        "--timeout",
        " 2.5 ",
        "-c",
        "3",
        "--retries",
        "1",
        "--nameserver",
        ns,
        "--db",
        str(db),
        dns_args=False,
    )
    assert out.exit_code == 0, out.stderr
    assert db.exists()  # --db arrived as a path
    listed = hunter("leads", "-n", " 1 ", "--sort", "domain", "--sort", "-score", "--db", str(db), "-f", "json")
    assert listed.exit_code == 0, listed.stderr
    assert json.loads(listed.stdout)[0]["domain"] == "nomail.com"


def _help(path: tuple[str, ...], width: int) -> str:
    """`hunter PATH --help` at ``width`` columns (above 80, click's limit is lifted: one line per paragraph)."""
    if width <= 80:
        result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": str(width), "NO_COLOR": "1"})
        assert result.exit_code == 0, result.output
        return result.stdout
    cmd = typer.main.get_command(app)
    settings = {**cmd.context_settings, "terminal_width": width, "max_content_width": width}
    ctx = cmd.context_class(cmd, info_name="hunter", **settings)
    for name in path:
        cmd = cmd.commands[name]
        ctx = cmd.context_class(cmd, info_name=name, parent=ctx, terminal_width=width, max_content_width=width)
    return cmd.get_help(ctx)


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=lambda p: " ".join(p) or "hunter")
def test_no_word_of_any_help_is_split_at_80_columns(path):
    """Every `--help` at COLUMNS=80 wraps between words: each word on an 80-column line is a word of the
    same help printed unwrapped (no `exchange-` / `online`, no `[default:` `/root/.lo` / `cal/...]`),
    and no line is wider than 80 columns (a word too long for its column starts a line of its own)."""
    narrow, wide = _help(path, 80), _help(path, 2000)
    words = set(wide.split())
    for line in narrow.splitlines():
        assert len(line) <= 80, line
        for word in line.split():
            if word.endswith("...") and "Commands:" in narrow:  # a command's summary, cut to fit
                continue
            assert word in words, f"{' '.join(path)}: {word!r} is a piece of a word:\n{narrow}"


# -- a bad choice lists the valid values and names the nearest ---------------------------------
@pytest.mark.parametrize(
    "argv, option, near",
    [
        (["leads", "--provider", "microsft"], "--provider", "m365"),
        (["leads", "--provider", "m356"], "--provider", "m365"),
        (["leads", "--provider", "gogle"], "--provider", "google"),
        (["leads", "--provider", "natroo"], "--provider", "Natro"),
        (["leads", "--gateway", "mimecst"], "--gateway", "mimecast"),
        (["leads", "--segment", "migraton"], "--segment", "Migration"),
        (["leads", "--category", "P7,p2"], "--category", None),
        (["leads", "--crm-status", "qualifed"], "--crm-status", "qualified"),
        (["leads", "--workload", "intun"], "--workload", "intune"),
        (["leads", "--missing", "teamz"], "--missing", "teams"),
        (["leads", "--uses", "zoomm"], "--uses", "zoom"),
        (["leads", "--sort", "-scor"], "--sort", "score"),
        (["leads", "-f", "jsn"], "--format", "json"),
        (["changes", "--kind", "provider-chnged"], "--kind", "provider_changed"),
        (["changes", "--format", "cvs"], "--format", "csv"),
        (["rescan", "--category", "p0"], "--category", None),
        (["referrals", "list", "--status", "activ"], "--status", "Active"),
        (["referrals", "list", "--type", "cosel"], "--type", "cosell"),
        (["crm", "push", "--dry-run", "--provider", "yandx"], "--provider", "yandex"),
        (["sales-summary", "firma.com.tr", "--lang", "turkce"], "--lang", None),
    ],
)
def test_a_bad_choice_lists_the_choices_and_names_the_nearest(hunter, argv, option, near):
    from hunter_cli import store

    store.connect(hunter.db, write=True).close()
    result = hunter(*argv, dns_args=False)
    err = " ".join(result.stderr.split())  # the message as one line, whatever the terminal wrapped
    assert result.exit_code == 2, err
    assert option in err and "use one of:" in err, err
    if near:
        assert f"did you mean {near}?" in err, err
    else:
        assert "did you mean" not in err, err


@pytest.mark.parametrize(
    "typed, meant",
    [("microsoft", "m365"), ("Office365", "m365"), ("o365", "m365"), ("gmail", "google"),
     ("google-workspace", "google"), ("G_Suite", "google"), ("on-prem", "self-hosted")],
)  # fmt: skip
def test_provider_synonyms_list_what_the_id_lists(hunter, typed, meant):
    hunter.scan_json("firma.com.tr", "gmailer.de", "oz-sunucu.com.tr")
    by_synonym = hunter("leads", "--provider", typed, "-f", "json")
    by_id = hunter("leads", "--provider", meant, "-f", "json")
    assert by_synonym.exit_code == 0, by_synonym.stderr
    assert json.loads(by_synonym.stdout) == json.loads(by_id.stdout) and json.loads(by_id.stdout)


def test_choice_hints_and_synonyms_are_pure():
    from hunter_cli.choices import ALIASES, choose, closest, unknown

    assert choose("Migr", ("Existing", "Migration"), "segment") == "Migration"
    assert choose("IronPort", ("cisco", "sophos"), "gateway") == "cisco"
    assert closest("microsft", ("m365", "google"), "provider") == "m365"  # near a synonym: its choice
    assert closest("zzz", ("m365", "google"), "provider") is None
    assert unknown("xx", ("a", "b"), "thing") == "'xx' is not a thing; use one of: a, b"
    for what, synonyms in ALIASES.items():  # a synonym never shadows a value of another choice list
        for word, choice in synonyms.items():
            assert word != choice, (what, word)
    with pytest.raises(ValueError, match="did you mean Existing"):
        choose("Existng", ("Existing", "Migration"), "segment")


# -- commands that change a database never create one ----------------------------------------
CHANGERS = [
    ["tag", "firma.com.tr", "vip"],
    ["untag", "firma.com.tr", "vip"],
    ["note", "firma.com.tr", "called"],
    ["rescore"],
    ["referrals", "link", "r-1", "firma.com.tr"],
    ["crm", "push", "--dry-run"],
    ["db", "prune", "--keep", "30d"],
    ["db", "vacuum"],
]


@pytest.mark.parametrize("argv", CHANGERS, ids=" ".join)
def test_a_command_that_changes_a_database_refuses_a_missing_one(hunter, tmp_path, argv):
    """A mistyped --db is not a new empty database: the same "no database at PATH" as reading commands."""
    typo = tmp_path / "typo" / "hunetr.db"
    result = hunter(*argv, "--db", str(typo), dns_args=False)
    assert result.exit_code == 1, result.stderr
    assert f"no database at {typo}" in " ".join(result.stderr.split())
    assert not typo.exists() and not typo.parent.exists()
    reading = hunter("leads", "--db", str(typo), dns_args=False)
    assert " ".join(reading.stderr.split()) == " ".join(result.stderr.split())  # word for word


@pytest.mark.parametrize(
    "argv",
    [["import", "{csv}"], ["scan", "firma.com.tr"]],
    ids=["import", "scan"],
)
def test_the_commands_that_fill_a_database_still_create_one(hunter, tmp_path, argv):
    csv = tmp_path / "leads.csv"
    csv.write_text("domain\nfirma.com.tr\n", encoding="utf-8")
    new = tmp_path / "new" / "hunter.db"
    result = hunter(*[a.format(csv=csv) for a in argv], "--db", str(new), "-q")
    assert result.exit_code == 0, result.stderr
    assert new.exists()
    assert hunter("tag", "firma.com.tr", "vip", "--db", str(new)).exit_code == 0  # now it exists


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "ndjson"])
def test_a_reader_that_goes_away_mid_list_gets_141_in_every_format(hunter, hunter_cmd, tmp_path, fmt):
    """More rows than a pipe holds, read one line of: 141 and silence (Typer's own handling of EPIPE
    and Rich's said 1, a failure, with nothing on stderr)."""
    listing = tmp_path / "big.txt"
    listing.write_text("".join(f"firma{i:05d}-ornek.com.tr\n" for i in range(3000)))
    assert hunter("import", str(listing)).exit_code == 0
    base, env = hunter_cmd
    out = _closed_pipe(base + ["leads", "-f", fmt, "-n", "0"], env)
    assert out.returncode == 141, out.stderr
    assert "Traceback" not in out.stderr and "Broken pipe" not in out.stderr and "Exception" not in out.stderr


def test_help_lists_commands_in_a_reps_order_and_cuts_no_summary_at_80_columns():
    import hunter_cli.cli as cli_module

    runner = CliRunner()
    root = runner.invoke(cli_module.app, ["--help"], env={"COLUMNS": "80"})
    listed = [line.split()[0] for line in root.stdout.split("Commands:")[1].splitlines() if line.strip()]
    assert listed == list(cli_module.COMMANDS)  # scan first, then the lists, the brief, the tools
    assert "..." not in root.stdout.split("Commands:")[1]
    for group in {k.split()[0] for k in cli_module.SUBCOMMANDS}:
        sub = runner.invoke(cli_module.app, [group, "--help"], env={"COLUMNS": "80"})
        assert "..." not in sub.stdout.split("Commands:")[1], group


def test_text_from_users_and_dns_is_never_turned_into_emoji(hunter):
    """Rich reads ':fire:' as an emoji code by default; a note or a company name must print as written."""
    assert hunter("scan", "nomail.com", "--no-tenant", "--no-whois", "-q").exit_code == 0
    assert hunter("note", "nomail.com", ":fire: call back after the fair").exit_code == 0
    shown = hunter("leads", "show", "nomail.com")
    assert ":fire: call back" in shown.stdout and "\N{FIRE}" not in shown.stdout


def test_a_zero_duration_needs_no_unit():
    from datetime import timedelta

    from hunter_cli.durations import parse_duration

    assert parse_duration("0") == timedelta(0) == parse_duration("0s")
    assert parse_duration("7d") == timedelta(days=7)
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("5")  # a number other than zero says nothing without its unit


GROUPS = [[name] for name, cmd in ALL[0][1].commands.items() if hasattr(cmd, "commands") and cmd.no_args_is_help]


@pytest.mark.parametrize("group", [[], *GROUPS], ids=lambda g: " ".join(g) or "hunter")
def test_a_group_run_alone_prints_its_help_and_exits_0(hunter_cmd, group):
    """trial12 E10: `hunter rules` printed its help and exited 2 (a usage error); a group run alone is
    a request for its menu, as `--help` is: stdout, exit 0. A command without its argument stays 2."""
    base, env = hunter_cmd
    shown = subprocess.run(base + group, env=env, capture_output=True, text=True, timeout=60)
    helped = subprocess.run(base + [*group, "--help"], env=env, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and shown.stderr == "", shown.stderr
    assert shown.stdout == helped.stdout
    bare = subprocess.run(base + ["scan"], env=env, capture_output=True, text=True, timeout=60)
    assert bare.returncode == 2 and "Usage:" in bare.stderr


def _on_a_terminal(cmd: list[str], env: dict) -> str:
    """``cmd``'s stderr as a terminal of ``env``'s COLUMNS shows it (a pseudo-terminal), escape codes removed."""
    import os
    import pty

    master, slave = pty.openpty()
    try:
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=slave, timeout=60, check=False)
    finally:
        os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other side is closed and everything was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode()).replace("\r\n", "\n")


def test_a_long_warning_wraps_on_a_terminal_and_is_one_line_in_a_pipe(hunter_cmd, dns):
    """trial14: a warning of 220 characters was one line on an 80-column terminal, cut mid-word by the
    terminal. On a terminal it is wrapped at word boundaries; in a pipe or a log it stays one line that grep
    finds whole."""
    base, env = hunter_cmd
    env = dict(env, HUNTER_MS_LOGIN_URL="http://127.0.0.1:9/", COLUMNS="80")  # nothing listens: a long warning
    cmd = base + ["scan", "firma.com.tr", "gmailer.de", "--nameserver", dns.nameserver, "--no-whois", "-q"]
    piped = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60).stderr
    warning = next(line for line in piped.splitlines() if line.startswith("warning:"))
    assert len(warning) > 160, warning  # one line, whatever its length
    shown = _on_a_terminal(cmd, env)
    lines = shown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("warning:"))
    assert max(len(line) for line in lines) <= 80, shown
    wrapped = lines[start : start + len(warning) // 40]
    assert " ".join(" ".join(wrapped).split()).startswith(" ".join(warning.split()[:20])), shown
    assert all(not line.endswith("-") or line.endswith(" -") for line in wrapped)  # whole words, not cut
