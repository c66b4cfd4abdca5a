"""The `hunter` command: a thin Typer layer over the core.

Commands parse arguments, call the core and render; heavy modules are imported
inside the commands so that `hunter --help` starts instantly.
"""

from __future__ import annotations

import typer

from . import helpfmt

helpfmt.install()

app = typer.Typer(
    name="hunter",
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
    version: bool = typer.Option(
        False, "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Find out who runs a company's e-mail, how well it is protected, and whom to call first."""


# Registration order is the order of `hunter --help`.
from . import brief as _brief  # noqa: E402,F401
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


def main() -> None:
    import sys

    try:
        app(prog_name="hunter")  # also under `python -m hunter_cli`: completion scripts name `hunter`
    except KeyboardInterrupt:  # Ctrl-C outside a command's own handling: no traceback
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except BrokenPipeError:  # `hunter ... | head`: the reader has gone; end quietly, as a piped command does
        quiet_closed_stdout()
        sys.exit(141)


def quiet_closed_stdout() -> None:
    """Point stdout at the null device so that the exit's own flush cannot fail ("Broken pipe" noise)."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
