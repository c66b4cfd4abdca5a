"""Host-name matching shared by the footprint catalogs."""

from __future__ import annotations

from fnmatch import fnmatchcase


def norm_host(host: str) -> str:
    """Lower case, no trailing dot (DNS names compare case-insensitively, RFC 4343)."""
    return host.strip().lower().rstrip(".")


def host_matches(host: str, pattern: str) -> bool:
    """True when ``host`` equals ``pattern`` or is below it (``x.sendgrid.net`` for
    ``sendgrid.net``); a pattern with ``*`` is a shell-style glob over the whole name."""
    host, pattern = norm_host(host), norm_host(pattern)
    if "*" in pattern:
        return fnmatchcase(host, pattern)
    return host == pattern or host.endswith("." + pattern)


def matches_normalized(host: str, pattern: str) -> bool:
    """:func:`host_matches` for a host and a pattern already normalised by :func:`norm_host`
    (catalog patterns are, when they load): the same answer without normalising again."""
    if "*" in pattern:
        return fnmatchcase(host, pattern)
    return host == pattern or host.endswith("." + pattern)
