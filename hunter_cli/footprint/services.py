"""Which other cloud services a domain uses, from evidence the scan already has.

Pure: apex TXT strings, SPF include targets, DKIM CNAME targets, name servers and
the Microsoft 365 federation host go in; a ``services`` list comes out. The
evidence each service leaves is data (``hunter_cli/catalog/services.json``); every
pattern there carries an example it must match, and docs/footprint.md says how to
add a service.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import Any

from ..modelbase import BaseModel, ConfigDict, Field
from .hosts import host_matches, norm_host
from .schema import ServicesCatalog, services_catalog

NS_EVIDENCE = "name server "  # the start of the sentence _host_evidence writes for a name server match


class _Model(BaseModel):
    # the validator is built at the first validation or dump, not at import (hunter_cli/trusted.py)
    model_config = ConfigDict(defer_build=True)


class FoundService(_Model):
    """One service the domain uses, with the observed evidence in plain words."""

    id: str
    name: str
    category: str
    evidence: list[str] = Field(default_factory=list)
    # the same evidence as language-neutral (kind, value) pairs for the brief's own wording:
    # ("txt", token prefix), ("spf", host), ("dkim", host), ("ns", host), ("federation", host), ("mx", host)
    found: list[tuple[str, str]] = Field(default_factory=list)


def _hosts(values: Iterable[str] | None) -> list[str]:
    return [h for h in (norm_host(v) for v in values or () if v) if h]


KINDS = ("spf", "dkim", "ns", "federation")
_SAY = {
    "spf": "SPF includes {}",
    "dkim": "DKIM selector CNAME to {}",
    "ns": NS_EVIDENCE + "{}",
    "federation": "Microsoft 365 sign-in is federated to {}",
}


class _Index:
    """The catalog's evidence arranged for lookups: TXT tokens by their first two characters,
    and host patterns by kind, exact suffixes in a dict (a host is looked up by each of its
    suffixes) and globs in a list. Built once per catalog; :func:`find_services` runs once per
    scanned domain."""

    def __init__(self, cat: ServicesCatalog) -> None:
        self.services = [s for s in cat.services if s.listed]
        # (prefix, compiled value, service index, token index) by the prefix's first two characters
        self.txt: dict[str, list[tuple[str, re.Pattern[str], int, int]]] = {}
        self.suffix: dict[str, dict[str, list[tuple[int, int]]]] = {k: {} for k in KINDS}
        self.globs: dict[str, list[tuple[str, int, int]]] = {k: [] for k in KINDS}
        for si, svc in enumerate(self.services):
            for ti, token in enumerate(svc.txt):
                entry = (token.prefix, re.compile(token.value), si, ti)
                self.txt.setdefault(token.prefix[:2], []).append(entry)
            for kind in KINDS:
                for pi, hp in enumerate(getattr(svc, kind)):
                    if "*" in hp.pattern:
                        self.globs[kind].append((hp.pattern, si, pi))
                    else:
                        self.suffix[kind].setdefault(hp.pattern, []).append((si, pi))

    def tokens(self, txts: Iterable[str]) -> set[tuple[int, int]]:
        """(service index, token index) of every token some TXT string is, exactly."""
        found: set[tuple[int, int]] = set()
        for t in txts:
            for prefix, value, si, ti in self.txt.get(t[:2], ()):
                if t.startswith(prefix) and value.fullmatch(t, len(prefix)) is not None:
                    found.add((si, ti))
        return found

    def hosts(self, kind: str, values: list[str], hits: dict[tuple[int, str, int], str]) -> None:
        """Record, for each (service, kind, pattern) some value matches, the first such value."""
        suffix, globs = self.suffix[kind], self.globs[kind]
        for v in values:
            labels = v.split(".")
            for i in range(len(labels)):
                for si, pi in suffix.get(".".join(labels[i:]), ()):
                    hits.setdefault((si, kind, pi), v)
            for pattern, si, pi in globs:
                if fnmatchcase(v, pattern):
                    hits.setdefault((si, kind, pi), v)


_INDEXES: dict[int, tuple[ServicesCatalog, _Index]] = {}


def _index(cat: ServicesCatalog) -> _Index:
    hit = _INDEXES.get(id(cat))
    if hit is None or hit[0] is not cat:
        hit = (cat, _Index(cat))
        _INDEXES[id(cat)] = hit
    return hit[1]


def find_services(
    txt: Iterable[str] = (),
    spf_includes: Iterable[str] = (),
    dkim_cnames: Iterable[str] = (),
    nameservers: Iterable[str] = (),
    federation_host: str | None = None,
    *,
    mx_providers: Iterable[tuple[str, str]] = (),
    spf_providers: Iterable[tuple[str, str]] = (),
    catalog: ServicesCatalog | None = None,
) -> list[FoundService]:
    """Services named by the evidence, in catalog order, each with its evidence sentences.

    ``txt``: the apex TXT strings (character-strings joined). ``spf_includes``: include
    and redirect targets found anywhere in the SPF tree. ``dkim_cnames``: targets of
    DKIM selector CNAMEs. ``nameservers``: the domain's NS hosts. ``federation_host``:
    the identity provider host of a federated Microsoft 365 domain (getuserrealm). ``mx_providers``:
    ``(provider id, host)`` for the mailbox providers their primary (lowest-preference) MX hosts deliver to
    (providers.json, by :func:`hunter_cli.catalog.mx_receiver_hosts`): a service of the same id (Google
    Workspace, Zoho, Yandex 360) is in use by that alone, with or without an SPF include; a backup host,
    which takes mail only when the primary ones fail (RFC 5321 5.1), is no such evidence.
    ``spf_providers``: the same pairs for the mailbox providers their SPF includes name (providers.json's
    include list, the one list of each provider's includes): a service of that id with no SPF pattern of
    its own (Zoho) is found by them too.
    Entries with ``listed: false`` (Microsoft's own MS= token) are never returned.
    A TXT string names a service only when it is one of its tokens exactly (:class:`TxtToken`:
    the prefix character for character, case and separator included, then the value pattern).
    A host pattern matches the host or any name below it; one with ``*`` is a glob.
    """
    idx = _index(catalog or services_catalog())
    tokens = idx.tokens(t.strip() for t in txt if t and t.strip())
    hits: dict[tuple[int, str, int], str] = {}
    idx.hosts("spf", _hosts(spf_includes), hits)
    idx.hosts("dkim", _hosts(dkim_cnames), hits)
    idx.hosts("ns", _hosts(nameservers), hits)
    if federation_host and norm_host(federation_host):
        idx.hosts("federation", [norm_host(federation_host)], hits)
    by_mx: dict[int, str] = {}
    by_spf: dict[int, str] = {}
    if mx_providers or spf_providers:
        ids = {svc.id: si for si, svc in enumerate(idx.services)}
        for pairs, into in ((mx_providers, by_mx), (spf_providers, by_spf)):
            for pid, host in pairs:
                if pid in ids:
                    into.setdefault(ids[pid], host)
        # a service with SPF patterns of its own says so with its own label (above)
        spf_hit = {si for si, kind, _ in hits if kind == "spf"}
        by_spf = {si: h for si, h in by_spf.items() if si not in spf_hit}
    if not tokens and not hits and not by_mx and not by_spf:
        return []

    found: list[FoundService] = []
    for si in sorted({si for si, _ in tokens} | {si for si, _, _ in hits} | set(by_mx) | set(by_spf)):
        svc = idx.services[si]
        evidence: list[str] = []
        seen: list[tuple[str, str]] = []
        if si in by_mx:
            evidence.append(f"MX {by_mx[si]} delivers their mail to it")
            seen.append(("mx", by_mx[si]))
        if si in by_spf:
            evidence.append(_SAY["spf"].format(by_spf[si]))
            seen.append(("spf", by_spf[si]))
        for ti, token in enumerate(svc.txt):
            if (si, ti) in tokens:
                what = f" ({token.label})" if token.label else ""
                evidence.append(f"apex TXT token {token.prefix}…{what}")
                seen.append(("txt", token.prefix))
        for kind in KINDS:
            for pi, hp in enumerate(getattr(svc, kind)):
                v = hits.get((si, kind, pi))
                if v is not None:
                    evidence.append(_SAY[kind].format(v) + (f": {hp.label}" if hp.label else ""))
                    seen.append((kind, v))
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


def spf_categories(spf_includes: Iterable[str], *, catalog: ServicesCatalog | None = None) -> set[str]:
    """The categories of the services that SPF ``include:``/``redirect=`` targets name, matched as in
    :func:`find_services`, without building their evidence (no model: a reading command may ask)."""
    idx = _index(catalog or services_catalog())
    hits: dict[tuple[int, str, int], str] = {}
    idx.hosts("spf", _hosts(spf_includes), hits)
    return {idx.services[si].category for si, _, _ in hits}


_VERIFICATION_INDEXES: dict[int, tuple[ServicesCatalog, dict[str, list[tuple[str, re.Pattern[str], str]]]]] = {}


def _verification_index(cat: ServicesCatalog) -> dict[str, list[tuple[str, re.Pattern[str], str]]]:
    """(prefix, compiled value, stored kind) of every token with a ``verification`` id, by the
    prefix's first two characters, each list in catalog order; built once per catalog."""
    hit = _VERIFICATION_INDEXES.get(id(cat))
    if hit is None or hit[0] is not cat:
        index: dict[str, list[tuple[str, re.Pattern[str], str]]] = {}
        for svc in cat.services:
            for t in svc.txt:
                if t.verification:
                    index.setdefault(t.prefix[:2], []).append((t.prefix, re.compile(t.value), t.verification))
        hit = (cat, index)
        _VERIFICATION_INDEXES[id(cat)] = hit
    return hit[1]


def verifications(txts: Iterable[str], catalog: ServicesCatalog | None = None) -> list[str]:
    """The stored ``verifications`` of these apex TXT strings: ids in order of first appearance.

    Only tokens with a ``verification`` field take part, reported under that id (the 35 kinds
    Hunter stored before services.json existed, under the same ids); they match exactly as in
    :func:`find_services` (:meth:`TxtToken.matches`), so there is one list of tokens and one
    way to read it.
    """
    index = _verification_index(catalog or services_catalog())
    found: list[str] = []
    for txt in txts:
        t = txt.strip()
        for prefix, value, kind in index.get(t[:2], ()):
            if kind not in found and t.startswith(prefix) and value.fullmatch(t, len(prefix)) is not None:
                found.append(kind)
    return found


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


def dkim_selectors_shown(
    txt: Iterable[str] = (), spf_includes: Iterable[str] = (), *, catalog: ServicesCatalog | None = None
) -> list[str]:
    """The DKIM selectors (``dkim_selectors`` in the catalog) of each service that ``txt`` tokens or
    ``spf_includes`` targets name, in catalog order, each once (the evidence as :func:`find_services`)."""
    cat = catalog or services_catalog()
    found = {f.id for f in find_services(txt, spf_includes, catalog=cat)}
    out: dict[str, None] = {}
    for svc in cat.services:
        if svc.id in found:
            out.update((h.selector, None) for h in svc.dkim_selectors)
    return list(out)
