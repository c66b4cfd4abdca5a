"""One JSON object per domain per line: the `--json` contract (docs/json-schema.md)."""

from __future__ import annotations

from typing import TextIO


def write_line(out: TextIO, text: str) -> None:
    out.write(text)
    out.write("\n")
    out.flush()
