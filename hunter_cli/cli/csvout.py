"""``--no-bom``: CSV on stdout without the UTF-8 byte-order mark, for scripts (``hunter leads``, ``changes``,
``referrals list``). The mark stays the default: Excel needs it to read Turkish letters right, and a
file saved with ``> leads.csv`` is most often opened there (docs/cli.md, "CSV output")."""

from __future__ import annotations

import typer

NoBomOption = typer.Option(
    False,
    "--no-bom",
    help="Write CSV without the UTF-8 byte-order mark it starts with for Excel: for scripts"
    " (Python's csv module would read the first column as '\\ufeffdomain'; or read it as utf-8-sig).",
)


def use_bom(no_bom: bool) -> None:
    """Write this command's CSV with the byte-order mark unless ``no_bom`` (``--no-bom``)."""
    from ..render.csvsafe import bom

    bom.set(not no_bom)  # set each time: one process may run several commands
