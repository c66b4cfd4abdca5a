"""DKIM key records (RFC 6376) and the selectors worth asking for.

Nobody can list a domain's selectors, so the scan probes common ones. It first
asks for ``_domainkey.<domain>``: NXDOMAIN there proves no selector exists below
it (RFC 8020), which saves the whole probe for most domains without DKIM.
"""

from __future__ import annotations

from ..models import DkimSelector, Finding

E_CNAME_LOOP = "dkim-cname-loop"
E_BAD_VERSION = "dkim-bad-version"
E_UNKNOWN_KEY_TYPE = "dkim-unknown-key-type"
KEY_TYPES = frozenset({"rsa", "ed25519"})  # RFC 6376 3.6.1 (k=, default rsa), RFC 8463 (ed25519)

DEFAULT_SELECTORS: tuple[str, ...] = (
    "selector1",  # Microsoft 365
    "selector2",  # Microsoft 365
    "google",  # Google Workspace
    "default",  # cPanel, Plesk and most hosting panels
    "k1",  # Mailchimp / Mandrill
    "s1",
    "s2",
    "zmail",  # Zoho
    "dkim",
    "mail",
)

# Selectors whose record is usually a CNAME into the provider: ask for the CNAME
# itself when the TXT lookup finds nothing, so the tenant name is still seen.
CNAME_SELECTORS = frozenset({"selector1", "selector2"})


def parse_selectors(text: str) -> tuple[str, ...]:
    """``"selector1, google"`` -> ``("selector1", "google")``; rejects names that cannot be DNS labels."""
    out: list[str] = []
    for part in text.replace(";", ",").split(","):
        s = part.strip().lower()
        if not s:
            continue
        if len(s) > 63 or not all(c.isalnum() or c in "-_." for c in s):
            raise ValueError(f"bad DKIM selector {part.strip()!r}")
        if s not in out:
            out.append(s)
    if not out:
        raise ValueError("no DKIM selector given")
    return tuple(out)


def is_key_record(txt: str) -> bool:
    """A DKIM key record: has a ``p=`` tag (``v=DKIM1`` and ``k=`` are optional)."""
    return any(part.strip().lower().startswith("p=") for part in txt.split(";"))


def _tags(txt: str) -> list[tuple[str, str]]:
    out = []
    for part in txt.split(";"):
        k, sep, v = part.partition("=")
        if sep:
            out.append((k.strip().lower(), v.strip()))
    return out


def parse_key(selector: str, txts: list[str], cname: str | None) -> DkimSelector | None:
    """The selector's key from its TXT strings (RFC 6376 3.6.1), or None when none is a key record.

    A record that begins with ``v=`` other than ``DKIM1`` is discarded, as verifiers must; when no
    other record is a key, the selector is returned with ``problem`` saying why no key stands there.
    A ``k=`` type verifiers do not know (neither ``rsa`` nor ``ed25519``, RFC 8463) is kept with its
    ``problem``: signatures made with it fail (PERMFAIL, RFC 6376 6.1.2). A usable key has no problem.
    """
    discarded: str | None = None
    for txt in txts:
        if not is_key_record(txt):
            continue
        pairs = _tags(txt)
        tags: dict[str, str] = {}
        for k, v in pairs:
            tags.setdefault(k, v)
        if pairs and pairs[0][0] == "v" and pairs[0][1] != "DKIM1":
            discarded = discarded or f"the record says v={pairs[0][1]}, not DKIM1, so verifiers discard it"
            continue
        key = "".join(tags.get("p", "").split())
        key_type = tags.get("k", "rsa").lower() or "rsa"
        problem = None
        if key and key_type not in KEY_TYPES:
            problem = f"k={key_type} is not a key type verifiers know (rsa, ed25519)"
        return DkimSelector(selector=selector, cname=cname, key_type=key_type, revoked=not key, problem=problem)
    if discarded is not None:
        return DkimSelector(selector=selector, cname=cname, key_type=None, problem=discarded)
    return None


def key_findings(selectors: list[DkimSelector]) -> list[Finding]:
    """An error for each selector whose record cannot verify mail (its ``problem``, RFC 6376 3.6.1)."""
    out = []
    for s in selectors:
        if s.problem:
            code = E_BAD_VERSION if s.key_type is None else E_UNKNOWN_KEY_TYPE
            out.append(
                Finding(
                    code=code,
                    message=f"selector {s.selector}: {s.problem}; mail signed with it fails DKIM (RFC 6376 3.6.1)",
                    where=[s.selector],
                )
            )
    return out


def broken_key_name(selector: str, name: str, detail: str) -> Finding:
    """The error for a selector whose name no resolver can follow (a CNAME loop or an endless chain).

    It publishes no key: a verifier's key query fails at every try (RFC 6376
    6.1.2), so mail signed with this selector never verifies until the zone is
    fixed. A finding about the record, not a lookup to retry.
    """
    return Finding(
        code=E_CNAME_LOOP,
        message=f"selector {selector}: {name} cannot be followed ({detail or 'CNAME loop'}); no key can be"
        " fetched there, so mail signed with it never passes DKIM until the zone is fixed",
        where=[name],
    )


def tenant_from_cname(target: str | None) -> str | None:
    """The tenant's initial domain named by a Microsoft 365 DKIM CNAME target, or None.

    ``selector1-acme-com._domainkey.acme.onmicrosoft.com`` and
    ``selector1-acme-com._domainkey.acme.r-v1.dkim.mail.microsoft`` both name
    ``acme.onmicrosoft.com``; the national clouds' forms give their own suffix
    (``acme.partner.onmschina.cn``, ``acme.onmicrosoft.us``). The forms are data:
    ``tenant_dkim`` in the catalog (hunter_cli/catalog/providers.json).
    """
    from ..catalog import load_catalog

    return load_catalog().initial_domain(target)
