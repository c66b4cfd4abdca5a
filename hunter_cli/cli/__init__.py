"""The `hunter` command: a thin Typer layer over the core.

Commands parse arguments, call the core and render; heavy modules are imported
inside the commands so that `hunter --help` starts instantly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.core import TyperOption

from . import coerce, complete, helpfmt, helplang, usage
from .lazygroup import (
    SHORT_COMMANDS,
    LazyGroup,
    click_command,
    collect_garbage,
    end_without_collector,
    start_without_collector,
)

# The shells `--show-completion SHELL` and `--install-completion SHELL` know (Typer's completion scripts).
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
_COMPLETION_HELP = {
    "install_completion": "Install completion for SHELL (bash, zsh, fish or powershell; default: the current shell).",
    "show_completion": "Print the completion script for SHELL (bash, zsh, fish or powershell; default: the current"
    " shell), to install it your own way.",
}


class _ShellOption(TyperOption):
    """Typer's `--show-completion` / `--install-completion` flag, listed in help as taking [SHELL]."""

    def get_help_record(self, ctx):
        record = super().get_help_record(ctx)
        return None if record is None else (f"{record[0]} [SHELL]", record[1])


class _Hunter(LazyGroup):
    """The root group, listing its commands in :data:`COMMANDS`' order; notes whether the command line
    asks for help before the root callback runs, and gives the completion options an optional shell name
    (Typer's take none and always use the current shell: `hunter --show-completion zsh` printed bash's
    script from bash)."""

    def list_commands(self, ctx):
        names = super().list_commands(ctx)
        order = {name: i for i, name in enumerate(COMMANDS)}
        return sorted(names, key=lambda n: order.get(n, len(order)))  # a command not in the table goes last

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            if param.name in _COMPLETION_HELP and not isinstance(param, _ShellOption):
                param.help = _COMPLETION_HELP[param.name]
                param.__class__ = _ShellOption
        return params

    def parse_args(self, ctx, args):
        if not ctx.resilient_parsing:
            usage.remember(args)  # a usage error is said in --lang's language (cli/usage.py)
            _completion_for_shell(ctx, args, set(self.commands))
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        rest = [*getattr(ctx, "_protected_args", ()), *ctx.args]
        ctx.meta["hunter.help"] = "--help" in rest or "-h" in rest
        ctx.meta["hunter.config_path"] = rest[:2] == ["config", "path"]
        if not rest or rest[0] not in SHORT_COMMANDS:
            collect_garbage()  # only a short command runs without the collector (lazygroup.py)
        return super().invoke(ctx)


def _completion_for_shell(ctx, args: list[str], commands: set[str]) -> None:
    """`--show-completion SHELL` / `--install-completion SHELL` (or `=SHELL`) before the command name:
    print or install that shell's script and exit 0; a word that is no shell is a usage error (exit 2).
    Without a shell name Typer's own options run (the current shell)."""
    for i, word in enumerate(args):
        if word in commands or word == "--":
            return
        option, eq, shell = word.partition("=")
        if option not in ("--show-completion", "--install-completion"):
            continue
        if not eq:
            following = args[i + 1] if i + 1 < len(args) else ""
            if not following or following.startswith("-") or following in commands:
                return
            shell = following
        if shell.lower() not in SHELLS:
            raise typer.BadParameter(
                f"{shell!r} is not a shell Hunter completes; use one of: bash, zsh, fish, powershell",
                ctx=ctx,
                param_hint=option,
            )
        from typer._completion_shared import get_completion_script, install

        prog = ctx.info_name or "hunter"
        var = "_{}_COMPLETE".format(prog.replace("-", "_").upper())
        if option == "--show-completion":
            typer.echo(get_completion_script(prog_name=prog, complete_var=var, shell=shell.lower()))
        else:
            done, path = install(shell=shell.lower(), prog_name=prog, complete_var=var)
            typer.secho(f"{done} completion installed in {path}", fg="green")
            typer.echo("Completion will take effect once you restart the terminal")
        ctx.exit(0)


helpfmt.install()
usage.install()
helplang.install()
coerce.install()

app = typer.Typer(
    name="hunter",
    cls=_Hunter,
    help="Find out who runs a company's e-mail, how well it is protected, and whom to call first.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion: bash, zsh, fish, PowerShell (docs/cli.md)
    context_settings={"help_option_names": ["-h", "--help"], "token_normalize_func": helpfmt.normalize_token},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"hunter {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
    ),
    verbose: int = typer.Option(
        0,
        "--verbose",
        "-v",
        count=True,
        help="Log what is asked, retried and skipped, and why, to stderr: -v info, -vv debug."
        "  [env var: HUNTER_LOG_LEVEL]",
        show_default=False,
    ),
    log_file: Path | None = typer.Option(
        None,
        "--log-file",
        metavar="FILE",
        help="Append the log to FILE instead of stderr (for cron); level info unless -vv or HUNTER_LOG_LEVEL."
        "  [env var: HUNTER_LOG_FILE]",
        show_default=False,
    ),
    config_file: Path | None = typer.Option(
        None,
        "--config",
        metavar="FILE",
        help="Settings file to read instead of config.toml in your user config folder (docs/config.md)."
        "  [env var: HUNTER_CONFIG]",
        show_default=False,
    ),
    # Hidden: the help English readers see is unchanged (docs/cli.md); the language is documented there.
    lang: str | None = typer.Option(
        None,
        "--lang",
        metavar="LANG",
        hidden=True,
        help="Language of every command's help, messages and brief: en or tr (as HUNTER_LANG).",
        autocompletion=complete.languages,
    ),
    # Hidden as --lang: `hunter --db X leads` is the command's own --db (a command's --db, given too, wins)
    db: str | None = typer.Option(None, "--db", metavar="PATH", hidden=True, help="SQLite file to use (as HUNTER_DB)."),
) -> None:
    """Find out who runs a company's e-mail, how well it is protected, and whom to call first."""
    if db is not None:  # read by every command's --db (common.setting_option): ctx.meta is shared with them
        ctx.meta["hunter.setting.db"] = db
    if ctx.meta.get("hunter.help"):
        return  # `hunter scan --help`: no settings to read, and no pydantic-settings to import
    from .. import config, logs
    from ..said import Said, said_of
    from .common import EXIT_USAGE, fail, language_of

    try:
        loaded = config.start(
            verbose=verbose, log_file=log_file, config=config_file, lang=None if lang is None else language_of(lang)
        )
    except config.ConfigError as exc:
        if ctx.meta.get("hunter.config_path"):  # where the file is, even when it is broken
            return
        raise fail(said_of(exc), EXIT_USAGE) from None  # in config.language()'s language (common.current_lang)
    path = loaded.value("log_file")
    try:
        logs.setup(loaded.value("log_level"), path)
    except OSError as exc:
        why = config.os_reason(exc, exc.strerror or str(exc))
        raise fail(Said("cli.log_file.cannot_write", path=str(path), why=why), EXIT_USAGE) from None
    config.log_sources(loaded)


from . import brief as _brief  # noqa: E402,F401
from . import config as _config  # noqa: E402,F401
from . import crm as _crm  # noqa: E402,F401
from . import data as _data  # noqa: E402,F401
from . import db as _db  # noqa: E402,F401
from . import importer as _importer  # noqa: E402,F401
from . import leads as _leads  # noqa: E402,F401
from . import monitor as _monitor  # noqa: E402,F401
from . import partner as _partner  # noqa: E402,F401
from . import rules as _rules  # noqa: E402,F401
from . import scan as _scan  # noqa: E402,F401
from . import tags as _tags  # noqa: E402,F401

# `hunter --help` lists the commands in the order of a rep's day, each with a summary that fits 80
# columns (Click cuts a docstring's first sentence with "..." there); the full help stays each command's.
COMMANDS = {
    "scan": "Scan domains and store what their DNS shows.",
    "rescan": "Rescan stored leads whose results are due.",
    "import": "Import leads with their company names.",
    "leads": "List, filter, sort and export stored leads.",
    "changes": "What changed between scans, newest first.",
    "prep": "Before a call: rescan if needed, then the brief.",
    "sales-summary": "The call brief from stored results only.",
    "explain": "A domain's score, point by point.",
    "tag": "Add your own tags to a lead.",
    "untag": "Remove your own tags from a lead.",
    "note": "Add a dated note to a lead.",
    "referrals": "Partner Center referrals: sync, list, link.",
    "auth": "Sign in to Microsoft Partner Center.",
    "crm": "Dynamics 365 Sales: push leads, read status.",
    "rescore": "Apply the scoring rules again to stored leads.",
    "rules": "The scoring rules: decision matrix and checks.",
    "config": "Settings: flags, HUNTER_* variables, the file.",
    "data": "Bundled data files: which copy is in use, update them.",
    "db": "The database: check, back up, prune, vacuum.",
}
# The same for each group's commands, as `hunter GROUP --help` lists them.
SUBCOMMANDS = {
    "leads show": "Everything stored about one domain.",
    "referrals sync": "Pull referrals in and scan their new domains.",
    "referrals list": "Stored referrals, newest update first.",
    "referrals link": "Link a referral to a domain by hand.",
    "auth login": "Sign in with a device code.",
    "auth status": "Who is signed in, and until when.",
    "auth logout": "Remove the signed-in account and its tokens.",
    "crm login": "Sign in to Dynamics 365 with a device code.",
    "crm status": "The environment, the account, the leads pushed.",
    "crm push": "Create or update one Dynamics 365 lead per domain.",
    "crm pull": "Read the leads' status back from Dynamics 365.",
    "rules matrix": "Print the decision matrix.",
    "rules check": "Check a rules file.",
    "config show": "Every setting's value and where it came from.",
    "config path": "The config file Hunter reads.",
    "data update": "Download fresh copies of the bundled data.",
    "data status": "Which copy of each data file is in use.",
    "db check": "Check the database and every stored result.",
    "db backup": "Copy the database safely, even during a scan.",
    "db prune": "Remove old scans that nothing needs.",
    "db vacuum": "Give the free space back to the disk.",
}


def _command_name(info) -> str | None:
    """The name Typer gives a registered command or group (lazygroup.py names them the same way)."""
    from typer.main import get_command_name

    callback = getattr(info, "callback", None)
    return info.name or (get_command_name(callback.__name__) if callback is not None else None)


_infos: list[Any] = [*app.registered_commands, *app.registered_groups]  # CommandInfo and TyperInfo alike
for _info in _infos:
    _name = _command_name(_info)
    if _name in COMMANDS and not _info.short_help:
        _info.short_help = COMMANDS[_name]
    for _sub in getattr(getattr(_info, "typer_instance", None), "registered_commands", []):
        _key = f"{_name} {_command_name(_sub)}"
        if _key in SUBCOMMANDS and not _sub.short_help:
            _sub.short_help = SUBCOMMANDS[_key]


def main() -> None:
    import sys

    from ..exits import ExitStatus, OutputClosed

    # httpx imports its own command line (click, pygments, rich.syntax: about 40 ms) unless that
    # import fails, which it allows for (httpx then prints that its CLI is not installed); hunter
    # never runs it, so a hunter process tells Python it is not there.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None in sys.modules blocks an import
    start_without_collector()  # (`python -m hunter_cli` turned it off before importing this module)
    try:
        # what app() runs, with the subcommands built only as the command line needs them (lazygroup.py);
        # prog_name also under `python -m hunter_cli`: completion scripts name `hunter`
        click_command(app)(prog_name="hunter")
    except KeyboardInterrupt:  # Ctrl-C outside a command's own handling: no traceback
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except (BrokenPipeError, OutputClosed):  # `hunter ... | head`: the reader has gone; end quietly
        from ..render.formats import quiet_output

        quiet_output(sys.stdout)
        sys.exit(ExitStatus.PIPE)
    except SystemExit as exc:
        # Typer's answer to EPIPE from a plain write (a message to a closed stderr, `2>&1 | head`) is exit 1,
        # the status of a failure: a closed reader ends quietly, as on stdout (trial 32)
        if exc.code == 1 and type(sys.stderr).__name__.endswith("PacifyFlushWrapper"):
            sys.exit(ExitStatus.PIPE)
        raise
    finally:
        end_without_collector()
