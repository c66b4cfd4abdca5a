"""Trial 30's CLI points: each a kind of fault, tried through the CLI (the conftest `hunter` fixture: a real
DNS server on loopback and the sign-in stand-in)."""

from __future__ import annotations

import re

NARROW = {"COLUMNS": "80"}


def test_rules_matrix_and_check_speak_turkish(hunter):
    """F9: `hunter --lang tr rules matrix` printed English headings and values (Exist, Migr, Cold, Skip, own srv,
    other, none, Y/N) and `rules check` "usable", while docs/cli.md says every list table takes Turkish values."""
    out = hunter("rules", "matrix", env={**NARROW, "HUNTER_LANG": "tr"})
    assert out.exit_code == 0, out.stderr
    text = out.stdout
    for english in ("Without gateway", "With a", "Exist", "Migr", "Cold", "Skip", "own srv", "| other"):
        assert english not in text, english
    headers = [line for line in text.splitlines() if line.startswith("| SPF")]
    assert not any(" none " in h for h in headers) and any("| yok |" in h for h in headers), headers
    assert re.search(r"^\| [EH] \| [EH] \| ", text, re.M), text
    assert "Soğuk" in text and "Mevcut" in text and "kendi" in text and "diğer" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    rules = str(__import__("hunter_cli.scoring", fromlist=["x"]).__file__).replace("__init__.py", "rules.json")
    checked = hunter("rules", "check", rules, env={"HUNTER_LANG": "tr"})
    assert checked.exit_code == 0 and checked.stdout.strip().endswith(": kullanılabilir"), checked.stdout
