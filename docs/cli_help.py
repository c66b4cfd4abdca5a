"""The `--help` text of every command, for docs/cli.md (cog writes it there; tests/test_docs.py checks it).

Run `cog -r docs/cli.md` after changing an option or a command's docstring. Help is rendered
at a fixed width (80 columns, no colour), so the page does not depend on the terminal it was
generated in.
"""

from __future__ import annotations

WIDTH = 80


def _commands(group, path=()):
    yield path, group
    for name, cmd in getattr(group, "commands", {}).items():
        if not getattr(cmd, "hidden", False):
            yield from _commands(cmd, (*path, name))


def help_text(path: tuple[str, ...]) -> str:
    """`hunter PATH --help` as printed on an 80-column terminal."""
    from typer.testing import CliRunner

    from hunter_cli.cli import app

    result = CliRunner().invoke(
        app, [*path, "--help"], prog_name="hunter", env={"COLUMNS": str(WIDTH), "NO_COLOR": "1"}
    )
    if result.exit_code != 0:
        raise RuntimeError(f"hunter {' '.join(path)} --help failed: {result.output}")
    return result.stdout.rstrip() + "\n"


def markdown() -> str:
    """One `###` section per command, its help in a fenced block, in `hunter --help` order."""
    import typer.main

    from hunter_cli.cli import app

    out = []
    for path, _ in _commands(typer.main.get_command(app)):
        title = " ".join(("hunter", *path))
        out.append(f"### `{title}`\n\n```text\n{help_text(path)}```\n")
    return "\n".join(out)
