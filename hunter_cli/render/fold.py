"""Folding long words (host names, domains) at a dot or a hyphen, for Rich table cells.

One rule for every table: a brief line's long MX host, and the domain column of the scan,
leads and changes tables, break only after a dot or a hyphen, never inside a label.
"""

from __future__ import annotations

import re

_PIECE = re.compile(r"[^.\-]*[.\-]+|[^.\-]+")  # a label and the dots or hyphens after it
# A URL or a file path breaks only after a slash: ``https://publicsuffix.org/list/`` /
# ``public_suffix_list.dat``, never after a dot or a hyphen inside a host or a file name (``list.d`` / ``at``).
_PATH_PIECE = re.compile(r"[^/]*/+|[^/]+")


def _pieces(word: str) -> list[str]:
    """Where ``word`` may break: after a dot or a hyphen, or, in a URL or a path, only after a slash."""
    return (_PATH_PIECE if "/" in word else _PIECE).findall(word)


def fold(text: str, width: int) -> list[str]:
    """``text`` wrapped into lines of at most ``width`` cells, broken at spaces; a word longer than a
    line (a long MX host, DKIM CNAME target or SPF include, a long domain) starts a line of its own and
    is broken only after a dot or a hyphen, so no label is cut in two (``outlook.c`` / ``om``); a URL only
    after a slash. Only a single piece longer than the line itself is cut where the line ends."""
    from rich.cells import cell_len, set_cell_size

    width = max(width, 1)
    lines: list[str] = []
    line = ""
    for word in text.split():
        if cell_len(line) + (1 if line else 0) + cell_len(word) <= width:
            line = f"{line} {word}" if line else word
            continue
        if line:
            lines.append(line)
            line = ""
        if cell_len(word) <= width:
            line = word
            continue
        for piece in _pieces(word):
            while cell_len(piece) > width:  # one label longer than the line: nothing better to do
                if line:
                    lines.append(line)
                    line = ""
                head = set_cell_size(piece, width).rstrip() or piece[:1]  # in cells: a wide letter is two
                lines.append(head)
                piece = piece[len(head) :]
            if cell_len(line) + cell_len(piece) <= width:
                line += piece
            else:
                lines.append(line)
                line = piece
    if line or not lines:
        lines.append(line)
    return lines


def narrowest(text: str) -> int:
    """The fewest cells :func:`fold` can fold ``text`` into without cutting a label: its longest piece."""
    from rich.cells import cell_len

    return max((cell_len(p) for word in text.split() for p in _pieces(word)), default=0)


class Folded:
    """Text for a Rich table cell, wrapped by :func:`fold` at the width the cell gets (a brief line,
    a domain); ``style`` is the whole cell's (``bold``, a status colour)."""

    def __init__(self, text: str, style: str = "") -> None:
        self.text = text
        self.style = style

    def __rich_console__(self, console, options):
        from rich.cells import cell_len
        from rich.text import Text

        width = options.max_width
        # A line whose every word fits is left to Rich's wrapping at spaces, which keeps the spaces that
        # line values up ("reject   v=DMARC1"); one with a longer word (a host name) is folded here.
        lines = [
            ln
            for part in self.text.split("\n")
            for ln in ([part] if max((cell_len(w) for w in part.split()), default=0) <= width else fold(part, width))
        ]
        yield Text("\n".join(lines), style=self.style, overflow="fold")

    def __rich_measure__(self, console, options):
        from rich.cells import cell_len
        from rich.measure import Measurement

        widest = max(cell_len(part) for part in self.text.split("\n"))
        return Measurement(narrowest(self.text), widest).clamp(max_width=options.max_width)
