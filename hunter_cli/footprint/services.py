"""Which other cloud services a domain uses, from evidence the scan already has.

Pure: apex TXT strings, SPF include targets, DKIM CNAME targets, name servers and
the Microsoft 365 federation host go in; a ``services`` list comes out. The
evidence each service leaves is data (``hunter_cli/catalog/services.json``); every
pattern there carries an example it must match, and docs/footprint.md says how to
add a service.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from .hosts import host_matches, norm_host
from .schema import HostPattern, ServicesCatalog, services_catalog

NS_EVIDENCE = "name server "  # the start of the sentence _host_evidence writes for a name server match


class FoundService(BaseModel):
    """One service the domain uses, with the observed evidence in plain words."""

    id: str
    name: str
    category: str
    evidence: list[str] = Field(default_factory=list)
    # the same evidence as language-neutral (kind, value) pairs for the brief's own wording:
    # ("txt", token prefix), ("spf", host), ("dkim", host), ("ns", host), ("federation", host)
    found: list[tuple[str, str]] = Field(default_factory=list)


def _hosts(values: Iterable[str] | None) -> list[str]:
    return [norm_host(v) for v in values or () if v and norm_host(v)]


def _host_evidence(
    patterns: list[HostPattern], values: list[str], say: str, kind: str, found: list[tuple[str, str]]
) -> list[str]:
    """One sentence per pattern that some value matches (the first such value); ``found`` gets (kind, value)."""
    out: list[str] = []
    for p in patterns:
        for v in values:
            if host_matches(v, p.pattern):
                out.append(say.format(v) + (f": {p.label}" if p.label else ""))
                found.append((kind, v))
                break
    return out


def find_services(
    txt: Iterable[str] = (),
    spf_includes: Iterable[str] = (),
    dkim_cnames: Iterable[str] = (),
    nameservers: Iterable[str] = (),
    federation_host: str | None = None,
    *,
    catalog: ServicesCatalog | None = None,
) -> list[FoundService]:
    """Services named by the evidence, in catalog order, each with its evidence sentences.

    ``txt``: the apex TXT strings (character-strings joined). ``spf_includes``: include
    and redirect targets found anywhere in the SPF tree. ``dkim_cnames``: targets of
    DKIM selector CNAMEs. ``nameservers``: the domain's NS hosts. ``federation_host``:
    the identity provider host of a federated Microsoft 365 domain (getuserrealm).
    Entries with ``listed: false`` (Microsoft's own MS= token) are never returned.
    """
    cat = catalog or services_catalog()
    txts = [t.strip() for t in txt if t and t.strip()]
    spf, dkim, ns = _hosts(spf_includes), _hosts(dkim_cnames), _hosts(nameservers)
    fed = norm_host(federation_host) if federation_host else None

    found: list[FoundService] = []
    for svc in cat.services:
        if not svc.listed:
            continue
        evidence: list[str] = []
        seen: list[tuple[str, str]] = []
        for token in svc.txt:
            prefix = token.prefix.lower()
            for t in txts:
                if t.lower().startswith(prefix):
                    what = f" ({token.label})" if token.label else ""
                    evidence.append(f"apex TXT token {token.prefix}…{what}")
                    seen.append(("txt", token.prefix))
                    break

        evidence += _host_evidence(svc.spf, spf, "SPF includes {}", "spf", seen)
        evidence += _host_evidence(svc.dkim, dkim, "DKIM selector CNAME to {}", "dkim", seen)
        evidence += _host_evidence(svc.ns, ns, NS_EVIDENCE + "{}", "ns", seen)
        if fed:
            evidence += _host_evidence(
                svc.federation, [fed], "Microsoft 365 sign-in is federated to {}", "federation", seen
            )
        if evidence:
            found.append(
                FoundService(
                    id=svc.id,
                    name=svc.name,
                    category=svc.category,
                    evidence=list(dict.fromkeys(evidence)),
                    found=list(dict.fromkeys(seen)),
                )
            )
    return found


def verification_prefixes(catalog: ServicesCatalog | None = None) -> list[tuple[str, str]]:
    """``(lower-case prefix, id)`` pairs for :meth:`hunter_cli.catalog.Catalog.verifications`.

    Only tokens with a ``verification`` field take part, reported under that id: the 35
    kinds Hunter stored before services.json existed, unchanged. The same token list
    feeds :func:`find_services`, so there is one list of tokens, not two.
    """
    cat = catalog or services_catalog()
    return [(t.prefix.lower(), t.verification) for s in cat.services for t in s.txt if t.verification]


def identity_service_for(federation_host: str, catalog: ServicesCatalog | None = None) -> str | None:
    """The id of the identity service a federation host belongs to (Okta, Duo, ...), or None."""
    cat = catalog or services_catalog()
    for svc in cat.services:
        for p in svc.federation:
            if host_matches(federation_host, p.pattern):
                return svc.id
    return None


def carry_forward(new: list[dict[str, Any]], old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``services`` list to keep after a scan that did not learn the name servers.

    Both are the JSON form. Name servers are asked with the footprint; when that was
    skipped (``--quick``) or failed, services the last scan knew from name servers
    alone stay, and their name-server evidence with them, so a skipped lookup never
    reads as a service that went away.
    """
    out = [dict(s) for s in new]
    by_id = {s["id"]: s for s in out}
    for was in old:
        ns = [e for e in was.get("evidence", []) if e.startswith(NS_EVIDENCE)]
        if not ns:
            continue
        ns_found = [list(f) for f in was.get("found", []) if f[0] == "ns"]
        if was["id"] in by_id:
            have = by_id[was["id"]]
            have["evidence"] = list(dict.fromkeys([*have.get("evidence", []), *ns]))
            have["found"] = [*have.get("found", []), *(f for f in ns_found if f not in have.get("found", []))]
        else:
            kept = {**was, "evidence": ns, "found": ns_found}
            out.append(kept)
            by_id[was["id"]] = kept
    return out
