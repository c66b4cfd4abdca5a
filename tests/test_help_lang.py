"""`--help` in the command's language (hunter_cli/cli/helplang.py): with `--lang tr` (the root's or the
command's), HUNTER_LANG=tr or `lang = "tr"` in the config file, every command's help is Turkish, from
hunter_cli/cli/help/tr.json; English help stays as docs/cli.md shows it."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest
import typer.main
from typer._click import Context
from typer.testing import CliRunner

from hunter_cli.cli import app, helplang

ROOT = Path(__file__).resolve().parent.parent
TR = helplang.load("tr")
PLAIN = {"COLUMNS": "80", "NO_COLOR": "1", "HUNTER_LANG": None}


def _commands(cmd=None, ctx=None, path=()):
    """(path, command, context) for every command and group under ``hunter``, as help lists them."""
    if cmd is None:
        cmd = typer.main.get_command(app)
        ctx = Context(cmd, info_name="hunter")
    yield path, cmd, ctx
    for name in cmd.list_commands(ctx) if hasattr(cmd, "commands") else ():
        sub = cmd.commands[name]
        yield from _commands(sub, Context(sub, info_name=name, parent=ctx), (*path, name))


ALL = list(_commands())


def _shown() -> dict[str, list[str]]:
    """Every English text some help shows (helplang.key of it) -> where: `hunter scan --timeout`,
    `scan (summary)` (the command lists), `scan` (the command's own help)."""
    shown: dict[str, list[str]] = {}
    for path, cmd, ctx in ALL:
        where = " ".join(("hunter", *path))
        texts = []
        if path:  # the command's line in its group's list: its summary, else its help's first sentence
            texts.append((f"{where} (summary)", cmd.short_help or cmd.help or ""))
        texts.append((where, cmd.help or ""))
        for param in cmd.get_params(ctx):
            if param.get_help_record(ctx) is not None:  # hidden ones are shown nowhere
                texts.append((f"{where} {param.opts[0]}", param.help or ""))
        for place, text in texts:
            assert text.strip(), f"{place} has no help text"
            shown.setdefault(helplang.key(text), []).append(place)
    return shown


def test_every_command_and_option_has_turkish_help_and_no_entry_is_left_over():
    """A command or an option added (or its English help changed) without Turkish fails here, and so does
    a Turkish entry whose English text no help shows any more (an option removed, a help reworded)."""
    shown = _shown()
    left_over = [k for k in TR["texts"] if k not in shown]
    missing = []
    for text, places in shown.items():
        if text not in TR["texts"]:
            near = difflib.get_close_matches(text, left_over, n=1, cutoff=0.5)
            hint = f"\n    (the entry for it may be the left-over {near[0]!r})" if near else ""
            missing.append(f"{', '.join(places)}: {text!r}{hint}")
    assert not missing, "no Turkish help in hunter_cli/cli/help/tr.json for:\n  " + "\n  ".join(missing)
    assert not left_over, "Turkish entries no help shows any more:\n  " + "\n  ".join(map(repr, left_over))
    assert all(value.strip() and value != text for text, value in TR["texts"].items())


# What a translation says in place of English words inside a name's span: the placeholders of a command
# as its Turkish usage line shows them (`hunter scan DOSYA`), and the words of an `[env var: ...]` note.
SAID_AS = {
    "FILE": "DOSYA",
    "DOMAIN": "ALAN_ADI",
    "env var": "ortam değişkeni",
    "for long lists only": "yalnızca uzun listeler için",
}


def test_the_turkish_file_keeps_names_and_variables():
    """A translation names the same options, environment variables and commands as its English text (they
    are typed as they are in both languages), and is plain text (no Rich markup, no tab)."""
    said = re.compile("|".join(rf"\b{re.escape(w)}\b" for w in SAID_AS))
    for english, turkish in TR["texts"].items():
        for pattern in (
            r"--[a-z][a-z-]*",
            r"\bHUNTER_[A-Z_]+\b",
            r"`[^`]+`",
            r"\[(?:env var|ortam değişkeni): [^\]]+\]",
        ):
            want = [said.sub(lambda m: SAID_AS[m[0]], found) for found in re.findall(pattern, english)]
            assert sorted(want) == sorted(re.findall(pattern, turkish)), (pattern, english, turkish)
        assert "[bold" not in turkish and "\t" not in turkish, turkish


def _help(argv: list[str], env: dict | None = None) -> str:
    result = CliRunner().invoke(app, argv, prog_name="hunter", env={**PLAIN, **(env or {})})
    assert result.exit_code == 0, result.output
    return result.stdout


SCAN_TR = [  # lines as they are
    "Kullanım: hunter scan [SEÇENEKLER] GİRDİ...",
    "Argümanlar:",
    "Seçenekler:",
    "  -h, --help                Bu yardımı gösterir ve çıkar.",
]
SCAN_TR_WORDS = [  # wherever the lines break
    "Alan adlarını tarar: e-posta sağlayıcısı, e-posta güvenlik ağ geçidi, SPF, DKIM ve DMARC.",
    "GİRDİ... Alan adları, URL'ler, e-posta adresleri, .txt/.csv/.xlsx dosyaları ya da standart girdi için -."
    " [zorunlu]",
    "--db YOL Kullanılacak SQLite dosyası. Varsayılan: kullanıcı veri klasörünüzdeki hunter.db."
    " [ortam değişkeni: HUNTER_DB]",
    "--timeout SANİYE Bir DNS yanıtı için beklenecek saniye. [varsayılan: 3.0; 0.05<=x<=60]",
    "--nameserver HOST[:PORT] Sorulacak DNS sunucusu, HOST[:PORT] (birden çok kez verilebilir;",
    "-c, --concurrency N Aynı anda taranan alan adı sayısı. [varsayılan: 500; 1<=x<=10000]",
    "--lang DİL Mesajların ve özetin dili: en ya da tr. Varsayılan: en. [ortam değişkeni: HUNTER_LANG]",
]
# Click's and Typer's English words, and English help of Hunter's own, that Turkish help must not show
ENGLISH = re.compile(r"Usage:|Options:|Arguments:|Commands:|\[default|\brequired|env var|Show this|Exit codes|\bthe\b")


@pytest.mark.parametrize(
    "argv, env",
    [
        (["--lang", "tr", "scan", "--help"], {}),
        (["scan", "--lang", "tr", "--help"], {}),
        (["scan", "--help", "--lang=TR"], {}),
        (["scan", "--help"], {"HUNTER_LANG": "tr"}),
        (["scan", "-h"], {"HUNTER_LANG": "tr_TR.UTF-8"}),
    ],
)
def test_scan_help_in_turkish_at_80_columns(argv, env):
    text = _help(argv, env)
    lines = [line.rstrip() for line in text.splitlines()]
    for line in SCAN_TR:
        assert line in lines, (line, text)
    flat = " ".join(text.split())
    for words in SCAN_TR_WORDS:
        assert words in flat, (words, text)
    assert max(len(line) for line in lines) <= 80, text
    assert not ENGLISH.search(text), (ENGLISH.search(text), text)
    assert "\x1b[" not in text  # NO_COLOR


def test_english_help_is_unchanged_whatever_says_english():
    """English help is the one docs/cli.md shows (generated from it: `cog -r docs/cli.md`), by default and
    with `--lang en`, HUNTER_LANG=en, or `--lang en` over HUNTER_LANG=tr."""
    page = (ROOT / "docs" / "cli.md").read_text("utf-8")
    documented = page.split("### `hunter scan`\n\n```text\n", 1)[1].split("```", 1)[0]
    assert documented.startswith("Usage: hunter scan [OPTIONS] INPUT...\n")
    for argv, env in (
        (["scan", "--help"], {}),
        (["scan", "--help"], {"HUNTER_LANG": "en"}),
        (["--lang", "en", "scan", "--help"], {"HUNTER_LANG": "tr"}),
        (["scan", "--lang", "en", "-h"], {"HUNTER_LANG": "tr"}),
        (["--lang", "tr", "scan", "--lang", "en", "--help"], {}),  # the command's own --lang over the root's
    ):
        assert _help(argv, env) == documented, (argv, env)


def test_english_help_reads_no_translation():
    helplang.load.cache_clear()
    try:
        _help(["--help"])
        _help(["leads", "show", "--help"])
        assert helplang.load.cache_info().currsize == 0
        _help(["--help"], {"HUNTER_LANG": "tr"})
        assert helplang.load.cache_info().currsize == 1
    finally:
        helplang.load.cache_clear()


@pytest.mark.parametrize("path", [p for p, _, _ in ALL], ids=lambda p: " ".join(p) or "hunter")
def test_every_help_in_turkish(path):
    """Every command's and group's help, Turkish all through: its own text, its options', its list of
    commands (one line each, as in English), Click's words; every line within 80 columns."""
    text = _help(["--lang", "tr", *path, "--help"])
    lines = text.splitlines()
    assert lines[0].startswith(f"Kullanım: {' '.join(('hunter', *path))} [SEÇENEKLER]"), text
    assert not ENGLISH.search(text), (ENGLISH.search(text), text)
    assert max(len(line) for line in lines) <= 80, text
    if "Komutlar:" in lines:
        listed = lines[lines.index("Komutlar:") + 1 :]
        assert all(re.match(r"  \S", line) for line in listed), text  # no summary wraps onto a second line
    # the names column as in English: the same options and commands, each value placeholder as the usage line
    # says it (--since SÜRE)
    from hunter_cli.brief.messages import Messages
    from hunter_cli.cli.usage import placeholders

    english = [placeholders(n, Messages("tr")) for n in _names(_help([*path, "--help"]), "Options")]
    assert _names(text, "Seçenekler") == english != [], text


def _names(text: str, heading: str) -> list[str]:
    """The names column of help's options and commands (below ``heading``): `--db PATH`, `scan`."""
    part = text.split(f"\n{heading}:\n", 1)[1]
    return [line[2:].split("  ")[0] for line in part.splitlines() if re.match(r"  \S", line)]


def test_the_language_comes_from_the_config_file_too(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('lang = "tr"\n', "utf-8")
    by_flag = _help(["--config", str(config), "db", "--help"])
    by_env = _help(["db", "--help"], {"HUNTER_CONFIG": str(config)})
    assert by_flag == by_env and by_flag.startswith("Kullanım: hunter db [SEÇENEKLER]"), by_flag
    assert "Komutlar:\n  check   Veritabanını ve kayıtlı her sonucu denetler." in by_flag
    # the variable over the file; a file help cannot read, or a language Hunter lacks, is English (the
    # command reports it when it runs); help never fails on a setting
    assert _help(["db", "--help"], {"HUNTER_CONFIG": str(config), "HUNTER_LANG": "en"}).startswith("Usage:")
    config.write_text('lang = "tr"\nnot toml at all\n', "utf-8")
    assert _help(["db", "--help"], {"HUNTER_CONFIG": str(config)}).startswith("Usage:")
    assert _help(["db", "--help"], {"HUNTER_LANG": "de"}).startswith("Usage:")


def test_no_arguments_shows_the_root_help_in_the_language():
    result = CliRunner().invoke(app, [], prog_name="hunter", env={**PLAIN, "HUNTER_LANG": "tr"})
    assert "Kullanım: hunter [SEÇENEKLER] KOMUT [ARGÜMANLAR]..." in result.output
    assert "Komutlar:\n  scan           Alan adlarını tarar, DNS'te görüneni kaydeder." in result.output


def test_the_root_lang_is_the_whole_run_s_language(tmp_path):
    """`hunter --lang tr COMMAND` speaks Turkish in any command (as HUNTER_LANG=tr), `config show` says it
    came from a flag, and a language Hunter lacks is a usage error naming --lang."""

    def run(*argv: str):
        return CliRunner().invoke(app, list(argv), prog_name="hunter", env=PLAIN)

    said = run("--lang", "tr", "leads", "--db", str(tmp_path / "none.db"))
    assert said.exit_code == 1 and said.stderr.startswith("hata: "), said.stderr
    shown = run("--lang", "TR", "config", "show", "-f", "json")
    lang = json.loads(shown.stdout)["settings"]["lang"]
    assert (lang["value"], lang["source"]) == ("tr", "flag")
    bad = run("--lang", "de", "leads", "--db", str(tmp_path / "none.db"))
    assert bad.exit_code == 2 and "--lang" in bad.stderr and "en, tr" in bad.stderr, bad.stderr


def test_the_language_typed_is_read_as_the_commands_read_it():
    """`--lang TR`, `--lang=tr_TR.UTF-8`: a usage error and help read the value as the commands do (a code in
    any case, a locale); the last `--lang` naming a language wins; after `--` it is an input."""
    from hunter_cli.cli import usage

    assert usage.typed_lang(["scan", "--lang", "TR"]) == "tr"
    assert usage.typed_lang(["--lang=tr_TR.UTF-8", "scan"]) == "tr"
    assert usage.typed_lang(["--lang", "tr", "scan", "--lang", "en"]) == "en"
    assert usage.typed_lang(["--lang", "tr", "scan", "--lang", "de"]) == "tr"
    assert usage.typed_lang(["scan", "--", "--lang", "tr"]) is None
    result = CliRunner().invoke(app, ["scan", "--bogus", "--lang", "TR"], prog_name="hunter", env=PLAIN)
    assert result.exit_code == 2 and "Hata: Böyle bir seçenek yok: --bogus" in result.stderr, result.stderr


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("path", [p for p, _, _ in ALL], ids=lambda p: " ".join(p) or "hunter")
def test_exit_codes_read_as_a_turkish_speaker_writes_them(path):
    """Trial 13, C3: "DNS çözümleyicisi" (the compound noun takes its suffix) and "the program reading stdout
    closed", not "DNS çözümleyici doğruyu söylemiyor" or the colloquial "okuyan taraf gitti"."""
    text = _flat(_help(["--lang", "tr", *path, "--help"]))
    assert "DNS çözümleyici doğruyu" not in text and "taraf gitti" not in text, text
    english = _flat(_help([*path, "--help"]))
    if "4 the DNS resolver does not tell the truth" in english:
        assert "4 DNS çözümleyicisi doğruyu söylemiyor" in text, text
    if "141 the reader of stdout went away" in english:
        assert "141 stdout'u okuyan program kapandı" in text, text


def test_leads_help_states_the_one_filter_that_wants_all_of_its_values():
    """Trial 13, C4: the description said every repeated filter matches any of its values, and --missing
    "(repeatable, all of them)": the exception is said where the rule is, in English and Turkish."""
    english = _flat(_help(["leads", "--help"]))
    assert "a repeated filter matches any of its values, except --missing, which matches a lead missing all" in english
    assert "a lead must be missing every one given" in english
    turkish = _flat(_help(["--lang", "tr", "leads", "--help"]))
    assert "yalnızca --missing'de verilen iş yüklerinin hepsi eksik olan seçilir" in turkish
    assert "iş yüklerinin hepsi eksik olan seçilir)" in turkish  # in --missing's own help too
    assert "(birden çok kez verilebilir, hepsi)" not in turkish


def test_turkish_help_names_the_metavars_and_words_turkish_output_shows():
    """trial 30 F11, F12: `--log-file DOSYA` said "FILE dosyasının", and `config show --help` named the English
    sources (flag, env, file, default, set/unset) the Turkish table never prints. Each Turkish text that
    stands for an English one naming a metavar (FILE, DOMAIN, DURATION: messages usage.metavar.*) names the
    Turkish metavar, never the English one; and config show's help names its Turkish sources and secrets."""
    from hunter_cli.brief.messages import Messages

    en, tr = Messages("en"), Messages("tr")
    metavars = {
        key.split(".", 2)[2]: tr(key)
        for key in tr.data
        if key.startswith("usage.metavar.") and tr(key) != key.split(".", 2)[2]
    }
    wrong = []
    for text, turkish in TR["texts"].items():
        for name, said in metavars.items():
            word = rf"(?<![\w-]){re.escape(name)}(?!\w)"
            if re.search(word, text) and (re.search(word, turkish) or said not in turkish):
                wrong.append(f"{name} -> {said}: {turkish[:90]!r}")
    assert not wrong, "\n".join(wrong)
    shown = " ".join(TR["texts"][k] for k in TR["texts"] if k.startswith("Every setting's effective value"))
    for source in ("flag", "env", "file", "default"):
        assert tr(f"table.value.source.{source}") in shown and not re.search(rf"\b{source}\b", shown), source
    assert tr("cli.config.show.set") in shown and tr("cli.config.show.unset") in shown
    assert en("cli.config.show.unset") not in shown
