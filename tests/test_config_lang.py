"""Settings errors and `hunter config show` in the command's language (hunter_cli/config.py, messages
``cli.config.*``): the same line in English as always, and the whole line in Turkish, the check's own
detail included; the language is decided before the settings that can fail (docs/config.md, "The
language of messages"): --lang, else HUNTER_LANG, else the config file's ``lang`` key even when another
key of that file is wrong, else en.

Every test runs the real `hunter` command in-process (Typer's runner), as tests/test_config.py does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

# English words of these messages that a Turkish line never has (paths and setting names left out first).
ENGLISH = re.compile(
    r"config file|environment variable|not valid|at line|\bcolumn\b|\bexpected\b|\bgot\b|unknown key|did you mean"
    r"|\bis not\b|use one of|\bgive\b|\bcannot\b|bad nameserver|no such|is a folder|boolean|whole number"
    r"|\(text\)|an array|denied|Errno|Illegal|Expected|Invalid|input should|does not|named by|lists the"
    r"|\bsecret\b|instead|without quotes|valid IP|end of|codec|directory|log file|' or '|\bwait\b|\bprocesses\b"
    r"|port from|\bselector\b|none there|name in capitals|\bbundled\b|\bdefault\b|\bflag\b|\benv\b|\bunset\b"
    r"|built-in|here: one|saved|\bsetting\b|\bsource\b|\bvalue\b"
)


def _run(hunter, *argv: str, env: dict | None = None):
    """`hunter ARGV` in-process, without the fixture's added --db."""
    from hunter_cli.cli import app

    return hunter.runner.invoke(app, list(argv), env={**hunter.env, **(env or {})}, catch_exceptions=False)


def _in(lang: str, how: str, argv: tuple[str, ...], env: dict) -> tuple[tuple[str, ...], dict]:
    """The command line and environment that ask for ``lang`` by the flag or by HUNTER_LANG."""
    if lang == "en":
        return argv, env
    if how == "flag":
        return ("--lang", lang, *argv), env
    return argv, {**env, "HUNTER_LANG": lang}


def _english_in(text: str, *known: str) -> list[str]:
    """The English words of :data:`ENGLISH` in ``text`` once the paths and names in ``known`` are left out."""
    for k in sorted(known, key=len, reverse=True):
        text = text.replace(k, "<>")
    return ENGLISH.findall(text)


def _config(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


# --- the config file: not valid TOML, an unknown key, a secret, a value of the wrong type or out of range

FILE_CASES = {
    "not TOML": (
        'db_wait = 5\nlang = "tr\n',
        "config file {cfg}: not valid TOML: Illegal character '\\n' (at line 2, column 11)",
        "{cfg} yapılandırma dosyası geçerli TOML değil: izin verilmeyen karakter: '\\n' (2. satır, 11. sütun)",
    ),
    "no '='": (
        "db_wait = 5\n  foo bar = 3\n",
        "config file {cfg}: not valid TOML: Expected '=' after a key in a key/value pair (at line 2, column 7)",
        "{cfg} yapılandırma dosyası geçerli TOML değil: ayar adından sonra '=' bekleniyordu (2. satır, 7. sütun)",
    ),
    "unclosed array": (
        'nameservers = ["192.0.2.1"\n',
        "config file {cfg}: not valid TOML: Unclosed array (at end of document)",
        "{cfg} yapılandırma dosyası geçerli TOML değil: dizi kapanmamış (dosyanın sonunda)",
    ),
    "unknown key, near one": (
        "db_wait = 5\nnamservers = []\n",
        "config file {cfg}, line 2: unknown key 'namservers'; did you mean 'nameservers'?",
        "{cfg} yapılandırma dosyası, 2. satır: bilinmeyen ayar 'namservers'. Bunu mu demek istediniz: 'nameservers'?",
    ),
    "unknown key": (
        '\ncolor = "never"\n',
        "config file {cfg}, line 2: unknown key 'color'; `hunter config show` lists the keys",
        "{cfg} yapılandırma dosyası, 2. satır: bilinmeyen ayar 'color'; geçerli ayarları `hunter config show` listeler",
    ),
    "secret": (
        'partner_token = "eyJhbGciOi.secret.value"\n',
        "config file {cfg}, line 1: partner_token is a secret and is never read from a file;"
        " set HUNTER_PARTNER_TOKEN in the environment instead",
        "{cfg} yapılandırma dosyası, 1. satır: partner_token gizli bir değerdir ve hiçbir zaman dosyadan okunmaz;"
        " onun yerine HUNTER_PARTNER_TOKEN ortam değişkenini ayarlayın",
    ),
    "quoted number": (
        'scan_processes = "3"\n',
        "config file {cfg}, line 1: scan_processes: expected a whole number, got '3' (text);"
        " write it without quotes: scan_processes = 3",
        "{cfg} yapılandırma dosyası, 1. satır: scan_processes: bir tam sayı olmalı, verilen: '3' (metin);"
        " tırnaksız yazın: scan_processes = 3",
    ),
    "boolean": (
        "# settings\nscan_processes = true\n",
        "config file {cfg}, line 2: scan_processes: expected a whole number, got true (a boolean)",
        "{cfg} yapılandırma dosyası, 2. satır: scan_processes: bir tam sayı olmalı, verilen: true (mantıksal değer)",
    ),
    "array": (
        "db_wait = [5]\n",
        "config file {cfg}, line 1: db_wait: expected a number, got an array",
        "{cfg} yapılandırma dosyası, 1. satır: db_wait: bir sayı olmalı, verilen: bir dizi",
    ),
    "negative wait": (
        "db_wait = -1\n",
        "config file {cfg}, line 1: db_wait: a wait cannot be negative; give 0 or more seconds",
        "{cfg} yapılandırma dosyası, 1. satır: db_wait: bekleme süresi eksi olamaz; 0 ya da daha çok saniye verin",
    ),
    "processes": (
        "scan_processes = 40\n",
        "config file {cfg}, line 1: scan_processes: give a number of processes from 1 to 16",
        "{cfg} yapılandırma dosyası, 1. satır: scan_processes: 1 ile 16 arasında bir süreç sayısı verin",
    ),
    "port": (
        "mta_sts_port = 70000\n",
        "config file {cfg}, line 1: mta_sts_port: give a TCP port from 1 to 65535",
        "{cfg} yapılandırma dosyası, 1. satır: mta_sts_port: 1 ile 65535 arasında bir TCP portu verin",
    ),
    "nameserver": (
        'nameservers = ["192.0.2.1", "300.1.1.1"]\n',
        "config file {cfg}, line 1: nameservers: bad nameserver '300.1.1.1': not a valid IP address",
        "{cfg} yapılandırma dosyası, 1. satır: nameservers: geçersiz ad sunucusu '300.1.1.1': geçerli bir IP adresi değil",
    ),
    "log level (pydantic's own check)": (
        'log_level = "loud"\n',
        "config file {cfg}, line 1: log_level: input should be 'debug', 'info', 'warning' or 'error'",
        "{cfg} yapılandırma dosyası, 1. satır: log_level: şunlardan biri olmalı: 'debug', 'info', 'warning' ya da 'error'",
    ),
    "choice": (
        '\ntoken_store = "keyrng"\n',
        "config file {cfg}, line 2: token_store: 'keyrng' is not a token store; use one of: auto, keyring, file;"
        " did you mean keyring?",
        "{cfg} yapılandırma dosyası, 2. satır: token_store: 'keyrng' token deposu olarak kullanılamaz;"
        " şunlardan birini kullanın: auto, keyring, file. Bunu mu demek istediniz: keyring?",
    ),
    "DKIM selector": (
        'dkim_selectors = "a b!"\n',
        "config file {cfg}, line 1: dkim_selectors: bad DKIM selector 'a b!'",
        "{cfg} yapılandırma dosyası, 1. satır: dkim_selectors: geçersiz DKIM seçicisi 'a b!'",
    ),
}


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_a_bad_config_file_is_said_whole_in_english_and_in_turkish(hunter, tmp_path, case):
    text, english, turkish = FILE_CASES[case]
    cfg = _config(tmp_path, text)
    env = {"HUNTER_CONFIG": str(cfg)}
    result = _run(hunter, "leads", env=env)
    assert result.exit_code == 2 and result.stderr == "error: " + english.format(cfg=cfg) + "\n", result.stderr
    for how in ("flag", "env"):
        argv, run_env = _in("tr", how, ("leads",), env)
        result = _run(hunter, *argv, env=run_env)
        assert result.exit_code == 2 and result.stderr == "hata: " + turkish.format(cfg=cfg) + "\n", result.stderr
        assert not _english_in(result.stderr, str(cfg)), result.stderr
        assert "secret.value" not in result.stderr and result.stdout == ""


def test_a_config_file_that_is_missing_or_cannot_be_read(hunter, tmp_path):
    gone = tmp_path / "gone.toml"
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b'lang = "t\xfcrk\xe7e"\n')  # not UTF-8: the 10th byte is where it fails
    cases = [
        (
            ("leads",),
            {"HUNTER_CONFIG": str(gone)},
            f"config file {gone} (named by HUNTER_CONFIG) does not exist",
            f"HUNTER_CONFIG ile verilen {gone} yapılandırma dosyası yok",
        ),
        (
            ("--config", str(gone), "leads"),
            {},
            f"config file {gone} (named by --config) does not exist",
            f"--config ile verilen {gone} yapılandırma dosyası yok",
        ),
        (
            ("leads",),
            {"HUNTER_CONFIG": str(folder)},
            f"config file {folder} cannot be read: [Errno 21] Is a directory: '{folder}'",
            f"{folder} yapılandırma dosyası okunamıyor: bir klasör, dosya değil",
        ),
        (
            ("leads",),
            {"HUNTER_CONFIG": str(latin1)},
            f"config file {latin1} cannot be read: 'utf-8' codec can't decode byte 0xfc in position 9:"
            " invalid start byte",
            f"{latin1} yapılandırma dosyası okunamıyor: UTF-8 metni değil (10. bayt okunamıyor)",
        ),
    ]
    for argv, env, english, turkish in cases:
        result = _run(hunter, *argv, env=env)
        assert result.exit_code == 2 and result.stderr == f"error: {english}\n", result.stderr
        for how in ("flag", "env"):
            tr_argv, tr_env = _in("tr", how, argv, env)
            result = _run(hunter, *tr_argv, env=tr_env)
            assert result.exit_code == 2 and result.stderr == f"hata: {turkish}\n", result.stderr
            assert not _english_in(result.stderr, str(tmp_path)), result.stderr


# --- a HUNTER_* variable


ENV_CASES = [
    (
        "HUNTER_NAMESERVERS",
        "300.1.1.1",
        "bad nameserver '300.1.1.1': not a valid IP address",
        "geçersiz ad sunucusu '300.1.1.1': geçerli bir IP adresi değil",
    ),
    (
        "HUNTER_NAMESERVERS",
        "dns.google",
        "bad nameserver 'dns.google': give an IP address, not a name",
        "geçersiz ad sunucusu 'dns.google': bir ad değil, bir IP adresi verin",
    ),
    ("HUNTER_SCAN_PROCESSES", "abc", "expected a whole number, got 'abc'", "bir tam sayı olmalı, verilen: 'abc'"),
    (
        "HUNTER_SCAN_PROCESSES",
        "0",
        "give a number of processes from 1 to 16",
        "1 ile 16 arasında bir süreç sayısı verin",
    ),
    (
        "HUNTER_DB_WAIT",
        "-1",
        "a wait cannot be negative; give 0 or more seconds",
        "bekleme süresi eksi olamaz; 0 ya da daha çok saniye verin",
    ),
    (
        "HUNTER_DNS_DEAD_AFTER",
        "-1",
        "a wait cannot be negative; give 0 or more seconds",
        "bekleme süresi eksi olamaz; 0 ya da daha çok saniye verin",
    ),
    ("HUNTER_DB_WAIT", "nan", "expected a number, got 'nan'", "bir sayı olmalı, verilen: 'nan'"),
    (
        "HUNTER_TOKEN_STORE",
        "vault",
        "'vault' is not a token store; use one of: auto, keyring, file; did you mean auto?",
        "'vault' token deposu olarak kullanılamaz; şunlardan birini kullanın: auto, keyring, file."
        " Bunu mu demek istediniz: auto?",
    ),
    ("HUNTER_MTA_STS_PORT", "0", "give a TCP port from 1 to 65535", "1 ile 65535 arasında bir TCP portu verin"),
    (
        "HUNTER_LOG_LEVEL",
        "loud",
        "input should be 'debug', 'info', 'warning' or 'error'",
        "şunlardan biri olmalı: 'debug', 'info', 'warning' ya da 'error'",
    ),
    ("HUNTER_DKIM_SELECTORS", ",", "no DKIM selector given", "hiç DKIM seçicisi verilmedi"),
    # named the flag --csv-separator, which was not given, in a usage error
    (
        "HUNTER_CSV_SEPARATOR",
        "xx",
        "'xx' is not a CSV separator; use ',' (comma), ';' (semicolon) or tab",
        "'xx' bir CSV ayırıcısı değil; ',' (virgül), ';' (noktalı virgül) ya da tab kullanın",
    ),
]


@pytest.mark.parametrize(("var", "value", "english", "turkish"), ENV_CASES, ids=lambda v: v if "_" in v else None)
def test_a_bad_variable_is_said_whole_in_english_and_in_turkish(hunter, var, value, english, turkish):
    env = {var: value}
    result = _run(hunter, "leads", env=env)
    assert result.exit_code == 2, result.stderr
    assert result.stderr == f"error: environment variable {var}={value}: {english}\n", result.stderr
    for how in ("flag", "env"):
        argv, run_env = _in("tr", how, ("leads",), env)
        result = _run(hunter, *argv, env=run_env)
        assert result.exit_code == 2, result.stderr
        assert result.stderr == f"hata: {var}={value} ortam değişkeni: {turkish}\n", result.stderr
        assert not _english_in(result.stderr, var), result.stderr


def test_a_file_a_command_is_about_to_read_is_said_where_it_was_named_in_turkish(hunter, tmp_path):
    """rules and crm_mapping are checked when used (config.checked): the file's line, or the variable."""
    gone = tmp_path / "gone.yaml"
    cfg = _config(tmp_path, f'\nrules = "{gone}"\n')
    result = _run(hunter, "--lang", "tr", "rules", "matrix", env={"HUNTER_CONFIG": str(cfg)})
    assert result.exit_code == 2
    assert result.stderr == f"hata: {cfg} yapılandırma dosyası, 2. satır: rules: böyle bir dosya yok: {gone}\n"
    result = _run(hunter, "rules", "matrix", env={"HUNTER_RULES": str(tmp_path), "HUNTER_LANG": "tr"})
    assert result.exit_code == 2
    assert result.stderr == f"hata: HUNTER_RULES={tmp_path} ortam değişkeni: {tmp_path} bir dosya değil, bir klasör\n"
    english = _run(hunter, "rules", "matrix", env={"HUNTER_RULES": str(tmp_path)})
    assert (
        english.stderr == f"error: environment variable HUNTER_RULES={tmp_path}: {tmp_path} is a folder, not a file\n"
    )


def test_a_log_file_that_cannot_be_written(hunter, tmp_path):
    english = _run(hunter, "--log-file", str(tmp_path), "leads")
    assert english.exit_code == 2 and english.stderr == f"error: cannot write the log file {tmp_path}: Is a directory\n"
    turkish = _run(hunter, "--lang", "tr", "--log-file", str(tmp_path), "leads")
    assert turkish.exit_code == 2
    assert turkish.stderr == f"hata: {tmp_path} günlük dosyasına yazılamıyor: bir klasör, dosya değil\n"


# --- which language: --lang, HUNTER_LANG, the file's lang key (even beside a wrong key), en


def test_the_files_lang_key_says_the_error_about_another_key(hunter, tmp_path):
    unknown = _config(tmp_path, 'lang = "tr"\ncolor = "never"\n', "unknown.toml")
    result = _run(hunter, "leads", env={"HUNTER_CONFIG": str(unknown)})
    assert result.exit_code == 2
    assert result.stderr == (
        f"hata: {unknown} yapılandırma dosyası, 2. satır: bilinmeyen ayar 'color';"
        " geçerli ayarları `hunter config show` listeler\n"
    )
    wrong = _config(tmp_path, 'db_wait = "soon"\nlang = "TR"\n', "wrong.toml")
    result = _run(hunter, "scan", "nomail.com", env={"HUNTER_CONFIG": str(wrong)})
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"hata: {wrong} yapılandırma dosyası, 1. satır: db_wait: bir sayı olmalı, verilen: 'soon' (metin)\n"
    )
    # the variable and the flag come first, as for every setting
    env = {"HUNTER_CONFIG": str(wrong), "HUNTER_LANG": "en"}
    assert _run(hunter, "leads", env=env).stderr.startswith(f"error: config file {wrong}, line 1: db_wait: expected")
    env = {"HUNTER_CONFIG": str(wrong), "HUNTER_LANG": "tr"}
    assert _run(hunter, "--lang", "en", "leads", env=env).stderr.startswith("error: config file ")
    assert _run(hunter, "leads", "--lang", "en", env=env).stderr.startswith("error: config file ")  # a command's own
    # a usage error before the root command runs (no settings read yet) is said in the file's language too
    usage = _run(hunter, "--bogus", "leads", env={"HUNTER_CONFIG": str(unknown)})
    assert usage.exit_code == 2 and "Böyle bir seçenek yok: --bogus" in usage.stderr, usage.stderr


def test_a_file_that_is_not_toml_sets_no_language(hunter, tmp_path):
    broken = _config(tmp_path, 'lang = "tr"\ndb_wait = "5\n')
    english = f"error: config file {broken}: not valid TOML: Illegal character '\\n' (at line 2, column 13)\n"
    turkish = f"hata: {broken} yapılandırma dosyası geçerli TOML değil: izin verilmeyen karakter: '\\n' (2. satır, 13. sütun)\n"
    assert _run(hunter, "leads", env={"HUNTER_CONFIG": str(broken)}).stderr == english
    assert _run(hunter, "leads", env={"HUNTER_CONFIG": str(broken), "HUNTER_LANG": "tr"}).stderr == turkish
    assert _run(hunter, "--lang", "tr", "leads", env={"HUNTER_CONFIG": str(broken)}).stderr == turkish


def test_a_variable_that_names_no_language_is_said_in_the_files(hunter, tmp_path):
    cfg = _config(tmp_path, 'lang = "tr"\n')
    result = _run(hunter, "leads", env={"HUNTER_CONFIG": str(cfg), "HUNTER_LANG": "de"})
    assert result.exit_code == 2
    assert result.stderr == (
        "hata: HUNTER_LANG=de ortam değişkeni: 'de' dil olarak kullanılamaz; şunlardan birini kullanın: en, tr\n"
    )
    alone = _run(hunter, "leads", env={"HUNTER_LANG": "de"})
    assert (
        alone.stderr == "error: environment variable HUNTER_LANG=de: 'de' is not a brief language; use one of: en, tr\n"
    )


# --- `hunter config show`


def test_config_show_in_turkish(hunter, tmp_path):
    cfg = _config(tmp_path, "db_wait = 5\n")
    env = {"HUNTER_CONFIG": str(cfg), "HUNTER_CRM_TOKEN": "eyJ.secret.value", "COLUMNS": "100"}
    english = _run(hunter, "-v", "config", "show", env=env)
    assert english.exit_code == 0, english.stderr
    lines = [line.rstrip() for line in english.stdout.splitlines()]
    assert lines[:3] == [
        f"config file: {cfg}",
        "environment variables: HUNTER_ and the name in capitals",
        "setting             source   value",
    ]
    assert "db_wait             file     5.0" in lines
    assert "dkim_selectors      default  (the built-in list)" in lines
    assert "crm_token           env      set" in lines and "partner_token       default  unset" in lines
    assert "log_level           flag     info" in lines

    for argv, run_env in (
        (("--lang", "tr", "-v", "config", "show"), env),
        (("-v", "config", "show"), {**env, "HUNTER_LANG": "tr"}),
    ):
        turkish = _run(hunter, *argv, env=run_env)
        assert turkish.exit_code == 0, turkish.stderr
        lines = [line.rstrip() for line in turkish.stdout.splitlines()]
        assert lines[:3] == [
            f"yapılandırma dosyası: {cfg}",
            "ortam değişkenleri: HUNTER_ ve ayarın büyük harflerle adı",
            "ayar                kaynak           değer",
        ]
        assert "db_wait             dosya            5.0" in lines
        assert "dkim_selectors      varsayılan       (yerleşik liste)" in lines
        assert "rules               varsayılan       (Hunter ile gelen)" in lines
        assert "log_level           seçenek          info" in lines
        assert "crm_token           ortam değişkeni  ayarlı" in lines
        assert "partner_token       varsayılan       ayarlı değil" in lines
        assert "secret.value" not in turkish.stdout
        # what is left: setting names, values, paths and URLs, not English words
        table = "\n".join(line.split(None, 1)[1] if " " in line else "" for line in lines[3:])
        assert not _english_in(table, str(tmp_path), "organizations", "stderr"), table

    missing = _run(hunter, "--lang", "tr", "config", "show", env={"HUNTER_CONFIG": str(tmp_path / "yok.toml")})
    assert missing.exit_code == 2  # a file named by HUNTER_CONFIG must exist
    plain = _run(hunter, "--lang", "tr", "config", "show", env={"HUNTER_CONFIG": "", "XDG_CONFIG_HOME": str(tmp_path)})
    assert plain.stdout.splitlines()[0] == f"yapılandırma dosyası: {tmp_path / 'hunter' / 'config.toml'} (bu dosya yok)"
    # JSON is data: its source names stay flag, env, file and default
    data = _run(hunter, "--lang", "tr", "config", "show", "--json", env=env)
    assert '"source": "file"' in data.stdout and '"source": "default"' in data.stdout


def test_help_finds_its_language_in_the_same_order(hunter, tmp_path):
    """--help loads no settings: a variable that names no language is passed over for the file's lang key."""
    cfg = _config(tmp_path, 'lang = "tr"\ncolor = "never"\n')
    turkish = _run(hunter, "config", "--help", env={"HUNTER_CONFIG": str(cfg), "HUNTER_LANG": "de"})
    assert turkish.exit_code == 0 and "Seçenekler" in turkish.stdout, turkish.stdout
    english = _run(hunter, "config", "--help", env={"HUNTER_CONFIG": str(cfg), "HUNTER_LANG": "en"})
    assert english.exit_code == 0 and "Options" in english.stdout, english.stdout


@pytest.mark.parametrize(
    "lang, said",
    [
        ("en", "error: environment variable HUNTER_NAMESERVERS=,,: ',,' holds only commas and spaces, no value"),
        (
            "tr",
            "hata: HUNTER_NAMESERVERS=,, ortam değişkeni: ',,' yalnızca virgül ve boşluktan oluşuyor, hiçbir değer yok",
        ),
    ],
)
def test_a_list_of_only_separators_is_an_error_not_the_default(hunter, lang, said):
    """HUNTER_NAMESERVERS=",," fell back to the system resolver without a word (trial 14): a typo is said, while
    an empty variable is no setting at all."""
    out = _run(hunter, "--lang", lang, "config", "show", env={"HUNTER_NAMESERVERS": ",,"})
    assert out.exit_code != 0 and said in " ".join(out.stderr.split()), out.stderr
    empty = _run(hunter, "config", "show", env={"HUNTER_NAMESERVERS": ""})
    assert empty.exit_code == 0, empty.stderr


def test_a_nameserver_list_of_only_separators_in_the_file_is_an_error(hunter, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('nameservers = [" , "]\n', "utf-8")
    out = _run(hunter, "config", "show", env={"HUNTER_CONFIG": str(config)})
    assert out.exit_code != 0 and "line 1: nameservers: ' , ' holds only commas and spaces" in out.stderr, out.stderr
    config.write_text("nameservers = []\n", "utf-8")  # an empty list: the system resolver, said so by the user
    assert _run(hunter, "config", "show", env={"HUNTER_CONFIG": str(config)}).exit_code == 0
