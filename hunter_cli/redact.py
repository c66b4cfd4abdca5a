"""Keep secrets out of every error text that leaves the process (stderr, the database, logs).

Servers and proxies sometimes echo the request in their error bodies, so any text
that came from the network, or that was built from an exception raised while
talking to it, goes through :func:`redact` (or :func:`summary`, which also bounds
it) before it is printed or stored. One function for every HTTP client in Hunter
(Microsoft sign-in through MSAL, Partner Center, tenant lookups, RDAP, data
downloads, and later Dataverse), so a new client cannot forget a pattern.

What counts as token-shaped:

* ``Bearer <credentials>`` (RFC 6750 section 2.1) and the value of an
  ``Authorization``, ``Proxy-Authorization``, ``Cookie``, ``Set-Cookie``,
  ``X-Api-Key`` or ``Ocp-Apim-Subscription-Key`` header, as ``Name: value`` or
  as a JSON member;
* JSON Web Tokens (RFC 7519: base64url ``eyJ...`` segments joined by dots);
* OAuth 2.0 parameters that carry secrets (RFC 6749 sections 4.1.2, 4.1.3, 5.1,
  6, 2.3.1; RFC 8628 section 3.2): ``access_token``, ``refresh_token``,
  ``id_token``, ``code``, ``device_code``, ``client_secret``, ``client_assertion``,
  ``assertion``, ``password``, ``api_key``, ``sig`` in ``name=value`` (query
  strings, form bodies) and as JSON members (``code`` only as ``code=``: a JSON
  ``"code"`` is an error code in Microsoft's APIs);
* long opaque strings (40 characters or more, no "/") that mix upper case,
  lower case and digits (refresh tokens, device codes, opaque access tokens);
  GUIDs, host names, paths and words stay;
* any value registered with :func:`remember` (the bearer token in use, from
  MSAL or ``HUNTER_PARTNER_TOKEN``), wherever it appears.
"""

from __future__ import annotations

import re
import threading

MARK = "<redacted>"

_SECRET_PARAMS = (
    "access_token|refresh_token|id_token|device_code|client_secret|client_assertion|assertion"
    "|password|passwd|api_key|apikey|sig|code|token|secret"
)
_JSON_SECRET_KEYS = (
    "access_token|refresh_token|id_token|device_code|client_secret|client_assertion|assertion"
    "|password|passwd|api_key|apikey|token|secret"
)
_HEADERS = "authorization|proxy-authorization|cookie|set-cookie|x-api-key|ocp-apim-subscription-key"

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # JSON members and quoted header dicts: "Authorization": "Bearer x", 'refresh_token': 'y'
    (
        re.compile(rf"""(["'](?:{_HEADERS}|{_JSON_SECRET_KEYS})["']\s*:\s*)(["'])(?:\\.|(?!\2).)*\2""", re.IGNORECASE),
        rf"\1\2{MARK}\2",
    ),
    # Header lines. Cookies to the end of the line; credentials as [scheme] value, so that text
    # already folded onto one line keeps the headers that follow
    (re.compile(r"(?<![\w-])((?:set-cookie|cookie)\s*:\s*)[^\r\n]+", re.IGNORECASE), rf"\1{MARK}"),
    (re.compile(rf"(?<![\w-])((?:{_HEADERS})\s*:[ \t]*)(?:[A-Za-z]+[ \t]+)?[^\s\"',;]+", re.IGNORECASE), rf"\1{MARK}"),
    # Bearer credentials wherever they stand (RFC 6750 b64token); short words ("Bearer token") stay
    (re.compile(r"\b(Bearer)(\s+|%20|\+)[A-Za-z0-9\-._~+/%]{6,}=*", re.IGNORECASE), rf"\1\2{MARK}"),
    # name=value in query strings, form bodies and key=value prose
    (re.compile(rf"(?<![\w-])((?:{_SECRET_PARAMS})\s*=\s*)[^\s&\"'<>,;)}}\]]+", re.IGNORECASE), rf"\1{MARK}"),
    # JSON Web Tokens (JWS: 3 segments, JWE: 5), even without a label
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){1,4}"), MARK),
]
# Long opaque credentials: 40+ characters of token alphabet with upper, lower and digits
# ("/" is left out so that file paths and URLs are cut at their separators and stay readable).
_OPAQUE = re.compile(r"(?<![A-Za-z0-9\-._~+=])[A-Za-z0-9\-._~+]{40,}={0,2}(?![A-Za-z0-9\-._~+=])")
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_known: set[str] = set()
_known_lock = threading.Lock()


def remember(secret: str | None) -> None:
    """Register a secret in use (a bearer token) so :func:`redact` removes it wherever it appears."""
    if secret and len(secret) >= 8:
        with _known_lock:
            _known.add(secret)


def _opaque(m: re.Match[str]) -> str:
    s = m.group(0)
    if any(c.isupper() for c in s) and any(c.islower() for c in s) and any(c.isdigit() for c in s):
        return MARK
    return s


def redact(text: object, secrets: tuple[str, ...] = ()) -> str:
    """``text`` (anything; ``str()`` is taken) with every token-shaped part replaced by ``<redacted>``.

    ``secrets`` are exact strings to remove as well, besides those given to
    :func:`remember`. Never raises; idempotent. See the module docstring for
    what is removed.
    """
    s = text if isinstance(text, str) else str(text)
    with _known_lock:
        known = sorted(_known.union(x for x in secrets if x), key=len, reverse=True)
    for secret in known:
        if secret in s:
            s = s.replace(secret, MARK)
    for pattern, repl in _PATTERNS:
        s = pattern.sub(repl, s)
    return _OPAQUE.sub(_opaque, s)


def summary(text: object, limit: int = 300, secrets: tuple[str, ...] = ()) -> str:
    """A redacted, single-line, bounded form of ``text`` for messages and the run log.

    Control characters and terminal escapes become spaces, runs of white space
    collapse, and the result is cut to ``limit`` characters (ending in "...").
    Redaction happens before the cut, so a secret is never half-kept. A
    :class:`~hunter_cli.said.Said` stays one (its English as said here, its values
    redacted), so the sentence is still printed in the command's language.
    """
    s = _CONTROL.sub(" ", redact(text, secrets))
    s = " ".join(s.split())
    if len(s) > limit:
        s = s[: max(0, limit - 3)].rstrip() + "..."
    from .said import Said

    if isinstance(text, Said):  # the same words, still said in the command's language, its values redacted too
        return Said.worded(s, text.key, **{k: _summary_value(v, limit, secrets) for k, v in text.values.items()})
    return s


def _summary_value(value: object, limit: int, secrets: tuple[str, ...]) -> object:
    """A value of a :class:`~hunter_cli.said.Said` as :func:`summary` leaves it: text redacted and bounded."""
    return summary(value, limit, secrets) if isinstance(value, str) else value


__all__ = ["MARK", "redact", "remember", "summary"]
