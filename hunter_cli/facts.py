"""Each mail-authentication fact about a lead, defined once.

The scan table, the lead list, the store's columns, scoring, the risk level and
the brief all ask these functions instead of reading the records their own way,
so they cannot disagree. They take the JSON form of a result (``dict``), which
is what the store keeps and what every reader has.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

DkimState = Literal["key", "delegated", "none"]
SpfResult = Literal["valid", "permerror", "temperror", "none"]


def dkim_keys(dkim: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """Selectors that publish a usable key (a ``p=`` tag that is not empty, RFC 6376 3.6.1)."""
    return [s for s in (dkim or {}).get("selectors") or [] if s.get("key_type") and not s.get("revoked")]


def dkim_state(dkim: Mapping[str, Any] | None) -> DkimState:
    """``key``: a selector publishes a key. ``delegated``: a selector is a CNAME into the provider
    but no key stands behind it (in Microsoft 365 this means DKIM signing was never turned on).
    ``none``: nothing was found at the selectors asked."""
    if dkim_keys(dkim):
        return "key"
    if any(s.get("cname") for s in (dkim or {}).get("selectors") or []):
        return "delegated"
    return "none"


def spf_result(spf: Mapping[str, Any] | None) -> SpfResult:
    """The SPF verdict (RFC 7208 2.6): ``none`` when no record is published."""
    if not spf:
        return "none"
    result = spf.get("result")
    if result in ("valid", "permerror", "temperror", "none"):
        return result  # type: ignore[return-value]  # checked just above
    return "valid" if spf.get("valid", True) else "permerror"


def dmarc_policy(dmarc: Mapping[str, Any] | None) -> str | None:
    """The policy receivers apply (none, quarantine, reject), or None when no DMARC policy applies.

    ``policy`` is the effective one (RFC 7489 6.6.3): an invalid ``p``/``sp`` with a
    valid ``rua`` is applied as ``none``, so an invalid record is never enforcement.
    Results stored before ``result`` existed fall back to ``valid``."""
    if not dmarc:
        return None
    if dmarc.get("result") is None and not dmarc.get("valid", True):
        return None
    policy = dmarc.get("policy")
    return policy if policy in ("none", "quarantine", "reject") else None
