"""Trial 32's small CLI points (F5): each a kind of fault, tried through the CLI (the conftest `hunter`
fixture: a real DNS server on loopback and the sign-in stand-in) or a real `hunter` process."""

from __future__ import annotations

import os
import subprocess
from datetime import date

import pytest

from hunter_cli import store
from hunter_cli.brief.messages import LANGUAGES, Messages


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_skip_count_is_never_read_with_its_reason(lang):
    """SKIP_GRAMMAR: "Skipped 3 a name reserved for examples and tests (...)": the count ran into a reason said
    as one name. Every reason is a singular sentence, so the count stands apart from it."""
    m = Messages(lang)
    reasons = [k for k in m.data if k.startswith("input.skip.")]
    assert len(reasons) > 15
    for key in reasons:
        reason = m(key, error="x", label="x", tld="x")
        line = m("scan.summary.skip", n=3, reason=reason, where="a.txt:5, a.txt:6, a.txt:7")
        assert f"3 {reason}" not in line, line
        assert line.startswith("3 ") and reason in line, line


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_reserved_names_are_counted_apart_from_their_reason_in_the_scan_summary(hunter, tmp_path, lang):
    listed = tmp_path / "a.txt"
    listed.write_text("firma.com.tr\nexample.com\nx.test\nfoo.localhost\n", encoding="utf-8")
    out = hunter("scan", str(listed), "--no-whois", env={"HUNTER_LANG": lang, "COLUMNS": "200"})
    assert out.exit_code == 0, out.stderr
    said = " ".join(out.stderr.split())
    reason = Messages(lang)("input.skip.reserved")
    assert reason in said and f"3 {reason}" not in said, said


@pytest.mark.parametrize("lang", ["en", "tr"])
@pytest.mark.parametrize("key", ["cli.db.prune_interrupted", "cli.db.vacuum_interrupted"])
def test_the_ctrl_c_messages_end_with_a_full_stop(lang, key):
    """INTERRUPT_LINE: "... Run the same command again to finish" had no full stop (the line's folding is tried
    in test_store_size's Ctrl-C test, on a terminal)."""
    assert Messages(lang)(key).endswith(".")


def test_prune_says_what_a_lead_needs_in_one_subject(hunter, tmp_path):
    """PRUNE_WORDING: "kept 1 that leads, change events or the brief need" read as "kept 1 that leads"."""
    from test_store_size import _history_db

    db = tmp_path / "h.db"
    _history_db(db)
    out = hunter("db", "prune", "--keep", "365d", "--dry-run", "--db", str(db), env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert "that a lead, a change event or the brief needs" in text, text
    assert "that leads" not in text


def _closed_stderr(base, env, *args):
    """Run hunter with a stderr whose reader has gone (`2>&1 | head` after head ended); its exit status."""
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([*base, *args], env=env, stdout=subprocess.DEVNULL, stderr=write, timeout=120)
    finally:
        os.close(write)
    return proc.returncode


def test_a_closed_stderr_ends_quietly_as_a_closed_stdout(hunter_cmd, db):
    """PIPE_EXIT: `hunter changes --since 1dk 2>&1 | head -8` exited 1, the status of a failure, when a message
    met the closed pipe (Rich's and Typer's own answer to EPIPE); a closed stdout ends with 141."""
    base, env = hunter_cmd
    store.connect(db, write=True).close()
    assert _closed_stderr(base, env, "changes", "--since", "1d") == 141
    assert _closed_stderr(base, {**env, "HUNTER_DB": str(db) + ".missing"}, "leads") == 141


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_date_in_the_future_is_a_usage_error(hunter, lang):
    """FUTURE_SINCE: `hunter changes --since 2099-01-01` said "No changes since 2099-01-01." and exit 0."""
    out = hunter("changes", "--since", "2099-01-01", "--lang", lang)
    assert out.exit_code == 2, out.stderr
    assert "2099-01-01" in out.stderr and Messages(lang)("cli.duration.future", value="2099-01-01")[:20] in " ".join(
        out.stderr.split()
    )
    store.connect(hunter.db, write=True).close()
    today = hunter("changes", "--since", date.today().isoformat(), "--lang", lang)
    assert today.exit_code == 0, today.stderr


def test_a_turkish_segment_or_provider_is_matched_folded_and_listed_as_the_turkish_table_shows_it(hunter):
    """TR_SEGMENT_ERROR: `hunter --lang tr leads --segment soguk` was refused while listing "Existing, Migration,
    Cold, Skip", and `--provider digar` asked "Bunu mu demek istediniz: other?" in one line past 80 columns."""
    store.connect(hunter.db, write=True).close()
    tr = {"HUNTER_LANG": "tr", "COLUMNS": "80", "TTY_COMPATIBLE": "1", "NO_COLOR": "1"}  # stderr as a terminal
    for option, value in (("--segment", "soguk"), ("--segment", "GECIS"), ("--provider", "diger")):
        assert hunter("leads", option, value, env=tr).exit_code == 0, value
    out = hunter("leads", "--segment", "sogk", env=tr)
    assert out.exit_code == 2
    said = " ".join(out.stderr.split())
    assert "Mevcut, Geçiş, Soğuk, Pas" in said and "Soğuk?" in said and "Cold" not in said, said
    out = hunter("leads", "--provider", "digar", env=tr)
    assert out.exit_code == 2
    said = " ".join(out.stderr.split())
    assert "kendi, diğer" in said and "yok" in said and "diğer?" in said, said
    assert "other" not in said and "self-hosted" not in said, said
    assert max(len(line) for line in out.stderr.splitlines()) <= 80, out.stderr
    english = " ".join(hunter("leads", "--segment", "sogk", env={"COLUMNS": "80"}).stderr.split())
    assert "Existing, Migration, Cold, Skip" in english, english
