"""Hunter's settings: the one module that reads configuration.

Every setting comes from the first of these that has it (docs/config.md):

1. a command-line flag (``--db``, ``--nameserver``, ``-v``, ...);
2. an environment variable, ``HUNTER_`` and the setting's name in capitals
   (``HUNTER_DB``, ``HUNTER_NAMESERVERS``, ...); an empty variable counts as unset;
3. the TOML config file: ``config.toml`` in the user config folder
   (platformdirs' ``user_config_dir("hunter")``), or the file named by
   ``--config`` or ``HUNTER_CONFIG``; its keys are the settings' names in lower case;
4. the default.

The settings are the table :data:`SETTINGS`; the environment and the file
(tomllib; tomli before Python 3.11) are merged and validated by a pydantic model
built from it (:func:`model`), only when one of them sets something that does not
plainly pass (:func:`_plain` takes each value through the model's own steps without
pydantic and leaves every doubt and every error to the model): a command run with
neither, or with plain values, does not import pydantic for its settings. Not
pydantic-settings: its TOML source needs Python 3.11 and cannot say which file
and line a mistake is on, and importing it cost 25 to 45 ms more on every
command (measured beside this module); what is left of it here is ten lines.

A command's option is made by ``cli.common.setting_option``, which asks
:func:`get` (layers 2 to 4) when the flag was not given; the core asks :func:`get`
for settings without a flag (``HUNTER_CATALOG``, ``HUNTER_MS_LOGIN_URL``, ...).
No other module reads ``os.environ`` (tests/test_config.py checks the source).

Secrets (``HUNTER_PARTNER_TOKEN``, ``HUNTER_CRM_TOKEN``) come from the
environment only: a config file that names one is refused, and ``hunter config
show`` says ``set`` or ``unset``, never the value.

A bad setting (TOML syntax, an unknown key, a wrong type, in the file or in the
environment) raises :class:`ConfigError`, whose message is one line naming the
file and line or the variable; the CLI prints it, in the language :func:`language` finds
without the settings that failed, and exits 2.

The CLI imports this module inside commands; ``--help`` only for :func:`language` (the language
of help), and never loads the settings.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .said import Said, said_of

ENV_PREFIX = "HUNTER_"
CONFIG_ENV = "HUNTER_CONFIG"
FILE_NAME = "config.toml"

Source = Literal["flag", "env", "file", "default"]


class ConfigError(Exception):
    """A setting that cannot be used; the message is one line naming where it came from (CLI exit 2).

    Raised with a :class:`~hunter_cli.said.Said` (messages ``cli.config.*``), so the CLI says it in the
    command's language, which :func:`language` finds without the settings that failed."""


def _split(value: object) -> object:
    """``"a, b c"`` -> ``["a", "b", "c"]``: lists in environment variables are comma- or space-separated."""
    if isinstance(value, str):
        return [part for part in re.split(r"[\s,]+", value) if part]
    return value


@dataclass(frozen=True)
class Setting:
    """One setting: its type (as a pydantic field takes it), default and documentation."""

    type: Any
    default: Any
    description: str
    secret: bool = False  # from the environment only; shown as set/unset


# Every setting Hunter reads (docs/config.md lists them). A plain table: the pydantic model that
# checks them (:func:`model`) is built only when there is something to check, so a command run
# with no config file and no HUNTER_* variable never imports pydantic for its settings.
SETTINGS: dict[str, Setting] = {
    # --- the database
    "db": Setting(Path | None, None, "SQLite file (`--db`). Default: hunter.db in the user data folder."),
    "db_wait": Setting(
        float | None,
        None,
        "Seconds a writing command waits while another process holds the write lock"
        " (default 600 for scan, 30 for the others).",
    ),
    # --- scans
    "nameservers": Setting(
        list[str],
        [],
        "DNS servers HOST[:PORT] to ask (`--nameserver`); comma-separated in the environment. Default: the system's.",
    ),
    "dkim_selectors": Setting(
        str | None, None, "Comma-separated DKIM selectors to probe (`--dkim-selectors`). Default: the built-in list."
    ),
    "dns_dead_after": Setting(
        float | None,
        None,
        "Seconds with no DNS answer (and 50 domains in a row without one) after which a scan stops;"
        " 0 never stops. Default 60.",
    ),
    "scan_processes": Setting(
        int | None,
        None,
        "Processes a scan of a long list uses (`--processes`). Default: one per CPU, at most 4; 1 scans in one.",
    ),
    "rules": Setting(Path | None, None, "Scoring rules file used instead of the bundled one (`--rules`)."),
    "catalog": Setting(Path | None, None, "Provider catalog file used instead of the bundled one."),
    "lang": Setting(str | None, None, "Language of briefs, en or tr (`--lang`). Default: en."),
    "csv_separator": Setting(
        str | None,
        None,
        "Separator of the CSV Hunter writes (`--csv-separator`): `,`, `;` (semicolon: Excel in a Turkish,"
        " German or French locale) or `tab`. Default: `,`.",
    ),
    # --- services Hunter talks to (tests and air-gapped runs point them at local servers)
    "ms_login_url": Setting(
        str | None, None, "Base URL of the Microsoft sign-in service. Default: https://login.microsoftonline.com."
    ),
    "rdap_url": Setting(str | None, None, "RDAP base URL used instead of the registry's for every TLD that has RDAP."),
    "mta_sts_port": Setting(
        int | None, None, "Port MTA-STS policy hosts are asked on, for a local test server. Default: 443."
    ),
    "whois_host": Setting(
        str | None, None, "`host[:port]` used instead of the registry's WHOIS server for every TLD that has one."
    ),
    "rdap_bootstrap_url": Setting(str | None, None, "Where `hunter data update` fetches IANA's RDAP bootstrap file."),
    "psl_url": Setting(str | None, None, "Where `hunter data update` fetches the Public Suffix List."),
    "partner_api_url": Setting(str | None, None, "Base URL of the Partner Center referrals API."),
    "crm_url": Setting(
        str | None, None, "Dynamics 365 environment URL (`--url`). Default: the one saved by `hunter crm login`."
    ),
    "crm_mapping": Setting(Path | None, None, "Field mapping file for `hunter crm push` (`--mapping`)."),
    # --- sign-in
    "client_id": Setting(str | None, None, "Public client application id for sign-in (`--client-id`)."),
    "tenant_id": Setting(
        str | None, None, "Your tenant id or domain for sign-in (`--tenant`). Default: organizations."
    ),
    "token_store": Setting(
        str | None, None, "Where the sign-in token cache lives: auto (keyring when there is one), keyring or file."
    ),
    "token_cache": Setting(
        Path | None, None, "Token cache file. Default: msal_token_cache.json in the user data folder."
    ),
    "partner_token": Setting(
        str | None,
        None,
        "A Partner Center bearer token used as is (environment only; never in the config file).",
        secret=True,
    ),
    "crm_token": Setting(
        str | None,
        None,
        "A Dataverse bearer token used as is (environment only; never in the config file).",
        secret=True,
    ),
    # --- logging
    "log_level": Setting(
        Literal["debug", "info", "warning", "error"] | None,
        None,
        "Log to stderr at this level (`-v` is info, `-vv` debug). Default: no log.",
    ),
    "log_file": Setting(
        Path | None, None, "Write the log to this file instead of stderr (`--log-file`); level info unless set."
    ),
}
_PATHS = tuple(name for name, s in SETTINGS.items() if s.type == Path | None)


def kind(name: str) -> str:
    """What a setting's value must be: ``int``, ``float``, ``path``, ``list`` (of text) or ``text``."""
    t = SETTINGS[name].type
    return {int | None: "int", float | None: "float", Path | None: "path", list[str]: "list"}.get(t, "text")


def _expected(k: str, given: Said | str, hint: Said | str = "") -> Said:
    """``expected a whole number, got true (a boolean)``: what setting kind ``k`` takes and what was given."""
    return Said("cli.config.expected", expected=Said(f"cli.config.kind.{k}"), given=given, hint=hint)


def _given(value: object) -> Said:
    """A value as the error shows it, with its TOML type: ``true (a boolean)``, ``'2.0' (text)``."""
    if isinstance(value, bool):
        return Said("cli.config.given.boolean", value=str(value).lower())
    if isinstance(value, int):
        return Said("cli.config.given.whole", value=str(value))
    if isinstance(value, float):
        return Said("cli.config.given.decimal", value=str(value))
    if isinstance(value, str):
        return Said("cli.config.given.text", value=repr(value))
    if isinstance(value, list):
        return Said("cli.config.given.array")
    if isinstance(value, dict):
        return Said("cli.config.given.table")
    return Said("cli.config.given.other", value=repr(value))


def typed(name: str, value: object) -> object:
    """``value`` for setting ``name`` if it has the setting's type, exactly (TOML's types, no coercion:
    ``scan_processes = true`` or ``2.0`` is refused, not read as 1 or 2; a whole number is a number);
    ValueError ``expected a whole number, got true (a boolean)`` (a :class:`Said`) otherwise. Lists of DKIM selectors
    are joined with commas. Text from the environment is read by :func:`from_env` first."""
    k = kind(name)
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool),
        "path": isinstance(value, str | Path),
        "list": isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)),
        "text": isinstance(value, str),
    }[k]
    if name == "dkim_selectors" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if not ok:
        hint: Said | str = ""
        if k in ("int", "float") and isinstance(value, str) and (_WHOLE if k == "int" else _DECIMAL).fullmatch(value):
            hint = Said("cli.config.unquote", name=name, value=value)
        raise ValueError(_expected(k, _given(value), hint))
    if k == "float" and isinstance(value, int | float):
        import math

        if not math.isfinite(value):
            raise ValueError(_expected(k, _given(value)))
        return float(value)
    return value


_WHOLE = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def from_env(name: str, text: str) -> object:
    """An environment variable's text as setting ``name``'s type: ``"4"`` -> 4 for a whole number,
    ``"2.5"`` -> 2.5 for a number (digits and one point only: ``2.0``, ``true`` or ``1e3`` for a whole
    number and ``nan`` for a number are refused); other settings' text as it is. ValueError as
    :func:`typed`'s."""
    k = kind(name)
    if k in ("int", "float"):
        stripped = text.strip()
        if (_WHOLE if k == "int" else _DECIMAL).fullmatch(stripped):
            return int(stripped) if k == "int" else float(stripped)
        raise ValueError(_expected(k, repr(text)))
    if k == "list" and text.strip() and not _split(text):  # ",,": a typo, not "none given" (that is unset)
        raise ValueError(Said("cli.config.list_only_separators", value=repr(text)))
    return text


@functools.cache
def model() -> Any:
    """The pydantic model that checks settings: SETTINGS as fields (secrets as SecretStr, so a
    validation error never echoes one), each value of its own type exactly (:func:`typed`: no lax
    coercion of ``true`` or ``2.0`` to a whole number), lists split on commas and spaces, ``~`` expanded."""
    from pydantic import ConfigDict, Field, SecretStr, create_model, field_validator

    def split(cls: Any, value: object) -> object:
        return _split(value)

    def home(cls: Any, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    def exact(cls: Any, value: object, info: Any) -> object:
        return value if value is None else typed(str(info.field_name), value)

    def level(cls: Any, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value  # the Literal names the levels

    def checked_value(cls: Any, value: object, info: Any) -> object:
        return value if value is None else check(str(info.field_name), value)

    fields: dict[str, Any] = {
        name: (SecretStr | None if s.secret else s.type, Field(s.default, description=s.description))
        for name, s in SETTINGS.items()
    }
    return create_model(
        "Settings",
        __config__=ConfigDict(extra="forbid", frozen=True),
        __validators__={
            # pydantic runs the "before" validators last-defined first: the type is checked before anything is read
            "_list": field_validator("nameservers", mode="before")(split),
            "_home": field_validator(*_PATHS, mode="after")(home),
            "_level": field_validator("log_level", mode="before")(level),
            "_exact": field_validator(*(n for n in SETTINGS if n not in SECRETS), mode="before")(exact),
            "_value": field_validator(*EAGER, mode="after")(checked_value),
        },
        **fields,
    )


def _defaults() -> dict[str, Any]:
    return {name: (list(s.default) if isinstance(s.default, list) else s.default) for name, s in SETTINGS.items()}


_LEVELS = ("debug", "info", "warning", "error")


def _plain(data: dict[str, Any]) -> dict[str, Any] | None:
    """:func:`validated`'s values for ``data`` found without pydantic, or None where the model must decide.

    The model's steps for each value, in its order (:func:`model`): :func:`typed`, the log level's
    case, the nameservers' split, the field's type, ``~`` expanded, the check of :data:`EAGER`. Any
    step that would fail or that is not plainly one of these kinds (a secret that is not text, an
    empty path, an unknown key, a log level not in the list) returns None, and the model checks
    ``data`` and words the error as before. Building the model cost about 50 ms of CPU, at every
    command run with a HUNTER_* variable or a config file (tests/test_config.py compares the two)."""
    values = _defaults()
    for name, value in data.items():
        s = SETTINGS.get(name)
        if s is None:
            return None
        if s.secret:
            if type(value) is not str:
                return None
            values[name] = value
            continue
        try:
            v = typed(name, value)
        except ValueError:
            return None
        k = kind(name)
        if name == "log_level":
            v = v.strip().lower() if isinstance(v, str) else v
            if v not in _LEVELS:
                return None
        elif k == "list":
            v = _split(v)
            if not isinstance(v, list) or not all(type(x) is str for x in v):
                return None
            v = list(v)
        elif k == "path":
            if not (type(v) is str and v) and not isinstance(v, Path):
                return None
            v = Path(v).expanduser()
        elif k == "text" and type(v) is not str:
            return None
        elif k == "int" and type(v) is not int:
            return None
        elif k == "float" and type(v) is not float:
            return None
        if name in EAGER:
            try:
                v = check(name, v)
            except ValueError:
                return None
        values[name] = v
    return values


def validated(data: dict[str, Any]) -> dict[str, Any]:
    """The settings ``data`` gives, checked, with the defaults for the rest (secrets as plain text).

    Raises pydantic's ValidationError; with nothing given, or only values that plainly pass
    (:func:`_plain`), returns them without pydantic."""
    if not data:
        return _defaults()
    plain = _plain(data)
    if plain is not None:
        return plain
    checked = model().model_validate(data)
    values = {name: getattr(checked, name) for name in SETTINGS}
    for name, s in SETTINGS.items():
        if s.secret and values[name] is not None:
            values[name] = values[name].get_secret_value()
    return values


# -- what each setting's value may be: one check, whichever layer the value came from -----------
TOKEN_STORES = ("auto", "keyring", "file")


def _not_one_of(value: str, allowed: tuple[str, ...], what: str) -> Said:
    """:func:`hunter_cli.choices.unknown`'s sentence (``'de' is not a brief language; use one of: en, tr``)
    as a :class:`Said`; ``what`` (``brief language``) is said by messages ``cli.config.what.*``."""
    from .choices import closest

    near = closest(value, allowed, what)
    key = "cli.config.not_one_of" if near is None else "cli.config.not_one_of_near"
    said_what = Said("cli.config.what." + what.replace(" ", "_"))
    return Said(key, value=repr(value.strip()), what=said_what, choices=", ".join(allowed), near=near or "")


def _lang(value: Any) -> str:
    from .brief.messages import LANGUAGES
    from .choices import language

    found = language(str(value), LANGUAGES)
    if found is None:
        raise ValueError(_not_one_of(str(value), LANGUAGES, "brief language"))
    return found


def _choice(allowed: tuple[str, ...], what: str) -> Any:
    def check_choice(value: Any) -> str:
        from .choices import choose

        try:
            return choose(str(value), allowed, what)
        except ValueError:
            raise ValueError(_not_one_of(str(value), allowed, what)) from None

    return check_choice


def _seconds(value: Any) -> float:
    if float(value) < 0:
        raise ValueError(Said("cli.config.negative_wait"))
    return float(value)


MAX_SCAN_PROCESSES = 16


def _processes(value: Any) -> int:
    if not 1 <= int(value) <= MAX_SCAN_PROCESSES:
        raise ValueError(Said("cli.config.processes", most=str(MAX_SCAN_PROCESSES)))
    return int(value)


def _port(value: Any) -> int:
    if not 1 <= int(value) <= 65535:
        raise ValueError(Said("cli.config.port"))
    return int(value)


def _nameservers(value: Any) -> list[str]:
    from .dns.resolver import parse_nameserver

    values = [value] if isinstance(value, str) else list(value)
    for v in values:
        parts = [part for part in str(v).split(",") if part.strip()]
        if not parts:  # "," or " ": a typo, not "the system resolver" (an empty list, or no setting, says that)
            raise ValueError(Said("cli.config.list_only_separators", value=repr(v)))
        for part in parts:
            parse_nameserver(part)  # ValueError(Said): "bad nameserver 'x': give an IP address, not a name"
    return values


def _selectors(value: Any) -> str:
    from .dns.dkim import parse_selectors

    parse_selectors(str(value))  # ValueError(Said): "bad DKIM selector 'a b'"
    return str(value)


def _separator(value: Any) -> str:
    from .render.csvsafe import parse_separator

    parse_separator(str(value))  # ValueError(Said): "'xx' is not a CSV separator; use ',' (comma), ..."
    return str(value)  # as given: the command reads it (cli/common.py use_csv_separator)


def _file(value: Any) -> Path:
    path = Path(value).expanduser()
    if path.is_dir():
        raise ValueError(Said("cli.file.folder", path=str(path)))
    if not path.is_file():
        raise ValueError(Said("cli.file.missing", path=str(path)))
    return path


# Setting -> its check: the value as the program uses it, or ValueError whose message (a Said, so it is
# said in the command's language) says what is wrong and what would do (the caller adds where the value
# came from: flag, variable, or file, line and key).
CHECKS: dict[str, Any] = {
    "lang": _lang,
    "token_store": _choice(TOKEN_STORES, "token store"),
    "db_wait": _seconds,
    "dns_dead_after": _seconds,
    "nameservers": _nameservers,
    "dkim_selectors": _selectors,
    "scan_processes": _processes,
    "mta_sts_port": _port,
    "csv_separator": _separator,
    "rules": _file,
    "crm_mapping": _file,
}
# Checked only when a command uses the setting (:func:`checked`), not whenever settings are read:
# a rules file that is not there yet must not stop `hunter leads` or `hunter config show`.
WHEN_USED = frozenset({"rules", "crm_mapping"})
# Checked whenever a variable or the file sets them, by the settings model.
EAGER = tuple(name for name in CHECKS if name not in WHEN_USED)


def check(name: str, value: Any) -> Any:
    """``value`` for setting ``name`` as the program uses it (``"TR"`` -> ``"tr"``); ValueError when it
    cannot be used. The same check for a flag, a variable and the file: only the wording of where the
    value came from differs (the CLI names the flag, :func:`load` the variable or the file's line and key)."""
    checker = CHECKS.get(name)
    return value if checker is None else checker(value)


SECRETS = frozenset(name for name, s in SETTINGS.items() if s.secret)
NAMES: tuple[str, ...] = tuple(SETTINGS)


def env_name(name: str) -> str:
    """``db`` -> ``HUNTER_DB``: the environment variable of a setting."""
    return ENV_PREFIX + name.upper()


@dataclass
class Loaded:
    """Settings as read once: the values, where the file is, what it held, and the environment seen."""

    settings: dict[str, Any]  # validated values (secrets as plain text), before flags
    file: Path
    file_named_by: Source  # flag (--config), env (HUNTER_CONFIG) or default
    file_exists: bool
    file_data: dict[str, Any]
    env: dict[str, str | None]  # each setting's variable as it was (None: not set)
    flags: dict[str, Any] = field(default_factory=dict)
    generation: int = 0
    values: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.values = {name: self._value(name) for name in NAMES}

    def source(self, name: str) -> Source:
        """Where the effective value of ``name`` came from."""
        if name in self.flags:
            return "flag"
        if self.env[name]:  # an empty variable is unset
            return "env"
        if name in self.file_data:
            return "file"
        return "default"

    def value(self, name: str) -> Any:
        """The effective value (a secret as plain text: callers must never print it)."""
        return self.values[name]

    def _value(self, name: str) -> Any:
        if name in self.flags:
            return self.flags[name]
        return self.settings[name]


_lock = threading.Lock()
_loaded: Loaded | None = None
_flags: dict[str, Any] = {}
_generation = 0  # start() counts the commands run in this process


def default_file() -> Path:
    """``config.toml`` in the user config folder (platformdirs: ~/.config/hunter on Linux)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("hunter", appauthor=False)) / FILE_NAME


def config_file() -> tuple[Path, Source]:
    """The config file to read and what named it: ``--config``, ``HUNTER_CONFIG`` or the default place."""
    if _flags.get("config"):
        return Path(_flags["config"]), "flag"
    named = os.environ.get(CONFIG_ENV)
    if named:
        return Path(named).expanduser(), "env"
    return default_file(), "default"


def _in_file(name: str, config: Path) -> str | None:
    """Key ``name`` of the TOML file ``config`` when it is text, unchecked; None when the file does not set
    it, cannot be read or is not valid TOML (its other keys are not looked at: one of them may be wrong).
    The TOML is parsed only when the text holds the name."""
    try:
        raw = config.read_text("utf-8")
        value = _parse_toml(raw).get(name) if name in raw else None
    except (OSError, UnicodeDecodeError, ValueError):  # no file, a folder, not TOML: as if unset
        return None
    return value if isinstance(value, str) else None


def language(config: Path | None = None) -> str:
    """The language (en, tr) of what is said before the settings are read, or when they cannot be (their
    own error, a usage error, ``--help``): HUNTER_LANG, else the config file's ``lang`` key even when
    another key of the file is wrong, else en (docs/config.md, "The language of messages"); the CLI
    looks at ``--lang`` on the command line first (cli/usage.py :func:`~hunter_cli.cli.usage.early_lang`).

    A value that names no language Hunter speaks is passed over (its own error is said in the next one's
    language); a file that cannot be read or is not valid TOML sets none. ``config`` is ``--config``'s
    value as typed, else HUNTER_CONFIG or the default place names the file. Loads no settings: no
    pydantic, no check, no error; without a variable a few ms (platformdirs, to find the file).
    """
    from .brief.messages import LANGUAGES
    from .choices import language as named_language

    if config is None:
        named = os.environ.get(CONFIG_ENV)
        config = Path(named).expanduser() if named else default_file()
    for text in (os.environ.get(env_name("lang")), _in_file("lang", config)):
        found = named_language(text, LANGUAGES) if text else None
        if found is not None:
            return found
    return "en"


def _line_of(text: str, key: str) -> int | None:
    """The line (1-based) where ``key`` is set or opened as a table in TOML ``text``."""
    pattern = re.compile(rf"""^\s*(\[+\s*)?["']?{re.escape(key)}["']?\s*(=|\])""")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return None


def _where(path: Path, text: str, key: str) -> Said:
    line = _line_of(text, key)
    if line:
        return Said("cli.config.where_line", path=str(path), line=str(line))
    return Said("cli.config.where", path=str(path))


def _problem(error: Any) -> Said:
    """A pydantic error of the settings model in words: a check's own :class:`Said` (the ValueError a
    validator raised), the log level's choices, else pydantic's message ("invalid value" in Turkish)."""
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, ValueError):
        said = said_of(cause)
        if isinstance(said, Said):
            return said
    if error.get("type") == "literal_error" and error.get("loc") == ("log_level",):
        levels = [repr(level) for level in _LEVELS]
        return Said("cli.config.should_be", choices=Said("cli.or", a=", ".join(levels[:-1]), b=levels[-1]))
    msg = str(error.get("msg", "invalid value")).removeprefix("Value error, ")  # a check's own words
    return Said.worded(msg[:1].lower() + msg[1:] if not msg.startswith("'") else msg, "cli.config.invalid")


# tomllib's (and tomli's) messages, each said in the command's language: pattern -> message key; the
# English message of each key is tomllib's own words, so the English line is what tomllib wrote.
_TOML_PROBLEMS = (
    (re.compile(r"Invalid statement"), "statement"),
    (re.compile(r"Expected newline or end of document after a statement"), "end_of_line"),
    (re.compile(r"Expected (?P<what>'.*')"), "expected"),
    (re.compile(r"Found invalid character (?P<what>'.*')"), "invalid_character"),
    (re.compile(r"Cannot declare (?P<name>.+) twice"), "twice"),
    (re.compile(r"Cannot overwrite a value"), "overwrite"),
    (re.compile(r"Expected ']' at the end of a table declaration"), "table_end"),
    (re.compile(r"Expected ']]' at the end of an array declaration"), "array_table_end"),
    (re.compile(r"Cannot mutate immutable namespace (?P<name>.+)"), "immutable"),
    (re.compile(r"Cannot redefine namespace (?P<name>.+)"), "redefine"),
    (re.compile(r"Expected '=' after a key in a key/value pair"), "equals"),
    (re.compile(r"Invalid initial character for a key part"), "key_start"),
    (re.compile(r"Unclosed array"), "unclosed_array"),
    (re.compile(r"Duplicate inline table key (?P<name>.+)"), "duplicate_key"),
    (re.compile(r"Unclosed inline table"), "unclosed_table"),
    (re.compile(r"Unescaped '\\' in a string"), "backslash"),
    (re.compile(r"Invalid hex value"), "hex"),
    (re.compile(r"Escaped character is not a Unicode scalar value"), "scalar"),
    (re.compile(r"Unterminated string"), "unterminated"),
    (re.compile(r"Illegal character (?P<what>'.*')"), "illegal_character"),
    (re.compile(r"Invalid date or datetime"), "date"),
    (re.compile(r"Invalid value"), "value"),
)
_TOML_AT = re.compile(r"(?P<message>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|(?P<end>end of document))\)")


def toml_problem(message: str) -> Said:
    """tomllib's error ``message`` (``Expected '=' after a key in a key/value pair (at line 4, column 7)``)
    as a :class:`Said` in messages ``cli.config.toml.*``: the same English words, and the same fault and
    place in Turkish. A message not in :data:`_TOML_PROBLEMS` (a later tomllib's) is English as it is, and
    "a TOML syntax error" with its place in other languages."""
    found = _TOML_AT.fullmatch(message.strip())
    fault, at = (found["message"], found) if found else (message.strip(), None)
    said = Said.worded(fault, "cli.config.toml.other")
    for pattern, key in _TOML_PROBLEMS:
        words = pattern.fullmatch(fault)
        if words:
            said = Said(f"cli.config.toml.{key}", **words.groupdict())
            break
    if at is None:
        return said
    if at["end"]:
        return Said("cli.config.toml.at_end", problem=said)
    return Said("cli.config.toml.at", problem=said, line=at["line"], column=at["column"])


def os_reason(exc: OSError | UnicodeDecodeError, english: str | None = None) -> Said:
    """Why a file could not be read or written, in the command's language: in English ``english``, else
    what Python says (``[Errno 13] Permission denied: '/etc/x'``, ``'utf-8' codec can't decode byte 0xff
    ...``); in Turkish the same from the error number (messages ``cli.os.*``: ``erişim izni yok``)."""
    import errno

    from .brief.messages import load

    words = str(exc) if english is None else english
    if isinstance(exc, UnicodeDecodeError):
        return Said.worded(words, "cli.os.not_utf8", byte=str(exc.start + 1))
    code = errno.errorcode.get(exc.errno or 0, "")
    if code and f"cli.os.{code}" in load("en"):
        return Said.worded(words, f"cli.os.{code}")
    return Said.worded(words, "cli.os.other", code=code or type(exc).__name__)


def _parse_toml(text: str) -> dict[str, Any]:
    """TOML text as a dict (the standard library's tomllib, tomli before Python 3.11); ValueError when invalid."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    data: dict[str, Any] = tomllib.loads(text)
    return data


def _read_file(path: Path, named_by: Source) -> tuple[bool, dict[str, Any]]:
    """Whether the config file exists, and its checked settings ({} when the default file is not there)."""
    if not path.exists():
        if named_by == "default":
            return False, {}
        how = "--config" if named_by == "flag" else CONFIG_ENV
        raise ConfigError(Said("cli.config.missing", path=str(path), how=how))
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(Said("cli.config.unreadable", path=str(path), why=os_reason(exc))) from None
    try:
        data = _parse_toml(text) if text.strip() else {}  # an empty file: no parser to import
    except ValueError as exc:  # TOMLDecodeError: "Expected '=' after a key ... (at line 3, column 7)"
        raise ConfigError(Said("cli.config.not_toml", path=str(path), why=toml_problem(str(exc)))) from None
    for key in data:
        if key in SECRETS:
            raise ConfigError(Said("cli.config.secret", where=_where(path, text, key), setting=key, var=env_name(key)))
        if key not in SETTINGS:
            close = difflib.get_close_matches(key, NAMES, n=1)
            where = _where(path, text, key)
            if close:
                near = repr(close[0])
                raise ConfigError(Said("cli.config.unknown_key_near", where=where, setting=repr(key), near=near))
            raise ConfigError(Said("cli.config.unknown_key", where=where, setting=repr(key)))
    _, problem = _validate(data)  # the file alone: its mistakes are reported even where env overrides them
    if problem is not None:
        key, message = problem
        where = Said("cli.config.at_key", where=_where(path, text, key), setting=key)
        raise ConfigError(Said("cli.config.bad", where=where, problem=message))
    return True, data


def _validate(data: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, Said] | None]:
    """(:func:`validated` values, None), or ({}, (setting, first problem)) when ``data`` does not pass."""
    if not data:
        return validated(data), None
    plain = _plain(data)
    if plain is not None:
        return plain, None
    from pydantic import ValidationError

    try:
        return validated(data), None
    except ValidationError as exc:
        first = exc.errors()[0]
        return {}, (str(first["loc"][0]) if first["loc"] else "", _problem(first))


_ENV = {name: env_name(name) for name in NAMES}


def _env_snapshot() -> dict[str, str | None]:
    return {name: os.environ.get(var) for name, var in _ENV.items()}


def _variable(name: str, text: str) -> Said:
    """``environment variable HUNTER_X=value`` (a secret without its value), in the command's language."""
    if name in SECRETS:
        return Said("cli.config.secret_variable", var=env_name(name))
    return Said("cli.config.variable", var=env_name(name), value=text)


def load() -> Loaded:
    """Read the environment and the config file now (raises ConfigError); later :func:`get` calls reuse it."""
    global _loaded
    with _lock:
        path, named_by = config_file()
        exists, data = _read_file(path, named_by)
        env = _env_snapshot()
        # the environment over the file; an empty variable is unset; its text read as the setting's type
        given: dict[str, Any] = {}
        for name, text in env.items():
            if not text:
                continue
            try:
                given[name] = from_env(name, text)
            except ValueError as exc:
                raise ConfigError(Said("cli.config.bad", where=_variable(name, text), problem=said_of(exc))) from None
        settings, problem = _validate({**data, **given})
        if problem is not None:
            name, message = problem
            raise ConfigError(Said("cli.config.bad", where=_variable(name, env.get(name) or ""), problem=message))
        _loaded = Loaded(settings, path, named_by, exists, data, env, dict(_flags), _generation)
        return _loaded


def current() -> Loaded:
    """The settings read last, read again when the environment changed since."""
    loaded = _loaded
    if (
        loaded is None
        or loaded.generation != _generation
        or loaded.env != _env_snapshot()
        or config_file() != (loaded.file, loaded.file_named_by)
    ):
        loaded = load()
    return loaded


def get(name: str) -> Any:
    """The effective value of setting ``name`` (None when unset and without a fixed default).

    Cheap enough for a scan's inner loop (a dict lookup): the settings are
    read once per command (:func:`start`, from the root command), or at the
    first call when Hunter is used as a library; :func:`load` reads them again
    and :func:`current` does when the environment or the file named changed.
    Raises ConfigError for a bad setting.
    """
    loaded = _loaded
    if loaded is None or loaded.generation != _generation:
        loaded = load()
    return loaded.values[name]


def checked(name: str) -> Any:
    """:func:`get` for a setting a command is about to use, with its check (:data:`CHECKS`) run
    when the value came from the environment or the file; ConfigError names the variable, or the
    file, line and key (a flag's value is checked by the CLI, which names the flag)."""
    value = get(name)
    if value is None or name not in WHEN_USED:
        return value  # the others were checked when the settings were read
    try:
        return check(name, value)
    except ValueError as exc:
        raise ConfigError(Said("cli.config.bad", where=origin(name), problem=said_of(exc))) from None


def origin(name: str) -> Said | str:
    """Where the value of ``name`` came from, as an error message starts: ``environment variable
    HUNTER_RULES=x`` or ``config file PATH, line N: rules`` (a :class:`Said`), else the name."""
    loaded = current()
    source = loaded.source(name)
    if source == "env":
        return _variable(name, loaded.env[name] or "")
    if source == "file":
        try:
            text = loaded.file.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        return Said("cli.config.at_key", where=_where(loaded.file, text, name), setting=name)
    return name


def resolve(name: str, flag_value: Any) -> Any:
    """A command-line value when one was given (not None, not empty), else :func:`get`."""
    if flag_value is not None and flag_value != () and flag_value != []:
        return flag_value
    return get(name)


def start(
    *, verbose: int = 0, log_file: Path | None = None, config: Path | None = None, lang: str | None = None
) -> Loaded:
    """The root command's flags (``-v``, ``--log-file``, ``--config``, ``--lang``), then read and check everything.

    Raises ConfigError for a bad setting.
    """
    global _generation
    # Hunter uses no pydantic plugin: looking for them (every installed package's entry points) cost
    # 10 to 40 ms at the first model of each command. A plugin a user names in this variable still loads.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _generation += 1
    _flags.clear()
    if config is not None:
        _flags["config"] = config
    if verbose:
        _flags["log_level"] = "debug" if verbose > 1 else "info"
    if log_file is not None:
        _flags["log_file"] = log_file
    if lang is not None:  # `hunter --lang tr COMMAND`: every command's language, as HUNTER_LANG would set it
        _flags["lang"] = lang
    return load()


def log_sources(loaded: Loaded) -> None:
    """At debug level (``-vv``): the config file and each setting that is not the default, with its source."""
    import logging

    log = logging.getLogger("hunter.config")
    if not log.isEnabledFor(logging.DEBUG):
        return
    log.debug("config file %s%s", loaded.file, "" if loaded.file_exists else " (none there)")
    for name in NAMES:
        source = loaded.source(name)
        if source != "default":
            log.debug("%s = %s (from %s)", name, shown(loaded, name), source)


def dumb_terminal() -> bool:
    """``TERM=dumb``: the terminal cannot draw tables or progress bars."""
    return os.environ.get("TERM") == "dumb"


def child_environment(import_root: str) -> dict[str, str]:
    """The environment for a helper process Hunter starts (the store's writer process): this one's,
    with ``import_root`` first on PYTHONPATH so the child imports the same package."""
    env = dict(os.environ)
    env["PYTHONPATH"] = import_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def session_bus() -> bool:
    """Whether a D-Bus session exists (Linux keyrings need one; cron and ssh sessions have none)."""
    return bool(os.environ.get("DBUS_SESSION_BUS_ADDRESS"))


def shown(loaded: Loaded, name: str) -> str:
    """The value of ``name`` as ``hunter config show`` prints it: secrets only as ``set`` or ``unset``."""
    value = loaded.value(name)
    if name in SECRETS:
        return "set" if value else "unset"
    if value is None or value == []:
        return "-"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def describe(name: str) -> str:
    """The setting's documentation (its description in :data:`SETTINGS`)."""
    return SETTINGS[name].description
