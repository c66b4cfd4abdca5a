"""One JSON object per domain per line: the `--json` contract (docs/json-schema.md)."""

from __future__ import annotations

import json
from typing import TextIO

_HEAD = '{"domain":"'


def with_unicode(text: str) -> str:
    """A scan result's JSON ``text`` with ``domain_unicode`` (the domain as people write it, e.g.
    ``şirket.com.tr`` for ``xn--irket-ora.com.tr``; the domain itself when it is ASCII) right after
    ``domain``, as ``hunter leads -f json`` has it. Every other field is left as it is; text that does
    not start with the domain (not a result) is returned unchanged. IDNA decoding per RFC 5891."""
    if not text.startswith(_HEAD):
        return text
    end = text.find('"', len(_HEAD))
    if end < 0:
        return text
    domain = text[len(_HEAD) : end]
    if "xn--" in domain:
        from ..domains import to_unicode

        shown = to_unicode(domain)
    else:
        shown = domain
    return f'{text[: end + 1]},"domain_unicode":{json.dumps(shown, ensure_ascii=False)}{text[end + 1 :]}'


def write_line(out: TextIO, text: str) -> None:
    out.write(text)
    out.write("\n")
    out.flush()
