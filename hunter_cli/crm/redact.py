"""What of an error text may leave the process: anything token-shaped is cut out.

Issue 11 item 15: error bodies can echo the request (a proxy, a debugging
server), so every text that goes to stderr, the run log or the ``crm_leads``
table passes through :func:`redact` first. It is the shared rule set of
:mod:`hunter_cli.redact`, the one every HTTP client in Hunter uses, bounded to
one line of ``MAX_LEN`` characters.
"""

from __future__ import annotations

from .. import redact as _shared

MAX_LEN = 300
MARK = _shared.MARK


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with bearer tokens, JWTs, ``token=...`` values and the like replaced by ``<redacted>``.

    ``secrets`` are exact strings to remove as well (the token in use). The
    result is one line of at most ``MAX_LEN`` characters.
    """
    return _shared.summary(text, MAX_LEN, secrets)
