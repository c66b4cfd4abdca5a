"""Shell completion (docs/cli.md, "Shell completion"): every option that takes one of a fixed set of values
completes them in bash, zsh and fish, through the environment variables the installed scripts set, and
`hunter --show-completion SHELL` prints that shell's script."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from hunter_cli.cli import app


def _complete_bash(words: list[str]) -> list[str]:
    """What `hunter WORDS<Tab>` offers in bash (the last word is the one being completed, '' for a new one)."""
    env = {
        "_HUNTER_COMPLETE": "complete_bash",
        "COMP_WORDS": " ".join(["hunter", *words]),
        "COMP_CWORD": str(len(words)),
    }
    result = CliRunner().invoke(app, [], env=env, prog_name="hunter")
    assert result.exit_code == 0, result.output
    return [line for line in result.stdout.splitlines() if line]


# (command words, option, values it must offer for an empty word, exactly or at least)
FIXED = [
    (["leads"], "--category", ["P1", "P2", "P3", "P4", "P5", "P6"]),
    (["crm", "push"], "--category", ["P1", "P2", "P3", "P4", "P5", "P6"]),
    (["rescan"], "--category", ["P1", "P2", "P3", "P4", "P5", "P6"]),
    (["leads"], "--segment", ["Existing", "Migration", "Cold", "Skip"]),
    (["leads"], "--crm-status", ["open", "qualified", "disqualified", "failed", "none"]),
    (["sales-summary", "x.com"], "--lang", ["en", "tr"]),
    (["prep", "x.com"], "--lang", ["en", "tr"]),
    (["crm", "push"], "--lang", ["en", "tr"]),
    (["referrals", "list"], "--status", ["New", "Active", "Closed"]),
    (["referrals", "list"], "--type", ["Independent", "Shared", "cosell", "marketplace", "partner"]),
]
AT_LEAST = [
    (["leads"], "--provider", {"m365", "google", "yandex", "hosting", "self-hosted", "none"}),
    (["leads"], "--gateway", {"any", "none", "mimecast", "proofpoint"}),
    (["leads"], "--uses", {"zoom", "slack", "okta", "salesforce"}),
    (["leads"], "--workload", {"exchange-online", "exchange-onprem", "teams", "intune"}),
    (["leads"], "--missing", {"exchange-online", "intune"}),
    (["crm", "push"], "--workload", {"exchange-online", "intune"}),
    (["leads"], "--sort", {"domain", "company", "score", "category", "scanned"}),
    (["changes"], "--kind", {"provider_changed", "gateway_added", "expires_soon"}),
    (["leads"], "--format", {"table", "json", "ndjson", "csv"}),
]


@pytest.mark.parametrize(("words", "option", "values"), FIXED, ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_a_choice_option_completes_its_values(words, option, values):
    assert _complete_bash([*words, option, ""]) == values


@pytest.mark.parametrize(
    ("words", "option", "values"), AT_LEAST, ids=lambda v: " ".join(v) if isinstance(v, list) else ""
)
def test_a_catalog_option_completes_its_ids(words, option, values):
    offered = _complete_bash([*words, option, ""])
    assert values <= set(offered) and len(offered) == len(set(offered)), offered


def test_completion_matches_as_the_commands_read_any_case_and_either_separator_and_the_last_list_item():
    assert _complete_bash(["leads", "--category", "p"]) == ["p1", "p2", "p3", "p4", "p5", "p6"]
    assert _complete_bash(["leads", "--segment", "MIG"]) == ["MIGration"]
    assert _complete_bash(["leads", "--workload", "exchange_on"]) == ["exchange_online", "exchange_onprem"]
    assert _complete_bash(["leads", "--category", "P1,P"]) == [f"P1,P{n}" for n in range(1, 7)]
    assert _complete_bash(["leads", "--sort", "category,-sc"]) == ["category,-score", "category,-scanned"]
    assert _complete_bash(["changes", "--kind", "tenant"]) == ["tenant_appeared"]
    assert _complete_bash(["leads", "--category", "P9"]) == []
    # the option names still complete, and a free-text option offers nothing of its own
    assert "--category" in _complete_bash(["leads", "--cat"])
    assert _complete_bash(["leads", "--search", ""]) == []


def test_every_offered_value_is_one_the_command_takes(hunter):
    """What completion offers for each option, given back as that option's value, is accepted (exit 0)."""
    hunter.scan_json("firma.com.tr", "--no-whois")
    for words, option, _ in FIXED + AT_LEAST:
        if words[0] in ("prep", "crm", "rescan"):  # they need the network or Dynamics; the same lists as leads
            continue
        offered = _complete_bash([*words, option, ""])
        if option == "--lang" or option == "--format":
            runs = [[option, value] for value in offered]
        elif option == "--kind":
            runs = [[arg for value in offered for arg in (option, value)]]
        else:
            runs = [[option, ",".join(offered)]]
        for extra in runs:
            argv = [*words, *extra]
            if words == ["sales-summary", "x.com"]:
                argv[1] = "firma.com.tr"
            result = hunter(*argv, dns_args=False)
            assert result.exit_code == 0, (argv, result.output)


def _installed(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The installed entry point's code as a process (its package, not the source tree)."""
    full = dict(os.environ, PYTHONSAFEPATH="1", NO_COLOR="1", **(env or {}))
    for key in ("_HUNTER_COMPLETE", "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"):
        if env is None or key not in env:
            full.pop(key, None)
    return subprocess.run(
        [sys.executable, "-m", "hunter_cli", *argv], capture_output=True, text=True, env=full, timeout=60
    )


SCRIPT_MARKS = {
    "bash": "complete -o default -F _hunter_completion hunter",
    "zsh": "#compdef hunter",
    "fish": "complete --command hunter",
    "powershell": "Register-ArgumentCompleter",
}


@pytest.mark.parametrize("shell", sorted(SCRIPT_MARKS))
def test_show_completion_prints_the_script_of_the_shell_named(shell):
    """Whatever shell runs hunter (here none, or bash), the script is the one for the shell named."""
    for argv in (["--show-completion", shell], [f"--show-completion={shell}"]):
        proc = _installed(*argv)
        assert proc.returncode == 0, proc.stderr
        assert SCRIPT_MARKS[shell] in proc.stdout and "_HUNTER_COMPLETE" in proc.stdout
        others = [mark for other, mark in SCRIPT_MARKS.items() if other != shell]
        assert not any(mark in proc.stdout for mark in others), argv


def test_show_completion_of_an_unknown_shell_is_a_usage_error():
    proc = _installed("--show-completion", "tcsh")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "'tcsh' is not a shell Hunter completes" in proc.stderr and "zsh" in proc.stderr


def test_each_shell_completes_choice_values_through_its_script_variables():
    """The variables each installed script sets, answered by the installed entry point."""
    bash = _installed(
        env={"_HUNTER_COMPLETE": "complete_bash", "COMP_WORDS": "hunter leads --category ", "COMP_CWORD": "3"}
    )
    assert bash.returncode == 0 and bash.stdout.split() == ["P1", "P2", "P3", "P4", "P5", "P6"], bash.stderr
    zsh = _installed(env={"_HUNTER_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "hunter leads --segment "})
    assert zsh.returncode == 0 and all(s in zsh.stdout for s in ('"Existing"', '"Migration"', '"Cold"', '"Skip"'))
    fish = _installed(
        env={
            "_HUNTER_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
            "_TYPER_COMPLETE_ARGS": "hunter sales-summary acme.com.tr --lang ",
        }
    )
    assert fish.returncode == 0 and fish.stdout.split() == ["en", "tr"], fish.stderr
