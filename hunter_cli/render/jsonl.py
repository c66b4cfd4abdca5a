"""One JSON object per domain per line: the `--json` contract (docs/json-schema.md)."""

from __future__ import annotations

from typing import TextIO

from ..models import DomainResult


def write_result(out: TextIO, result: DomainResult) -> None:
    out.write(result.model_dump_json())
    out.write("\n")
    out.flush()
