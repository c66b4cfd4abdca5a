"""What of an error text may leave the process: anything token-shaped is cut out.

Issue 11 item 15: error bodies can echo the request (a proxy, a debugging
server), so every text that goes to stderr, the run log or the ``crm_leads``
table passes through :func:`redact` first. The lead engineer may point this
module at the shared redaction function; callers only import ``redact``.
"""

from __future__ import annotations

import re

MAX_LEN = 300

_PATTERNS = (
    # Authorization: Bearer <token>, and a bare "Bearer <token>"
    re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"),
    # a JWT (header.payload.signature, base64url; Entra access tokens and id tokens)
    re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
    # key=value and "key": "value" forms of the usual secret names
    re.compile(
        r"(?i)([\"']?\b(?:access_token|refresh_token|id_token|client_secret|password|device_code|"
        r"authorization|token)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,;}]{4,}"
    ),
)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with bearer tokens, JWTs and ``token=...`` values replaced by ``[redacted]``.

    ``secrets`` are exact strings to remove as well (the token in use). The
    result is one line of at most ``MAX_LEN`` characters.
    """
    out = str(text)
    for s in secrets:
        if s:
            out = out.replace(s, "[redacted]")
    out = _PATTERNS[0].sub(lambda m: f"{m.group(1)} [redacted]", out)
    out = _PATTERNS[1].sub("[redacted]", out)
    out = _PATTERNS[2].sub(lambda m: f"{m.group(1)}[redacted]", out)
    out = " ".join(out.split())
    return out if len(out) <= MAX_LEN else out[: MAX_LEN - 1] + "…"
