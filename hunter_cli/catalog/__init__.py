"""Who runs a domain's mail, decided from the bundled catalog (providers.json).

The catalog is data: MX host suffixes, SPF include suffixes and DKIM CNAME
suffixes per mailbox provider and per security gateway. This module only loads it
and applies a fixed order of evidence; it does no I/O besides reading the file.
The apex TXT verification tokens (``Catalog.verifications``) come from the
services catalog (services.json), so there is one list of them.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .. import config
from ..domains import is_within

if TYPE_CHECKING:
    from ..models import Finding

# Ids the rest of the program relies on; the catalog may only use these.
MAILBOX_IDS = (
    "m365",
    "google",
    "yandex",
    "zoho",
    "amazon",
    "proton",
    "fastmail",
    "icloud",
    "godaddy",
    "ionos",
    "ovh",
    "hostinger",
    "rackspace",
    "namecheap",
    "hosting",
)
SUITE_IDS = ("m365", "google")
COMPUTED_IDS = ("self-hosted", "other", "broken", "none", "unknown")
PROVIDER_IDS = MAILBOX_IDS + COMPUTED_IDS
GATEWAY_IDS = (
    "mimecast",
    "proofpoint",
    "barracuda",
    "cisco",
    "sophos",
    "trendmicro",
    "symantec",
    "hornetsecurity",
    "spamexperts",
    "forcepoint",
    "cloudflare",
)


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    name: str
    kind: str  # "mailbox" or "gateway"


@dataclass(frozen=True, slots=True)
class TenantDkimForm:
    """One form of Microsoft 365 DKIM CNAME target that names the tenant's initial domain.

    The target is ``<selector>-<domain-with-dashes>._domainkey.<prefix>[.<partition>].<suffix>``;
    the initial domain is ``<prefix>.<initial>`` (Microsoft Learn, "How to use DKIM for email in
    your custom domain": Syntax for DKIM CNAME records).
    """

    suffix: str
    initial: str
    partition: re.Pattern[str] | None = None


@dataclass(slots=True)
class Catalog:
    mx: dict[str, Entry] = field(default_factory=dict)
    spf: dict[str, Entry] = field(default_factory=dict)
    dkim: dict[str, Entry] = field(default_factory=dict)
    # a user's own catalog file with a `verification` list (case-insensitive prefixes, as before
    # services.json); None: the exact tokens of services.json
    verification: list[tuple[str, str]] | None = None
    names: dict[str, str] = field(default_factory=dict)  # id -> display name
    tenant_dkim: list[TenantDkimForm] = field(default_factory=list)  # longest suffix first
    # (id, name) of a mailbox entry -> the DKIM selectors it hands its customers (``dkim_selectors``)
    selectors: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    _mx_memo: dict[str, Entry | None] = field(default_factory=dict, repr=False, compare=False)  # match_mx

    def initial_domain(self, target: str | None) -> str | None:
        """The tenant's initial domain named by a Microsoft 365 DKIM CNAME target, in its cloud's suffix.

        ``selector1-acme-com._domainkey.acme.onmicrosoft.com`` -> ``acme.onmicrosoft.com``;
        ``selector1-acme-com._domainkey.acme.r-v1.dkim.mail.microsoft`` -> ``acme.onmicrosoft.com``;
        ``..._domainkey.acme.partner.onmschina.cn`` -> ``acme.partner.onmschina.cn``. None for other targets.
        """
        if not target:
            return None
        t = target.lower().rstrip(".")
        for form in self.tenant_dkim:
            if not t.endswith("." + form.suffix):
                continue
            labels = t[: -len(form.suffix) - 1].split(".")
            if form.partition is not None:
                if len(labels) < 2 or not form.partition.match(labels[-1]):
                    continue
                labels = labels[:-1]
            if len(labels) < 2 or not labels[-1] or labels[-1].startswith("_"):
                continue
            return f"{labels[-1]}.{form.initial}"
        return None

    @staticmethod
    def _match(table: dict[str, Entry], host: str) -> Entry | None:
        """Longest suffix in ``table`` that ``host`` equals or ends with."""
        labels = host.lower().rstrip(".").split(".")
        for i in range(len(labels)):
            hit = table.get(".".join(labels[i:]))
            if hit is not None:
                return hit
        return None

    def match_mx(self, host: str) -> Entry | None:
        """The catalog entry of MX host ``host`` (longest suffix), remembered for the host's next questions:
        one domain's MX hosts are matched by its classification, its MX findings and its receivers in turn,
        and a provider's shared hosts (``aspmx.l.google.com``) by every domain. The memory is dropped whole
        at :data:`_MEMO_LIMIT` hosts, so a list of millions of tenant-specific hosts stays small."""
        memo = self._mx_memo
        if host in memo:
            return memo[host]
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        e = memo[host] = self._match(self.mx, host)
        return e

    def match_mx_host(self, host: str, canonical: str | None = None) -> tuple[Entry | None, str]:
        """The catalog entry for an MX exchange by its name, else by its canonical name (an alias's target),
        with the name that matched."""
        e = self.match_mx(host)
        if e is None and canonical:
            e = self.match_mx(canonical)
            if e is not None:
                return e, canonical
        return e, host

    def match_spf(self, target: str) -> Entry | None:
        return self._match(self.spf, target)

    def match_dkim(self, target: str) -> Entry | None:
        return self._match(self.dkim, target)

    def provider_selectors(self, mx_hosts: Sequence[str], spf_targets: Sequence[str] = ()) -> tuple[str, ...]:
        """The DKIM selectors (``dkim_selectors`` in providers.json) of each mailbox provider that an MX host
        (``mx_hosts``, by name) or an SPF include/redirect target written in the record (``spf_targets``)
        names, in that order, each once; empty when none publishes any (scan.Scanner._dkim asks them)."""
        out: dict[str, None] = {}
        hits = [self.match_mx(h) for h in mx_hosts if h] + [self.match_spf(t) for t in spf_targets]
        for e in hits:
            if e is not None and e.kind == "mailbox":
                out.update((s, None) for s in self.selectors.get((e.id, e.name), ()))
        return tuple(out)

    def verifications(self, txts: list[str]) -> list[str]:
        """Verification-token kinds in these apex TXT strings (``microsoft``, ``google``, ...),
        in order of first appearance; the bundled tokens match exactly (footprint.services)."""
        if self.verification is None:
            from ..footprint.services import verifications

            return verifications(txts)
        found: list[str] = []
        for txt in txts:
            low = txt.strip().lower()
            for prefix, service in self.verification:
                if low.startswith(prefix) and service not in found:
                    found.append(service)
        return found


def _load(data: dict) -> Catalog:
    cat = Catalog()
    for kind, key, allowed in (("mailbox", "mailbox", MAILBOX_IDS), ("gateway", "gateways", GATEWAY_IDS)):
        for item in data.get(key, []):
            if item["id"] not in allowed:
                raise ValueError(f"catalog: unknown {kind} id {item['id']!r}")
            entry = Entry(item["id"], item.get("name", item["id"]), kind)
            cat.names.setdefault(entry.id, entry.name if entry.id != "hosting" else "Shared hosting")
            for table, field_name in ((cat.mx, "mx"), (cat.spf, "spf"), (cat.dkim, "dkim")):
                for suffix in item.get(field_name, []):
                    table[suffix.lower().strip(".")] = entry
            if item.get("dkim_selectors"):
                chosen = cat.selectors.setdefault((entry.id, entry.name), ())
                more = tuple(str(s["selector"]).lower() for s in item["dkim_selectors"])
                cat.selectors[(entry.id, entry.name)] = tuple(dict.fromkeys(chosen + more))
            for form in item.get("tenant_dkim", []):
                pattern = form.get("partition")
                cat.tenant_dkim.append(
                    TenantDkimForm(
                        form["suffix"].lower().strip("."),
                        form["initial"].lower().strip("."),
                        re.compile(pattern) if pattern else None,
                    )
                )
    cat.tenant_dkim.sort(key=lambda f: -len(f.suffix))
    if "verification" in data:  # a user's own catalog file from before services.json
        cat.verification = [(v["prefix"].lower(), v["service"]) for v in data["verification"]]
    # otherwise one list: the TXT tokens of hunter_cli/catalog/services.json (Catalog.verifications)
    cat.names.update(
        {
            "self-hosted": "Own mail server",
            "other": "Other / unrecognised",
            "broken": "Broken mail set-up (no MX host takes mail)",
            "none": "No mail",
            "unknown": "Unknown (lookup failed)",
        }
    )
    return cat


def load_catalog(path: str | None = None) -> Catalog:
    """The bundled catalog, or the file named by ``path`` / env ``HUNTER_CATALOG`` (read once per path)."""
    if not path:
        path = config.get("catalog")
    return _load_catalog(str(path) if path else None)


@functools.cache
def _load_catalog(path: str | None) -> Catalog:
    if path:
        text = Path(path).read_text("utf-8")
    else:
        text = resources.files("hunter_cli.catalog").joinpath("providers.json").read_text("utf-8")
    return _load(json.loads(text))


@dataclass(slots=True)
class Classification:
    provider: str
    provider_name: str | None = None
    gateway: str | None = None
    evidence: list[str] = field(default_factory=list)


def _corroborated(
    boxes: list[tuple[str, Entry, str]],
    spf_targets: Sequence[str],
    dkim_cnames: Sequence[str],
    tenant: bool,
    cat: Catalog,
) -> tuple[str, Entry, str]:
    """Of the mailbox providers named by MX hosts of the same (lowest) preference, ``(host, entry, matched)``
    of the one other records stand behind: a DKIM key delegated to it, then (for Microsoft 365) a tenant,
    then an SPF include of it; else the first in MX order. Senders pick among equal preferences at random
    (RFC 5321 5.1), so the records, not the order, say which is the company's own suite."""

    def backed(e: Entry) -> int:
        if any(is_provider(cat.match_dkim(t), e.id, e.name) for t in dkim_cnames):
            return 0
        if tenant and e.id == "m365":
            return 1
        if any(is_provider(cat.match_spf(t), e.id, e.name) for t in spf_targets):
            return 2
        return 3

    return min(boxes, key=lambda box: backed(box[1]))


def classify(domain: str, mx: list[tuple[int, str]], *, tenant: bool = False, **evidence) -> Classification:
    """Mailbox provider and gateway; see :func:`_classify` for the order of evidence.

    A Microsoft tenant on a domain whose mail runs elsewhere is noted: it is the
    strongest cross-sell fact a rep can have.
    """
    c = _classify(domain, mx, tenant=tenant, **evidence)
    if tenant and c.provider not in ("m365", "none"):
        c.evidence.append("a Microsoft tenant exists although mail runs elsewhere: cross-sell")
    return c


def _classify(
    domain: str,
    mx: list[tuple[int, str]],
    *,
    spf_targets: Sequence[str] = (),
    dkim_cnames: Sequence[str] = (),
    verifications: Sequence[str] = (),
    tenant: bool = False,
    catalog: Catalog | None = None,
    canonical: dict[str, str] | None = None,
    unresolved: frozenset[str] | set[str] = frozenset(),
    own_servers: Sequence[str] = (),
    dkim_keys: Sequence[str] = (),
) -> Classification:
    """Mailbox provider and gateway from MX hosts (sorted by preference) and supporting evidence.

    ``own_servers`` are records naming a mail server inside the domain (their own Exchange's autodiscover,
    an SPF ``a:`` term of one of their hosts: :func:`own_mail_servers`): behind a gateway where nothing names a
    provider, they make the mailbox ``self-hosted``. An MX host no catalog entry names, with SPF naming one
    mailbox provider that a DKIM key stands behind (delegated to it, or at a selector it hands out, ``dkim_keys``:
    the selectors with a usable key) or, for Microsoft 365, a tenant, is that provider behind a filter the catalog
    does not know, not ``other``.

    ``mx`` is empty for NXDOMAIN/NODATA and ``[(0, "")]`` for a null MX: both mean
    ``none``. A failed MX lookup never reaches this function (the scan says ``unknown``).
    ``canonical`` maps alias exchanges to their CNAME targets, which are matched
    too; exchanges in ``unresolved`` have no address and take no mail, so they are
    passed over, and when that leaves none the provider is ``broken``.
    """
    cat = catalog or load_catalog()
    canonical = canonical or {}
    named = [(pref, h) for pref, h in mx if h]
    if not named:
        why = "null MX (RFC 7505): the domain accepts no mail" if mx else "no MX record"
        return Classification("none", evidence=[why])
    from ..dns.mx import is_ip_literal, lowest_preference, taking_mail

    # an IP address written as the exchange names no host (RFC 5321 5.1, RFC 7505 3): most senders will not
    # deliver to it, so like an exchange with no address it takes no mail (docs/scoring.md)
    hosts = taking_mail(named, unresolved)
    if not hosts:
        shown = ", ".join(h for _, h in named[:3])
        if any(is_ip_literal(h) for _, h in named):
            why = f"the MX names an IP address, not a host ({shown}): most senders refuse or bounce mail to it"
            return Classification("broken", evidence=[why])
        return Classification("broken", evidence=[f"no MX host resolves ({shown}): mail to the domain bounces"])
    primary = lowest_preference(hosts)
    evidence: list[str] = []

    def via(host: str, matched: str) -> str:
        return f"MX {host}" if matched == host else f"MX {host} (an alias of {matched})"

    gateway = None
    for h in primary:
        e, matched = cat.match_mx_host(h, canonical.get(h))
        if e is not None and e.kind == "gateway":
            gateway = e
            evidence.append(f"{via(h, matched)} is {e.name}, a security gateway")
            break

    if gateway is None:
        boxes: list[tuple[str, Entry, str]] = []
        for h in primary:
            e, matched = cat.match_mx_host(h, canonical.get(h))
            if e is not None and e.kind == "mailbox":
                boxes.append((h, e, matched))
        if boxes:
            h, e, matched = _corroborated(boxes, spf_targets, dkim_cnames, tenant, cat)
            evidence.append(f"{via(h, matched)} belongs to {e.name}")
            others = list(dict.fromkeys(o.name for _, o, _ in boxes if (o.id, o.name) != (e.id, e.name)))
            if others:  # equal preference: senders pick among them at random (RFC 5321 5.1)
                also = ", ".join(others)
                evidence.append(f"MX hosts of the same preference also point at {also}: mail arrives at each")
            return Classification(e.id, e.name, None, evidence)
        for h in primary:
            if is_within(h, domain):
                evidence.append(f"MX {h} is inside {domain}: a mail server of their own")
                return Classification("self-hosted", None, None, evidence)
        evidence.append(f"MX {primary[0]} matches no known provider")
        behind = _behind_unknown_filter(spf_targets, dkim_cnames, dkim_keys, tenant, cat)
        if behind is not None:
            target, e, why = behind
            evidence.append(
                f"SPF names only {e.name} ({target}) to send their mail and {why}: {e.name} behind a filter"
                " Hunter does not know"
            )
            return Classification(e.id, e.name, None, evidence)
        return Classification("other", None, None, evidence)

    # Behind a gateway: the mailbox is wherever backup MX, DKIM or SPF point.
    for _, h in hosts:
        e, matched = cat.match_mx_host(h, canonical.get(h))
        if e is not None and e.kind == "mailbox":
            evidence.append(f"backup {via(h, matched)} belongs to {e.name}")
            return Classification(e.id, e.name, gateway.id, evidence)
    for target in dkim_cnames:
        e = cat.match_dkim(target)
        if e is not None and e.kind == "mailbox":
            evidence.append(f"DKIM key delegated to {target} ({e.name})")
            return Classification(e.id, e.name, gateway.id, evidence)
    if tenant and "microsoft" in verifications:
        evidence.append("a Microsoft tenant exists and the domain carries its MS= verification token")
        return Classification("m365", cat.names.get("m365"), gateway.id, evidence)
    spf_hits = [(t, e) for t in spf_targets if (e := cat.match_spf(t)) is not None and e.kind == "mailbox"]
    # Many senders include Amazon SES or a newsletter host; the mailbox is more
    # likely the big suite when one is included, so those go first.
    spf_hits.sort(key=lambda hit: hit[1].id not in SUITE_IDS)
    if spf_hits:
        target, e = spf_hits[0]
        evidence.append(f"SPF includes {target} ({e.name})")
        return Classification(e.id, e.name, gateway.id, evidence)
    if own_servers:
        evidence.append(f"{own_servers[0]}: a mail server of their own behind the gateway")
        return Classification("self-hosted", None, gateway.id, evidence)
    evidence.append("nothing behind the gateway names a mailbox provider")
    return Classification("other", None, gateway.id, evidence)


def _behind_unknown_filter(
    spf_targets: Sequence[str], dkim_cnames: Sequence[str], dkim_keys: Sequence[str], tenant: bool, cat: Catalog
) -> tuple[str, Entry, str] | None:
    """``(include, entry, why)`` when the SPF tree names exactly one mailbox provider (sending services such as
    Amazon SES aside) and other records stand behind it (a DKIM key delegated to it, or for Microsoft 365 a
    tenant): the mail the company sends goes out through that provider, so the unknown MX in front is most
    likely a filter. None otherwise (two providers, or nothing to back the include): no guess."""
    from ..footprint.services import spf_categories

    hits = [
        (t, e)
        for t in spf_targets
        if (e := cat.match_spf(t)) is not None and e.kind == "mailbox" and not spf_categories([t]) & SENDING_CATEGORIES
    ]
    if len({(e.id, e.name) for _, e in hits}) != 1:
        return None
    target, e = hits[0]
    if any(is_provider(cat.match_dkim(c), e.id, e.name) for c in dkim_cnames):
        return target, e, "a DKIM key is delegated to it"
    if found := [k for k in dkim_keys if k in cat.selectors.get((e.id, e.name), ())]:
        return target, e, f"a DKIM key stands at its selector {found[0]}"
    if tenant and e.id == "m365":
        return target, e, "a Microsoft tenant holds the domain"
    return None


def own_mail_servers(domain: str, exchange_own_hosts: Sequence[str], spf_terms: Sequence[str]) -> list[str]:
    """Records that name a mail server inside ``domain``, in words: their own Exchange's records
    (``exchange_own_hosts``, the footprint's on-premises evidence such as ``autodiscover CNAME → mail.acme.com``),
    then each SPF ``a:<host>`` term whose host is inside the domain and not the apex (a bare ``a`` names the web
    site's address as often as a mail server; RFC 7208 5.3)."""
    out = list(exchange_own_hosts)
    for term in spf_terms:
        body = term[1:] if term.startswith("+") else term
        if body.lower().startswith("a:"):
            host = body[2:].split("/", 1)[0].lower().rstrip(".")
            if host != domain and is_within(host, domain) and "%" not in host:
                out.append(f"SPF {term}")
    return out


# services.json categories of services that send a company's mail for it without holding its mailboxes
# (SendGrid, Mailchimp, Amazon SES, ...): their SPF include beside another mailbox provider is expected.
SENDING_CATEGORIES = frozenset({"email-delivery", "email-marketing"})
W_SPF_OTHER_PROVIDER = "spf-other-mail-provider"


def is_provider(entry: Entry | None, provider: str | None, provider_name: str | None) -> bool:
    """Whether catalog ``entry`` is the mailbox provider ``provider`` (a classification's id, with its
    ``provider_name``). Hosting firms share the id ``hosting`` and differ by name; a hosting provider
    whose name is not known is matched by any hosting entry (callers that need the firm itself, such as
    a verdict on its SPF include, give none for an unnamed one)."""
    if entry is None or entry.id != provider:
        return False
    return entry.id != "hosting" or not provider_name or entry.name == provider_name


def other_mail_providers(
    provider: str | None,
    provider_name: str | None,
    spf_targets: Sequence[str],
    *,
    gateway: str | None = None,
    receivers: Sequence[Entry] = (),
    catalog: Catalog | None = None,
) -> list[tuple[str, Entry]]:
    """``(target, entry)`` for each mailbox provider other than ``provider`` that the domain's own SPF
    ``include:`` or ``redirect=`` targets (``spf_targets``) authorize to send for it, each provider once.

    Typical of a domain whose mail moved (MX at Microsoft 365) while SPF still names the old host
    (a hosting firm, Google Workspace): legal (RFC 7208 5.2), but the old provider's servers may still
    send in its name. Only said when ``provider`` is a catalog mailbox provider (not an own server, an
    unknown or a broken set-up: no verdict without one). Never for a gateway's include (catalog kind
    ``gateway``) nor for a target that services.json lists as a sending service (``SENDING_CATEGORIES``:
    Amazon SES is both a mailbox provider and a sender). Behind a gateway the mailbox itself is deduced,
    so the other provider is named only when the SPF record includes ``provider``'s own servers too.
    Two hosting firms share the id ``hosting``: they differ by name. A provider that one of the domain's MX
    hosts names (``receivers``: :func:`mx_receivers`, a backup or one of equal preference) takes part of
    its mail today, so its include is no leftover either.
    """
    if provider not in MAILBOX_IDS or not spf_targets:
        return []
    from ..footprint.services import spf_categories

    cat = catalog or load_catalog()
    hits = [(t, e) for t in spf_targets if (e := cat.match_spf(t)) is not None and e.kind == "mailbox"]

    if gateway and not any(is_provider(e, provider, provider_name) for _, e in hits):
        return []
    out: list[tuple[str, Entry]] = []
    for target, e in hits:
        if is_provider(e, provider, provider_name) or any((o.id, o.name) == (e.id, e.name) for _, o in out):
            continue
        if any((r.id, r.name) == (e.id, e.name) for r in receivers):
            continue
        if spf_categories([target]) & SENDING_CATEGORIES:
            continue
        out.append((target, e))
    return out


def other_provider_findings(
    provider: str | None,
    provider_name: str | None,
    spf_targets: Sequence[str],
    *,
    gateway: str | None = None,
    receivers: Sequence[Entry] = (),
    catalog: Catalog | None = None,
) -> list[Finding]:
    """The ``spf-other-mail-provider`` warnings (:func:`other_mail_providers`) as SPF findings, one per
    provider, ``where`` the include target (docs/json-schema.md)."""
    from ..models import Finding

    cat = catalog or load_catalog()
    mine = cat.names.get(provider or "", provider) if provider != "hosting" or not provider_name else provider_name
    return [
        Finding(
            code=W_SPF_OTHER_PROVIDER,
            message=f"mail is received by {mine}, but SPF still authorizes {e.name} ({target}) to send for the"
            " domain: left over from a move, or a service still in use (RFC 7208 5.2)",
            where=[target],
        )
        for target, e in other_mail_providers(
            provider, provider_name, spf_targets, gateway=gateway, receivers=receivers, catalog=cat
        )
    ]


_MEMO_LIMIT = 50_000  # MX hosts Catalog.match_mx remembers before it starts again

W_MX_SPLIT = "mx-split-providers"
W_MX_BACKUP = "mx-backup-elsewhere"
W_MX_BYPASS = "mx-gateway-bypass"


def mx_party(
    domain: str, host: str, canonical: str | None = None, catalog: Catalog | None = None
) -> Entry | str | None:
    """Who MX host ``host`` of ``domain`` belongs to: its catalog entry (a mailbox provider or a gateway, by its
    name or its alias' target ``canonical``), ``"self"`` for a host inside the domain (their own server), else
    None (a firm the catalog does not know: two such hosts may be one firm's)."""
    e, _ = (catalog or load_catalog()).match_mx_host(host, canonical)
    if e is not None:
        return e
    return "self" if domain and is_within(host, domain) else None


def mx_receiver_hosts(
    mx: Sequence[tuple[int, str]],
    canonical: dict[str, str] | None = None,
    unresolved: frozenset[str] | set[str] = frozenset(),
    catalog: Catalog | None = None,
) -> list[tuple[Entry, str]]:
    """``(entry, host)`` for the catalog entry (mailbox provider or gateway) of every MX host that takes mail,
    primary or backup, each entry once with its first host: ``mx`` is ``[(preference, exchange)]``; exchanges
    in ``unresolved``, IP literals and ``.`` take none (RFC 5321 5.1, RFC 7505)."""
    from ..dns.mx import taking_mail

    cat = catalog or load_catalog()
    canonical = canonical or {}
    out: list[tuple[Entry, str]] = []
    for _, h in taking_mail(mx, unresolved):
        e, _ = cat.match_mx_host(h, canonical.get(h))
        if e is not None and not any((o.id, o.name) == (e.id, e.name) for o, _ in out):
            out.append((e, h))
    return out


def mx_receivers(
    mx: Sequence[tuple[int, str]],
    canonical: dict[str, str] | None = None,
    unresolved: frozenset[str] | set[str] = frozenset(),
    catalog: Catalog | None = None,
) -> list[Entry]:
    """The entries of :func:`mx_receiver_hosts`, without their hosts."""
    return [e for e, _ in mx_receiver_hosts(mx, canonical, unresolved, catalog)]


def mx_provider_findings(
    domain: str,
    mx: Sequence[tuple[int, str]],
    canonical: dict[str, str] | None = None,
    unresolved: frozenset[str] | set[str] = frozenset(),
    catalog: Catalog | None = None,
) -> list[Finding]:
    """Warnings about whom an MX set delivers to, when it is more than one party (docs/providers.md):

    - ``mx-split-providers``: hosts of the same, lowest preference belong to different providers (or one is
      the company's own server). Senders pick among equal preferences at random (RFC 5321 5.1), so mail
      arrives at each: a move half done, or two systems that must both hold every mailbox.
    - ``mx-gateway-bypass``: hosts of the same, lowest preference are a security gateway and a mailbox
      provider or server: the mail senders hand to the latter skips the gateway's filtering;
    - ``mx-backup-elsewhere``: a backup (higher preference) host belongs to another provider or server than
      the primary hosts. Senders use it whenever the primary cannot be reached, and mail sent straight to it
      skips the primary's filtering.

    Only hosts the catalog names or that lie inside ``domain`` count (two unknown hosts may well be one
    firm's); ``where`` lists the hosts. Legal set-ups, so warnings, never errors."""
    from ..dns.mx import taking_mail
    from ..models import Finding

    cat = catalog or load_catalog()
    canonical = canonical or {}
    hosts = taking_mail(mx, unresolved)
    if not hosts:
        return []

    gateways: set[str] = set()

    def party(h: str) -> tuple[str, str] | None:
        who = mx_party(domain, h, canonical.get(h), cat)
        if who is None:
            return None
        if isinstance(who, str):  # "self"
            return ("self", "their own server")
        if who.kind == "gateway":
            gateways.add(f"{who.id}:{who.name}")
        return (f"{who.id}:{who.name}", who.name)

    best = min(p for p, _ in hosts)
    first: dict[str, tuple[str, list[str]]] = {}
    for p, h in hosts:
        if p == best and (who := party(h)) is not None:
            first.setdefault(who[0], (who[1], []))[1].append(h)
    out: list[Finding] = []
    past = {k: v for k, v in first.items() if k not in gateways}  # where mail goes without a gateway's filter
    if len(first) > 1 and gateways & set(first) and past:
        guard = " and ".join(name for k, (name, _) in first.items() if k in gateways)
        direct = " and ".join(name for name, _ in past.values())
        out.append(
            Finding(
                code=W_MX_BYPASS,
                message=f"MX hosts of the same preference point at {guard} and {direct}: senders pick one at"
                f" random, so part of the mail reaches {direct} directly and skips {guard}'s filtering"
                " (RFC 5321 5.1)",
                where=[h for _, hs in first.values() for h in hs],
            )
        )
    elif len(first) > 1:
        names = [name for name, _ in first.values()]
        out.append(
            Finding(
                code=W_MX_SPLIT,
                message=f"MX hosts of the same preference point at {' and '.join(names)}: senders pick one at"
                " random, so mail arrives at each (RFC 5321 5.1)",
                where=[h for _, hs in first.values() for h in hs],
            )
        )
    if not first:
        return out
    primary = " and ".join(name for name, _ in first.values())
    seen: set[str] = set(first)
    for p, h in hosts:
        who = party(h) if p > best else None
        if who is None or who[0] in seen:
            continue
        seen.add(who[0])
        out.append(
            Finding(
                code=W_MX_BACKUP,
                message=f"backup MX {h} ({who[1]}) also takes mail for the domain: senders use it whenever"
                f" {primary} cannot be reached, and mail sent straight to it skips {primary}'s filtering"
                " (RFC 5321 5.1)",
                where=[h],
            )
        )
    return out
