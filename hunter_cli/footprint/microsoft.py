"""Which Microsoft workloads a domain runs, read from public DNS answers.

Pure: the scan asks :func:`questions` and hands the answers to
:func:`microsoft_footprint` as plain data (:class:`Reply`); nothing here does I/O.
The record names and targets are data (``hunter_cli/catalog/microsoft.json``),
taken from Microsoft's pages "External Domain Name System records for Office 365",
"Add DNS records to connect your domain" (worldwide, 21Vianet, Germany), "DNS
records for Office 365 GCC High" / "DoD" and Intune's "Set up enrollment for
Windows devices"; MTA-STS, TLS reporting and BIMI follow RFC 8461 3.1, RFC 8460 3
and the BIMI draft. docs/footprint.md explains the states.

States of a workload:

- ``online``: a record points at Microsoft's cloud (``cloud`` says which one when the
  target tells it).
- ``on_premises``: a record points at a host inside the domain that exists and is no alias
  (a chain of aliases inside the domain is followed to where it ends, :func:`chain_questions`):
  their own Exchange, Lync or AD FS server.
- ``hybrid``: both of the above at once (autodiscover at their own server while MX
  is Exchange Online; lyncdiscover online while federation SRV is their own edge).
- ``other``: something else answers (a hosting panel, another MDM, an unknown host).
- ``absent``: every question was answered and none names anything. A record that leads to a
  name that does not exist (``leftovers``: a retired server's record) or round in a loop
  (``loops``), and a wildcard record's answer (``wildcard``: :func:`wildcard_target`), name
  nothing, so they do not make a state; each is kept apart for the reader.
- ``unknown``: nothing was found and at least one lookup failed, so absence is not
  proven (a timeout or SERVFAIL is never "no record").

Positive evidence stands even when another question failed; ``failed`` lists the
questions without an answer so a reader knows the picture may be partial.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from ..domains import is_within
from ..modelbase import BaseModel, ConfigDict, Field
from .hosts import matches_normalized, norm_host
from .mta_sts import StsPolicy
from .schema import MailSecurityRecord, MicrosoftCatalog, TargetRule, WorkloadState, microsoft_catalog
from .schema import Workload as WorkloadRule

Rcode = Literal["noerror", "nxdomain", "nodata"]
MailSecurityState = Literal["published", "invalid", "absent", "unknown"]


class _Model(BaseModel):
    # the validator is built at the first validation or dump, not at import (hunter_cli/trusted.py)
    model_config = ConfigDict(defer_build=True)


class Reply(BaseModel):
    """One DNS answer as plain data, or the failure that stood in for it.

    ``records`` hold the asked type's data: the target host for CNAME, the string for
    TXT (character-strings joined), and for SRV a ``(priority, weight, port, target)``
    tuple, a ``{"priority":..,"weight":..,"port":..,"target":..}`` mapping or the
    presentation text ``"100 1 443 sipdir.online.lync.com."``. ``cnames`` is the CNAME
    chain met on the way as ``(owner, target)`` pairs. ``failure`` (timeout, servfail,
    refused, ...) means there was no answer; ``rcode`` is then ignored.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    rcode: Rcode = "noerror"
    records: list[Any] = Field(default_factory=list)
    cnames: list[tuple[str, str]] = Field(default_factory=list)
    failure: str | None = None

    @classmethod
    def failed(cls, kind: str) -> Reply:
        return cls(failure=kind)

    @classmethod
    def nxdomain(cls) -> Reply:
        return cls(rcode="nxdomain")

    @classmethod
    def nodata(cls) -> Reply:
        return cls(rcode="nodata")


# no validator built; the empty lists given, so that pydantic does not parse list's signature for them
_EMPTY = {
    rc: Reply.model_construct({"rcode"}, rcode=rc, records=[], cnames=[]) for rc in ("noerror", "nxdomain", "nodata")
}


def reply_from(outcome: Any) -> Reply:
    """Convert the resolver's ``Answer`` / ``LookupFailure`` (duck-typed) into a :class:`Reply`.

    An object with a ``kind`` attribute is a failure; one with ``rcode`` is an answer.
    """
    kind = getattr(outcome, "kind", None)
    if kind is not None and not hasattr(outcome, "rcode"):
        return Reply.failed(str(kind))
    rcode = getattr(outcome, "rcode", None)
    if rcode not in ("noerror", "nxdomain", "nodata"):
        raise TypeError(f"not a resolver outcome: {outcome!r}")
    if not outcome.records and not outcome.cnames:
        return _EMPTY[rcode]  # most footprint answers: frozen, so one instance serves every domain
    return Reply(rcode=rcode, records=list(outcome.records), cnames=[tuple(c) for c in outcome.cnames])


class Workload(_Model):
    """One Microsoft workload as the domain's DNS shows it."""

    id: str
    name: str
    state: WorkloadState
    cloud: str | None = None  # commercial, gcc-high, dod, us-government, 21vianet, germany
    # plain sentences, e.g. "autodiscover CNAME to autodiscover.outlook.com"
    evidence: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # worth saying, not a verdict (legacy msoid record, ...)
    failed: list[str] = Field(default_factory=list)  # "CNAME autodiscover.acme.com: timeout"
    tags: list[str] = Field(default_factory=list)  # filter names this state earns: exchange-online, intune, ...
    # on-premises records, language-neutral: "sip CNAME → sip.acme.com"
    own_hosts: list[str] = Field(default_factory=list)
    # every record behind the state, language-neutral: "autodiscover CNAME → autodiscover.outlook.com"
    records: list[str] = Field(default_factory=list)
    # records whose chain ends at a name inside the domain that does not exist (NXDOMAIN), language-neutral:
    # "lyncdiscover CNAME → gone.acme.com": left over, probably from a retired server; no state rests on them
    leftovers: list[str] = Field(default_factory=list)
    # records whose chain inside the domain loops or does not end within MAX_CHAIN hops: "a CNAME → b → a"
    loops: list[str] = Field(default_factory=list)
    # records that are only a wildcard record's answer (:func:`wildcard_target`): "msoid CNAME → acme.com"
    wildcard: list[str] = Field(default_factory=list)


class MailSecurity(_Model):
    """MTA-STS, TLS reporting or BIMI: whether a usable record is published."""

    id: str
    name: str
    state: MailSecurityState
    record: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)  # parsed tag=value pairs of the record
    hosted_by: str | None = None  # CNAME target when the record is delegated to a provider
    evidence: list[str] = Field(default_factory=list)
    failed: list[str] = Field(default_factory=list)
    policy: StsPolicy | None = None  # MTA-STS only: the policy file, when the record is published and it was asked
    # records of the kind that senders discard (another version or case, a space before the version or around
    # its '='): beside a usable record they change nothing but are worth deleting (RFC 8461 3.1, RFC 8460 3)
    discarded: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)  # legal, but worth fixing: a discarded record, an unused rua


def attach_policy(sec: MailSecurity, policy: StsPolicy) -> None:
    """Put the fetched MTA-STS ``policy`` on its ``_mta-sts`` record's :class:`MailSecurity`.

    A policy senders cannot use makes the whole of MTA-STS ``invalid``: with no usable
    policy they deliver as though the domain had none (RFC 8461 5). A policy that
    could not be fetched on the way (``unknown``) leaves the record's state as it is.
    """
    sec.policy = policy
    if policy.state == "invalid":
        sec.state = "invalid"
        sec.evidence = [*sec.evidence, *policy.errors]
    elif policy.state == "unknown" and policy.failed:
        sec.failed = [*sec.failed, f"MTA-STS policy: {policy.failed}"]


class MicrosoftFootprint(_Model):
    """The ``microsoft`` object: every workload and mail-security record, keyed by id."""

    workloads: dict[str, Workload]
    mail_security: dict[str, MailSecurity]
    clouds: list[str] = Field(default_factory=list)  # clouds named by any online evidence
    wildcard: str | None = None  # the target a wildcard record answers every name with (wildcard_target)

    def tags(self) -> list[str]:
        """Filter names the domain earns (``exchange-online``, ``intune``, ...), sorted."""
        return sorted({t for w in self.workloads.values() for t in w.tags})

    def lacks(self, workload_id: str) -> bool | None:
        """True when the workload is proven absent, None when its state is unknown."""
        w = self.workloads.get(workload_id)
        if w is None:
            raise KeyError(workload_id)
        if w.state == "unknown":
            return None
        return w.state == "absent"


# --------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------


def questions(domain: str, catalog: MicrosoftCatalog | None = None) -> list[tuple[str, str]]:
    """The ``(name, rtype)`` questions to ask for ``domain``, absolute names, no duplicates.

    MX is not among them: the scan already asks it and passes the hosts to
    :func:`microsoft_footprint` as ``mx_hosts``.
    """
    cat = catalog or microsoft_catalog()
    domain = norm_host(domain)
    out: list[tuple[str, str]] = []
    for q in [q for w in cat.workloads for q in w.questions] + [m.question for m in cat.mail_security]:
        item = (f"{q.name}.{domain}", q.type)
        if item not in out:
            out.append(item)
    return out


MAX_CHAIN = 4  # names a footprint record's CNAME chain is followed through
WILDCARD_MIN = 3  # footprint names answering the same target that make it a wildcard's answer


def _microsoft_host(host: str, cat: MicrosoftCatalog) -> bool:
    return any(_first(w.online, host) is not None for w in cat.workloads)


def _first_targets(domain: str, answers: Mapping[tuple[str, str], Reply], cat: MicrosoftCatalog):
    """``(question name, first target)`` of each footprint answer that names one: a CNAME question's record,
    or the alias an SRV or TXT name is (its first CNAME hop). ``answers`` keys are normalised."""
    asked = [(q.name, q.type) for w in cat.workloads for q in w.questions]
    asked += [(m.question.name, m.question.type) for m in cat.mail_security]
    for name, rtype in dict.fromkeys(asked):
        reply = answers.get((f"{name}.{domain}", rtype))
        if reply is None or reply.failure:
            continue
        if rtype == "CNAME" and reply.records:
            yield name, norm_host(str(reply.records[0]))
        elif rtype != "CNAME" and reply.cnames:
            yield name, norm_host(reply.cnames[0][1])


def wildcard_target(
    domain: str, answers: Mapping[tuple[str, str], Reply], catalog: MicrosoftCatalog | None = None
) -> str | None:
    """The target a wildcard record (``*.acme.com CNAME acme.com.``, a hoster's ``* CNAME parking.host.net.``)
    answers the footprint's names with, or None; read from the answers the scan already has, no question more.

    A wildcard answers every name that has no record of its own (RFC 1034 4.3.3, RFC 4592 2.2), so its
    target comes back for many footprint names. It is one when a target is the domain itself (an alias of the
    apex names no server), or when at least ``WILDCARD_MIN`` footprint names (CNAME records, or the first hop
    of an SRV or TXT name that is an alias) answer the same target that is not Microsoft's, and none of the
    one-label CNAME names (``autodiscover``, ``msoid``, ...) is NXDOMAIN: a wildcard would have answered it.
    ``answers`` as :func:`microsoft_footprint` takes them.
    """
    cat = catalog or microsoft_catalog()
    domain = norm_host(domain)
    norm = {(norm_host(n), t.upper()): r for (n, t), r in answers.items()}
    counts: dict[str, int] = {}
    for _name, target in _first_targets(domain, norm, cat):
        counts[target] = counts.get(target, 0) + 1
    if domain in counts:
        return domain
    if not counts:
        return None
    target = max(counts, key=lambda t: counts[t])
    if counts[target] < WILDCARD_MIN or _microsoft_host(target, cat):
        return None
    one_label = {q.name for w in cat.workloads for q in w.questions if q.type == "CNAME" and "." not in q.name}
    for name in one_label:
        reply = norm.get((f"{name}.{domain}", "CNAME"))
        if reply is not None and not reply.failure and reply.rcode == "nxdomain":
            return None
    return target


class _Chain:
    __slots__ = ("hosts", "end", "failure")

    def __init__(self, hosts: list[str], end: str, failure: str | None = None) -> None:
        self.hosts = hosts  # the targets met, first to last
        # host: ends at hosts[-1] (outside the domain, or a name inside it that is no alias); gone: hosts[-1]
        # does not exist; loop: hosts[-1] was met before; long: more than MAX_CHAIN names inside the domain;
        # failed: the lookup of hosts[-1] gave no answer; open: hosts[-1] was not asked (read as a host)
        self.end = end
        self.failure = failure


def _known_hops(answers: Mapping[tuple[str, str], Reply]) -> dict[str, str]:
    """``{alias: target}`` for every CNAME hop the answers carry beyond the names asked: a chain a resolver
    chased, or added to a CNAME answer. Those need no question of their own."""
    return {norm_host(owner): norm_host(target) for r in answers.values() for owner, target in r.cnames}


def _walk(
    domain: str,
    first: str,
    answers: Mapping[tuple[str, str], Reply],
    wildcard: str | None,
    known: Mapping[str, str],
) -> _Chain:
    """Follow ``first`` through the CNAME answers while it stays inside ``domain`` (normalised keys)."""
    hosts = [first]
    while True:
        host = hosts[-1]
        if host == domain or host == wildcard:
            return _Chain(hosts, "host")
        inside = is_within(host, domain)
        if not inside and host not in known and (host, "CNAME") not in answers:
            return _Chain(hosts, "host")  # outside: followed only where the scan asked (chain_questions)
        if len(hosts) > MAX_CHAIN:
            return _Chain(hosts, "long")
        nxt = known.get(host)
        if nxt is None:
            reply = answers.get((host, "CNAME"))
            if reply is None:
                return _Chain(hosts, "open")
            if reply.failure:
                return _Chain(hosts, "failed", f"CNAME {host}: {reply.failure}")
            if reply.rcode == "nxdomain":
                return _Chain(hosts, "gone")
            if not reply.records:
                return _Chain(hosts, "host")  # the name exists and is no alias: a host of theirs
            nxt = norm_host(str(reply.records[0]))
        if nxt in hosts:
            return _Chain([*hosts, nxt], "loop")
        hosts.append(nxt)


def _chain_starts(domain: str, answers: Mapping[tuple[str, str], Reply], cat: MicrosoftCatalog):
    """The first target of every footprint record that names a host (CNAME records, SRV targets)."""
    for w in cat.workloads:
        for q in w.questions:
            reply = answers.get((f"{q.name}.{domain}", q.type))
            if reply is None or reply.failure:
                continue
            if q.type == "CNAME":
                yield from (norm_host(str(r)) for r in reply.records[:1])
            elif q.type == "SRV":
                for rec in reply.records:
                    yield _srv_target(rec)[0]


def _named(cat: MicrosoftCatalog, host: str) -> bool:
    """Whether the catalog names ``host`` for any workload (Microsoft's, or another provider's we know)."""
    return any(_first(w.online, host) is not None or _first(w.other, host) is not None for w in cat.workloads)


def chain_questions(
    domain: str, answers: Mapping[tuple[str, str], Reply], catalog: MicrosoftCatalog | None = None
) -> list[tuple[str, str]]:
    """The ``(name, "CNAME")`` questions still needed to follow the footprint's records to where they end;
    empty when none is (most domains: no question more).

    A CNAME question is answered with the alias record alone, unchased (RFC 1034 4.3.2 step 3a; a
    recursive resolver answers so too, and the test server does), so ``autodiscover CNAME ad.acme.com``,
    ``ad.acme.com CNAME autodiscover.outlook.com`` shows only the first hop. The scan asks these, adds the
    answers to ``answers`` and asks again until the list is empty: one round per hop, at most ``MAX_CHAIN``
    (a loop or a longer chain is a finding, never asked round again). A target outside the domain is asked
    only when the catalog does not name it (neither Microsoft's nor a provider we know):
    a name that does not exist is a record left over, as inside the domain, and an alias on to Microsoft
    is Microsoft's. The domain itself and a wildcard's target (:func:`wildcard_target`) are not followed.
    """
    cat = catalog or microsoft_catalog()
    domain = norm_host(domain)
    norm = {(norm_host(n), t.upper()): r for (n, t), r in answers.items()}
    wildcard = wildcard_target(domain, norm, cat)
    known = _known_hops(norm)
    out: list[tuple[str, str]] = []
    for first in _chain_starts(domain, norm, cat):
        if first in ("", ".") or first == wildcard:
            continue
        chain = _walk(domain, first, norm, wildcard, known)
        last = chain.hosts[-1]
        ask = chain.end == "open"
        if chain.end == "host" and len(chain.hosts) <= MAX_CHAIN and last != domain and last != wildcard:
            # a host outside the domain that the catalog does not name: does it exist, or alias on?
            ask = not is_within(last, domain) and not _named(cat, last)
        if ask and (last, "CNAME") not in norm and (last, "CNAME") not in out:
            out.append((last, "CNAME"))
    return out


def workload_tags(catalog: MicrosoftCatalog | None = None) -> list[str]:
    """Every filter name a workload can earn, for validating ``--workload`` / ``--missing``."""
    cat = catalog or microsoft_catalog()
    return sorted({t for w in cat.workloads for tags in w.tags.values() for t in tags})


# --------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------

_SRV_TEXT = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s*$")


def _srv_target(record: Any) -> tuple[str, int | None]:
    """(target, port) of an SRV record in any of the shapes :class:`Reply` accepts."""
    if isinstance(record, Mapping):
        return norm_host(str(record["target"])), int(record["port"]) if "port" in record else None
    if isinstance(record, (tuple, list)) and len(record) == 4:
        return norm_host(str(record[3])), int(record[2])
    if isinstance(record, str):
        m = _SRV_TEXT.match(record)
        if m:
            return norm_host(m.group(4)) or ".", int(m.group(3))
        return norm_host(record), None
    raise TypeError(f"not an SRV record: {record!r}")


class _Finding:
    __slots__ = ("kind", "cloud", "text", "note", "fact")

    def __init__(
        self, kind: str, text: str, cloud: str | None = None, note: str | None = None, fact: str | None = None
    ) -> None:
        self.kind = kind  # online, on_premises, other; declined, leftover, loop, wildcard (no state rests on them)
        self.text = text  # English sentence
        self.cloud = cloud
        self.note = note
        self.fact = fact  # the record alone, language-neutral: "autodiscover CNAME → mail.acme.com"


def _first(rules: Iterable[TargetRule], host: str) -> TargetRule | None:
    """The first rule whose pattern matches ``host`` (normalised; catalog patterns are normalised on load)."""
    for rule in rules:
        if matches_normalized(host, rule.pattern):
            return rule
    return None


def _judge(rule: WorkloadRule, domain: str, shown: str, fact: str, host: str, cat: MicrosoftCatalog) -> _Finding:
    online = _first(rule.online, host)
    if online is not None:
        where = f" ({cat.clouds[online.cloud]})" if online.cloud else ""
        return _Finding("online", f"{shown}{where}", online.cloud, online.note, fact)
    other = _first(rule.other, host)
    if other is not None:
        return _Finding("other", f"{shown}: {other.label or 'another provider'}", fact=fact)
    if is_within(host, domain) and host != domain:
        return _Finding(rule.own_host, f"{shown}: {rule.own_host_label}", fact=fact)
    if host == domain:
        # A chain that ends at the apex (a target equal to the domain at the first hop is a wildcard's answer,
        # wildcard_target); it names no server.
        return _Finding("other", f"{shown}: the domain itself, as a wildcard record would give", fact=fact)
    return _Finding("other", f"{shown}: a host outside Microsoft", fact=fact)


def _targets(q_name: str, q_type: str, reply: Reply, domain: str) -> list[tuple[str, str, int | None]]:
    """``(label, first target, port)`` for each target a reply names: ``("autodiscover CNAME",
    "ad.acme.com", None)``, ``("_sip._tls SRV", "sipdir.online.lync.com", 443)``. An SRV name that is
    itself an alias names its provider by where the alias ends outside the domain (an alias inside it only
    leads to the SRV records, which carry the targets)."""
    out: list[tuple[str, str, int | None]] = []
    if q_type == "CNAME":
        for rec in reply.records[:1]:  # a name holds one CNAME (RFC 1034 3.6.2); the rest is a chain
            out.append((f"{q_name} CNAME", norm_host(str(rec)), None))
    elif q_type == "SRV":
        for rec in reply.records:
            target, port = _srv_target(rec)
            out.append((f"{q_name} SRV", target, port))
        if reply.cnames:  # an SRV name delegated by CNAME names its provider too
            host = norm_host(reply.cnames[-1][1])
            if host == domain or not is_within(host, domain):
                out.append((f"{q_name} CNAME", host, None))
    return out


def _where(hit: TargetRule, cat: MicrosoftCatalog) -> str:
    return f" ({cat.clouds[hit.cloud]})" if hit.cloud else ""


def _workload(
    rule: WorkloadRule,
    domain: str,
    answers: Mapping[tuple[str, str], Reply],
    mx_hosts: Sequence[str] | None,
    cat: MicrosoftCatalog,
    mx_canonical: Mapping[str, str] = {},  # noqa: B006  # read only
    dkim: Sequence[tuple[str, str]] | None = (),
    spf_includes: Sequence[str] | None = (),
    unchecked: Sequence[str] = (),
    wildcard: str | None = None,
    known: Mapping[str, str] = {},  # noqa: B006  # read only
) -> Workload:
    findings: list[_Finding] = []
    failed: list[str] = []
    asked: list[str] = []
    for q in rule.questions:
        name = f"{q.name}.{domain}"
        reply = answers.get((name, q.type))
        asked.append(f"{q.name} {q.type}")
        if reply is None:
            failed.append(f"{q.type} {name}: not asked")
            continue
        if reply.failure:
            failed.append(f"{q.type} {name}: {reply.failure}")
            continue
        for label, first, port in _targets(q.name, q.type, reply, domain):
            if q.type == "SRV" and first in ("", "."):
                # RFC 2782: a target of "." says the service is decidedly not available here.
                findings.append(_Finding("declined", f"{q.name} SRV target '.': the service is declared unavailable"))
                continue
            shown = f"{first}:{port}" if port is not None else first
            if first == wildcard:
                text = f"{label} to {shown}: a wildcard record's answer, as every name gets, not a record of theirs"
                findings.append(_Finding("wildcard", text, fact=f"{label} → {shown}"))
                continue
            chain = _walk(domain, first, answers, wildcard, known)
            path = [shown, *chain.hosts[1:]]
            fact = f"{label} → " + " → ".join(path)
            text = f"{label} to " + ", then to ".join(path)
            last = chain.hosts[-1]
            if chain.end == "failed" and chain.failure:
                failed.append(chain.failure)  # where it leads is not known: neither their server nor gone
            elif chain.end == "gone":
                note = f"{last} does not exist: a record left over, probably from a retired server"
                findings.append(_Finding("leftover", f"{text}: {note}", fact=fact))
            elif chain.end in ("loop", "long"):
                why = "the chain loops" if chain.end == "loop" else f"the chain goes on past {MAX_CHAIN} names"
                findings.append(_Finding("loop", f"{text}: {why} and leads to no host", fact=fact))
            else:
                findings.append(_judge(rule, domain, text, fact, last, cat))
    if rule.mx:
        if mx_hosts is None:
            failed.append(f"MX {domain}: not known")
        else:
            for mx in mx_hosts:
                host = norm_host(mx)
                alias = norm_host(mx_canonical.get(mx) or mx_canonical.get(host) or "") or None
                hit = _first(rule.mx_online, host)
                shown, target = host, host
                if hit is None and alias:  # mx1.acme.com CNAME acme-com.mail.protection.outlook.com
                    hit = _first(rule.mx_online, alias)
                    shown, target = f"{host} (an alias of {alias})", alias
                if hit is not None:
                    text = f"MX {shown} is {rule.name} Online{_where(hit, cat)}"
                    fact = f"MX → {target}" if target == host else f"MX {host} → {target}"
                    findings.append(_Finding("online", text, hit.cloud, hit.note, fact))
                    break
    if rule.dkim_online or rule.spf_online:
        failed += list(unchecked)  # the scan's own DKIM or SPF lookups that gave no answer
    if rule.dkim_online:
        if dkim is None:
            failed.append("DKIM selectors: not known")
        else:
            for selector, target in dkim:
                host = norm_host(target)
                hit = _first(rule.dkim_online, host)
                if hit is not None:  # the key lives in the tenant: the provider signs their mail
                    kept = f"a DKIM key kept by {rule.name} Online{_where(hit, cat)}"
                    text = f"{selector}._domainkey CNAME to {host}, {kept}"
                    fact = f"{selector}._domainkey CNAME → {host}"
                    findings.append(_Finding("online", text, hit.cloud, hit.note, fact))
    if rule.spf_online:
        if spf_includes is None:
            failed.append(f"SPF {domain}: not known")
        else:
            for include in spf_includes:
                host = norm_host(include)
                hit = _first(rule.spf_online, host)
                if hit is not None:  # the provider's include: it sends mail in their name
                    text = f"SPF include:{host} lets {rule.name} Online send for them{_where(hit, cat)}"
                    findings.append(_Finding("online", text, hit.cloud, hit.note, f"SPF include:{host}"))
                    break

    kinds = {f.kind for f in findings}
    state: WorkloadState
    if "online" in kinds and "on_premises" in kinds:
        state = "hybrid"
    elif "online" in kinds:
        state = "online"
    elif "on_premises" in kinds:
        state = "on_premises"
    elif "other" in kinds:
        state = "other"
    elif failed:
        state = "unknown"
    else:
        state = "absent"

    evidence = [f.text for f in findings if f.kind != "declined" or state == "absent"]
    aside = {k: [f.fact for f in findings if f.kind == k and f.fact] for k in ("leftover", "loop", "wildcard")}
    if state == "absent" and not evidence:
        extra = [
            label
            for on, label in (
                (rule.mx, "Microsoft MX"),
                (rule.dkim_online, "DKIM key in a Microsoft 365 tenant"),
                (rule.spf_online, "Microsoft SPF include"),
            )
            if on
        ]
        evidence = ["no " + ", no ".join(asked + extra)]
    if state == "unknown":
        evidence = [f"nothing found, and {len(failed)} lookup(s) gave no answer"]
    clouds = sorted({f.cloud for f in findings if f.kind == "online" and f.cloud})
    if "us-government" in clouds and {"gcc-high", "dod"} & set(clouds):
        clouds.remove("us-government")  # the shared US government MX namespace; autodiscover says which
    notes = [f.note for f in findings if f.note and f.kind == "online"]
    if len(clouds) > 1:
        notes.append("records point at more than one Microsoft cloud: " + ", ".join(clouds))
    if aside["wildcard"]:
        notes.append(f"a wildcard record answers every name with {wildcard}: those records are no service of theirs")
    if aside["leftover"]:
        notes.append("a record points at a name that does not exist: left over, probably from a retired server")
    tags: list[str] = []
    if state in ("online", "hybrid"):
        tags += rule.tags.get("online", [])
    if state in ("on_premises", "hybrid"):
        tags += rule.tags.get("on_premises", [])
    if state == "hybrid":
        tags += rule.tags.get("hybrid", [])
    return Workload(
        id=rule.id,
        name=rule.name,
        state=state,
        cloud=clouds[0] if len(clouds) == 1 else None,
        evidence=list(dict.fromkeys(evidence)),
        notes=list(dict.fromkeys(notes)),
        failed=failed,
        tags=list(dict.fromkeys(tags)),
        own_hosts=list(dict.fromkeys(f.fact for f in findings if f.kind == "on_premises" and f.fact)),
        records=list(dict.fromkeys(f.fact for f in findings if f.fact and f.kind in _STATED)),
        leftovers=list(dict.fromkeys(aside["leftover"])),
        loops=list(dict.fromkeys(aside["loop"])),
        wildcard=list(dict.fromkeys(aside["wildcard"])),
    )


_STATED = frozenset({"online", "on_premises", "other"})  # the findings a state rests on


_TAG = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


def parse_tags(record: str) -> dict[str, str] | None:
    """``v=STSv1; id=2024`` -> ``{"v": "STSv1", "id": "2024"}``; None when a term is not tag=value.

    The three records share this tag-list syntax (RFC 8461 3.1, RFC 8460 3, BIMI draft 4.2).
    Tag names compare case-insensitively here; the version value is checked by the caller.
    """
    out: dict[str, str] = {}
    for term in record.split(";"):
        if not term.strip():
            continue
        m = _TAG.match(term)
        if m is None:
            return None
        out.setdefault(m.group(1).lower(), m.group(2))
    return out


# a field of the exact grammars, written as is: name (sts-ext-name / tlsrpt-ext-name, and the %s"id=" / %s"rua="
# of RFC 8461 3.1, RFC 8460 3), '=' with no space around it, a value
_EXACT_FIELD = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]{0,31})=(.*)$")


def parse_exact_tags(record: str) -> dict[str, str] | None:
    """The fields of an MTA-STS or TLS-RPT record as their grammars read them (RFC 8461 3.1, RFC 8460 3):
    split at ``;`` with spaces or tabs allowed around it (``field-delim = *WSP ";" *WSP``), names kept as
    written (``%s"id="``, ``%s"rua="`` are case-sensitive: ``ID=1`` is another field, no ``id``), no space
    around ``=``. None when a field is not ``name=value`` so written; the first of a repeated name counts."""
    out: dict[str, str] = {}
    for term in re.split(r"[ \t]*;[ \t]*", record.strip(" \t")):
        if not term:
            continue
        m = _EXACT_FIELD.match(term)
        if m is None:
            return None
        out.setdefault(m.group(1), m.group(2))
    return out


_STS_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")


def repeated_fields(record: str | None) -> list[str]:
    """The field names an MTA-STS or TLS-RPT record gives more than once, as :func:`parse_exact_tags` splits
    it (``v=STSv1; id=1; id=2`` -> ``["id"]``): the grammars give each field once (RFC 8461 3.1, RFC 8460 3),
    and which one a sender keeps is its own choice (Hunter reads the first). [] for none or no record."""
    names = [t.split("=", 1)[0] for t in re.split(r"[ \t]*;[ \t]*", (record or "").strip(" \t")) if "=" in t]
    return [n for n in dict.fromkeys(names) if names.count(n) > 1]


_MAILTO_ADDRESS = re.compile(r"^mailto:[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$", re.IGNORECASE)


def rua_not_addresses(tags: Mapping[str, str]) -> list[str]:
    """The ``mailto:`` URIs of a TLS-RPT record's ``rua`` that name no e-mail address (``mailto:bad-address``):
    a ``mailto:`` URI is ``mailto:`` and an address, ``local@domain`` (RFC 6068 2, RFC 8460 3), so reports sent
    there go nowhere."""
    uris = [u.strip() for u in tags.get("rua", "").split(",") if u.strip()]
    return [u for u in uris if u.lower().startswith("mailto:") and not _MAILTO_ADDRESS.match(u.split("!", 1)[0])]


def rua_skipped(tags: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """``(all URIs, those senders skip)`` of a TLS-RPT record's ``rua`` tag: senders send reports to
    ``mailto:`` and ``https:`` URIs only (RFC 8460 3, 5.1 and 5.3)."""
    uris = [u.strip() for u in tags.get("rua", "").split(",") if u.strip()]
    return uris, [u for u in uris if not u.lower().startswith(("mailto:", "https:"))]


def _check_values(rec_id: str, tags: dict[str, str]) -> tuple[str | None, list[str]]:
    """``(what makes a record's values unusable or None, warnings)`` (RFC 8461 3.1, RFC 8460 3, BIMI draft 4.2).

    A TLS-RPT ``rua`` is unusable only when no URI in it is ``mailto:`` or ``https:``: the grammar takes any
    URI (``tlsrpt-uri = URI``) and senders send to the ones they support, so an ``ftp:`` beside a ``mailto:``
    is a warning, and reports still reach the ``mailto:`` address.
    """
    if rec_id == "mta-sts" and not _STS_ID.match(tags.get("id", "")):
        return "id must be 1 to 32 letters and digits (RFC 8461 3.1)", []
    if rec_id == "tls-rpt":
        uris, others = rua_skipped(tags)
        if len(others) == len(uris):
            return "rua lists no mailto: or https: address, so senders send no report (RFC 8460 3)", []
        warnings = [f"rua {u} is not a mailto: or https: address, so senders skip it (RFC 8460 3)" for u in others]
        warnings += [
            f"rua {u} names no e-mail address, so reports sent there are lost (RFC 8460 3)"
            for u in rua_not_addresses(tags)
        ]
        return None, warnings
    if rec_id == "bimi":
        logo = tags.get("l", "")
        if logo and not logo.lower().startswith("https://"):
            return "l= must be an https:// address of the logo (BIMI draft 4.2)", []
    return None, []


def _starts_with_version(record: str, version: str, exact: bool = False) -> bool:
    """Whether ``record`` begins with the tag ``version`` (e.g. ``v=STSv1``) as a whole term.

    ``exact`` (MTA-STS, TLS-RPT): the version exactly as written, nothing before it, then optional spaces
    or tabs and ``;`` or the end (RFC 8461 3.1 ``sts-version = %s"v=STSv1"``, ``sts-field-delim = *WSP ";"
    *WSP``; RFC 8460 3 likewise): ``v=STSv1; id=1`` and ``v=STSv1 ; id=1`` do, ``v=stsv1; id=1``,
    `` v=STSv1; id=1``, ``v = STSv1; id=1`` and ``v=STSv10; id=1`` do not. Otherwise (BIMI, draft 4.2
    ``bimi-version = %x76 *WSP "=" *WSP %x42.49.4d.49 1DIGIT``) spaces are allowed before it and around
    ``=`` but the bytes are exact: ``v = BIMI1; l=...`` does, ``v=bimi1; l=...`` and ``V=BIMI1`` do not
    (receivers "MUST NOT attempt to fix ... capitalization errors", 4.3)."""
    key, _, value = version.partition("=")
    if exact:
        return re.match(rf"{re.escape(version)}[ \t]*(?:;|$)", record) is not None
    pattern = rf"\s*{re.escape(key)}\s*=\s*{re.escape(value)}(?=$|[\s;])"
    return re.match(pattern, record) is not None


def _starts_with_family(record: str, version: str) -> bool:
    """Whether ``record`` looks like a record of the kind of ``version`` (``v=STSv1``), whatever version,
    case or spacing it has: ``v=STSv2``, ``v=stsv1``, `` v = STSv1`` all do (a family ``sts``, ``tlsrpt``,
    ``bimi``); senders discard those that :func:`_starts_with_version` refuses."""
    family = re.sub(r"v?\d+$", "", version.split("=", 1)[1])
    return re.match(rf"\s*v\s*=\s*{re.escape(family)}", record, re.IGNORECASE) is not None


def _discarded_why(name: str, record: str, rule: MailSecurityRecord) -> str:
    """The evidence for a look-alike record senders discard, with what is wrong with its start when the
    grammar is exact (RFC 8461 3.1, RFC 8460 3): a space before it or around ``=``, or another case; for
    BIMI (draft 4.2, spaces allowed) another case, and mail clients, not senders, are the ones that ignore it."""
    why = ""
    if not rule.exact_version:
        written = re.match(r"\s*(v)\s*=\s*([^\s;]*)", record, re.IGNORECASE)
        head = f"{written[1]}={written[2]}" if written else ""
        if head != rule.version and head.lower() == rule.version.lower():
            why = " (the version is case-sensitive)"
    if rule.exact_version:
        head = record[: len(rule.version)]
        if record[:1].isspace():
            why = " (nothing may come before it)"
        elif re.match(r"v\s+=|v=\s", record, re.IGNORECASE):
            why = " (no space may stand around '=')"
        elif head != rule.version and head.lower() == rule.version.lower():
            why = " (the version is case-sensitive)"
        elif head == rule.version and not record[len(head) :][:1].isdigit():
            why = " (a ';' must follow it)"
    shown = record.strip()[:60]
    who = "mail clients ignore it" if rule.id == "bimi" else "senders discard it"
    return f"{name}: the record {shown!r} does not start with {rule.version}{why}, so {who}"


def _mail_security(rule: MailSecurityRecord, domain: str, answers: Mapping[tuple[str, str], Reply]) -> MailSecurity:
    name = f"{rule.question.name}.{domain}"
    reply = answers.get((name, rule.question.type))
    base = {"id": rule.id, "name": rule.name}
    if reply is None or reply.failure:
        why = reply.failure if reply is not None else "not asked"
        return MailSecurity(
            **base, state="unknown", failed=[f"TXT {name}: {why}"], evidence=[f"the {name} lookup gave no answer"]
        )
    hosted_by = norm_host(reply.cnames[-1][1]) if reply.cnames else None
    texts = [str(x) for x in reply.records]
    # Records that do not start with the version tag are discarded (RFC 8461 3.1, RFC 8460 3); only the ones
    # that do count toward "more than one record"
    candidates = [r for r in texts if _starts_with_version(r, rule.version, rule.exact_version)]
    # a record of the kind that senders discard all the same: another version (v=STSv2), another case
    # (v=stsv1) or a space where the grammar has none: published, so a mistake to fix, not "not published"
    lookalikes = [r for r in texts if r not in candidates and _starts_with_family(r, rule.version)]
    if not candidates:
        if lookalikes:
            return MailSecurity(
                **base,
                state="invalid",
                record=lookalikes[0].strip(),
                hosted_by=hosted_by,
                discarded=lookalikes,
                evidence=[_discarded_why(name, lookalikes[0], rule)],
            )
        return MailSecurity(
            **base, state="absent", hosted_by=hosted_by, evidence=[f"no {rule.version} record at {name}"]
        )
    warnings = [_discarded_why(name, r, rule) for r in lookalikes]
    extra: dict[str, Any] = {"hosted_by": hosted_by, "discarded": lookalikes, "warnings": warnings}
    if len(candidates) > 1:
        return MailSecurity(
            **base,
            state="invalid",
            **extra,
            evidence=[f"{len(candidates)} {rule.version} records at {name}: receivers treat that as none"],
        )
    record = candidates[0].strip()
    tags = parse_exact_tags(record) if rule.exact_version else parse_tags(record)
    if tags is None or tags.get("v", "").lower() != rule.version.split("=", 1)[1].lower():
        exact = " (no space may stand around '=', RFC 8461 3.1, RFC 8460 3)" if rule.exact_version else ""
        return MailSecurity(
            **base, state="invalid", record=record, **extra, evidence=[f"{name}: not a tag=value list{exact}"]
        )
    missing = [t for t in rule.required if t not in tags]
    # a required name written in another case is another field: the grammar's names are %s strings
    miscased = [k for k in tags if k.lower() in missing and k not in missing] if rule.exact_version else []
    if missing:
        return MailSecurity(
            **base,
            state="invalid",
            record=record,
            tags=tags,
            **extra,
            evidence=[
                f"{name}: the {', '.join(missing)} tag is missing"
                + (f" ({', '.join(miscased)}= is not it: tag names are case-sensitive)" if miscased else "")
            ],
        )
    problem, value_warnings = _check_values(rule.id, tags)
    warnings += value_warnings
    if rule.exact_version:  # a field given twice: senders keep one of their own choosing (RFC 8461 3.1, RFC 8460 3)
        rfc = "RFC 8461 3.1" if rule.id == "mta-sts" else "RFC 8460 3"
        warnings += [f"{f}= is given more than once; senders may keep either ({rfc})" for f in repeated_fields(record)]
    if problem:
        return MailSecurity(**base, state="invalid", record=record, tags=tags, **extra, evidence=[f"{name}: {problem}"])
    evidence = [f"{rule.question.name} TXT {record}"]
    if hosted_by:
        evidence.append(f"{rule.question.name} is a CNAME to {hosted_by}")
    if rule.id == "bimi" and not tags.get("l") and not tags.get("a"):  # BIMI draft 4.3: a declination record
        evidence.append("a declination record (l= and a= empty): the domain asks that no logo be shown")
        return MailSecurity(**base, state="absent", record=record, tags=tags, **extra, evidence=evidence)
    return MailSecurity(**base, state="published", record=record, tags=tags, **extra, evidence=evidence)


BIMI_NEEDS_DMARC = "BIMI needs DMARC at enforcement"  # the evidence check_bimi_dmarc adds (the brief reads it)


def check_bimi_dmarc(
    footprint: MicrosoftFootprint, policy: str | None, pct: int | None, sp: str | None, published: str | None = None
) -> None:
    """Make a published BIMI record ``invalid`` when DMARC is not at enforcement, as mailbox providers
    read it: no logo without ``p=quarantine`` or ``reject`` at ``pct=100`` and an ``sp`` that is not
    ``none`` (BIMI draft 4.1 and 7; ``policy``/``sp`` are the effective DMARC policies, None without one).
    ``published`` is ``p`` as written: the evidence quotes it, with the policy it is applied as when that
    differs (``p=reject, pct=0``: quarantine for all failing mail, RFC 7489 6.6.4), never the effective
    policy as if it were written."""
    bimi = footprint.mail_security.get("bimi")
    if bimi is None or bimi.state != "published":
        return
    enforced = policy in ("quarantine", "reject") and (pct is None or pct >= 100) and sp != "none"
    if not enforced:
        partial = f", pct={pct}" if pct is not None and pct < 100 else ""
        if not policy:
            shown = "no DMARC policy"
        elif published and published != policy:
            scope = " for all failing mail, RFC 7489 6.6.4" if pct == 0 else ""
            shown = f"p={published}{partial} (in effect {policy}{scope})"
        else:
            shown = f"p={policy}{partial}"
        bimi.state = "invalid"
        bimi.evidence = [
            *bimi.evidence,
            f"{BIMI_NEEDS_DMARC} (p=quarantine or reject, pct=100, sp not none), and the domain has"
            f" {shown}{', sp=none' if sp == 'none' else ''}: mailbox providers show no logo",
        ]


def microsoft_footprint(
    domain: str,
    answers: Mapping[tuple[str, str], Reply],
    *,
    mx_hosts: Sequence[str] | None = (),
    mx_canonical: Mapping[str, str] | None = None,
    dkim: Sequence[tuple[str, str]] | None = (),
    spf_includes: Sequence[str] | None = (),
    unchecked: Sequence[str] = (),
    catalog: MicrosoftCatalog | None = None,
) -> MicrosoftFootprint:
    """Each workload's state and evidence from the answers to :func:`questions`.

    ``answers`` maps ``(absolute name, rtype)`` (as :func:`questions` gives them) to a
    :class:`Reply`; a missing question counts as a failed one. ``mx_hosts`` are the
    domain's MX hosts (``None`` when the MX lookup failed; an empty list when there is
    no MX) and ``mx_canonical`` maps an alias exchange to where its CNAME chain ends.
    ``dkim`` holds the ``(selector, CNAME target)`` pairs the DKIM lookups met and
    ``spf_includes`` every name the SPF record includes, nested ones too (``None`` when
    the TXT lookup failed); ``unchecked`` names the DKIM or SPF lookups that failed while
    others answered (``"DKIM: ... timeout"``). A workload with ``dkim_online`` or
    ``spf_online`` rules reads them: for Exchange, a DKIM key kept in the tenant
    (Microsoft Learn, "How to use DKIM for email in your custom domain") or
    ``include:spf.protection.outlook.com`` ("Set up SPF to identify valid email sources
    for your Microsoft 365 domain") means Exchange Online sends their mail.
    Raises nothing for odd data besides ``TypeError`` for an unreadable SRV record.
    """
    cat = catalog or microsoft_catalog()
    domain = norm_host(domain)
    norm_answers = {(norm_host(n), t.upper()): r for (n, t), r in answers.items()}
    wildcard = wildcard_target(domain, norm_answers, cat)
    known = _known_hops(norm_answers)
    workloads = {
        w.id: _workload(
            w, domain, norm_answers, mx_hosts, cat, mx_canonical or {}, dkim, spf_includes, unchecked, wildcard, known
        )
        for w in cat.workloads
    }
    security = {m.id: _mail_security(m, domain, norm_answers) for m in cat.mail_security}
    clouds = sorted({w.cloud for w in workloads.values() if w.cloud})
    return MicrosoftFootprint(workloads=workloads, mail_security=security, clouds=clouds, wildcard=wildcard)


def _policy_lost(now: Mapping[str, Any] | None, was: Mapping[str, Any]) -> bool:
    """True when ``now`` is the same MTA-STS record as ``was`` but its policy fetch failed and ``was`` has one."""
    if not now or not (now.get("policy") or {}).get("state") == "unknown":
        return False
    old_policy = was.get("policy") or {}
    return old_policy.get("state") in ("valid", "invalid") and now.get("record") == was.get("record")


def carry_forward(new: Mapping[str, Any] | None, old: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The ``microsoft`` object to keep after a scan whose footprint lookups failed or were skipped.

    Both are the JSON form (``MicrosoftFootprint.model_dump()``). ``new`` None (not asked,
    ``--quick``) keeps ``old`` whole. Otherwise each workload or record this scan left
    ``unknown`` (a lookup failed, nothing found) keeps its last known state, so a timeout
    never wipes what an earlier scan saw, with this scan's ``failed`` lookups beside it (so a reader knows it
    was not seen again); everything this scan did establish stands.
    """
    if new is None:
        return dict(old) if old is not None else None
    if old is None:
        return dict(new)
    merged: dict[str, Any] = dict(new)
    for part in ("workloads", "mail_security"):
        mine = dict(new.get(part) or {})
        for key, was in (old.get(part) or {}).items():
            now = mine.get(key)
            if (now is None or now.get("state") == "unknown") and was.get("state") != "unknown":
                # the last known state, with this scan's failed lookups beside it: the brief says it is not new
                mine[key] = {**was, "failed": list((now or {}).get("failed") or [])} if now is not None else was
            elif now is not None and _policy_lost(now, was):  # same record, policy not reached now: keep the last
                mine[key] = {**now, "policy": was["policy"], "state": was["state"], "evidence": was.get("evidence", [])}
        merged[part] = mine
    merged["clouds"] = sorted({w["cloud"] for w in merged["workloads"].values() if w.get("cloud")})
    return merged
