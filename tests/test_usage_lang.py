"""Click's usage errors in the command's language (hunter_cli/cli/usage.py): a Turkish rep who mistypes an
option reads Turkish, with `--lang tr` anywhere on the line or HUNTER_LANG=tr; English stays Click's text."""

from __future__ import annotations

import re

import pytest

from hunter_cli.brief.messages import Messages
from hunter_cli.cli import usage

# LANG marks where --lang goes (after --category it would be read as the option's value)
BAD = [
    (["scan", "--bogus", "x", "LANG"], "Böyle bir seçenek yok: --bogus"),
    (["leads", "--db", "DB", "LANG", "--category"], "'--category' seçeneği bir değer ister."),
    (["leads", "show", "LANG"], "'domain' argümanı eksik."),
    (["leads", "--limit", "abc", "LANG"], "'abc' bir tam sayı değil"),
    (["nosuch", "LANG"], "Böyle bir komut yok: 'nosuch'."),
    (["leads", "--format", "jsn", "LANG"], "Bunu mu demek istediniz: json?"),
    (["leads", "--category", "P9", "LANG"], "geçerli bir seçim değil; şunlardan birini kullanın: P1, P2"),
    (["leads", "show", "a.com", "b.com", "LANG"], "Beklenmeyen fazla argüman: (b.com)"),
]


def _with(argv: list[str], extra: list[str], db) -> list[str]:
    i = argv.index("LANG")
    return [str(db) if w == "DB" else w for w in [*argv[:i], *extra, *argv[i + 1 :]]]


ENGLISH = re.compile(r"Error:|Usage:|Try '|No such|Missing|Invalid value|unexpected|requires an|is not a|did you mean")


@pytest.mark.parametrize(("argv", "said"), BAD)
def test_usage_errors_follow_the_language(hunter, argv, said):
    for extra, env in ((["--lang", "tr"], {}), (["--lang=tr"], {}), ([], {"HUNTER_LANG": "tr"})):
        result = hunter(*_with(argv, extra, hunter.db), env=env, dns_args=False)
        assert result.exit_code == 2, result.stderr
        err = " ".join(result.stderr.split())
        assert said in err and "Hata:" in err, err
        assert not ENGLISH.search(err), (ENGLISH.search(err), err)
        if "Kullanım:" in err:
            assert "Yardım için: 'hunter" in err, err
    english = hunter(*_with(argv, [], hunter.db), dns_args=False)
    assert english.exit_code == 2 and "Error:" in english.stderr and "Hata" not in english.stderr


def test_english_is_clicks_own_text(hunter):
    err = hunter("scan", "--bogus", dns_args=False).stderr
    assert err.startswith("Usage: hunter scan [OPTIONS] INPUT...\nTry 'hunter scan -h' for help.\n\n"), err
    assert err.rstrip().endswith("Error: No such option: --bogus"), err
    # --lang en wins over HUNTER_LANG=tr
    assert "Error: No such option" in hunter("scan", "--lang", "en", "--bogus", env={"HUNTER_LANG": "tr"}).stderr


def test_reworded_keeps_what_it_does_not_know(monkeypatch):
    monkeypatch.delenv("HUNTER_LANG", raising=False)
    m = Messages("tr")
    assert usage.reworded("'x' is not a whole number", m) == "'x' bir tam sayı değil"
    assert usage.reworded("a message of the command's own", m) == "a message of the command's own"
    assert usage.lang(["scan", "--lang", "tr", "x"]) == "tr" and usage.lang(["--lang=tr"]) == "tr"
    assert usage.lang(["scan", "--", "--lang", "tr"]) == "en"  # after "--" it is an input, not the option
