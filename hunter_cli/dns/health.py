"""Is the resolver telling the truth? Checks before and during a scan.

Captive portals, VPN clients and filtering resolvers answer NXDOMAIN (or an ad
server's address) for every name. Scanned through one, every lead would read
"no mail", and a store of good results would be overwritten with lies. Two
checks guard against that:

* before the first domain (:func:`preflight`): names that must exist (the SPF
  hosts of Microsoft 365 and Google, which every scan asks anyway, and the
  ``com`` TLD's SOA) must not all be denied, and a random name that cannot
  exist must get NXDOMAIN (anything else is NXDOMAIN hijacking);
* during the run (:class:`DenialMonitor`): domains the store knows had MX
  records must not suddenly deny their existence en masse.

When either fails the scan stops trusting the resolver (:class:`ResolverSuspect`).

A resolver that does not answer at all (nothing listens at the address, a
firewall drops the packets, it refuses every question) is not lying, but a scan
through it would only record failures: when no check question gets an answer,
the scan stops before the first domain (:class:`ResolverUnreachable`).
"""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import dataclass, field

from ..said import Said
from .resolver import NXDOMAIN, Answer, LookupFailure, Resolver

# (name, type) that exist on the public Internet as long as it exists; the first
# two are asked anyway by every Microsoft 365 or Google domain's SPF include.
MUST_EXIST: tuple[tuple[str, str], ...] = (
    ("spf.protection.outlook.com", "TXT"),
    ("_spf.google.com", "TXT"),
    ("com", "SOA"),
)
PROBE_TLD = "com"

SUSPECT_KIND = "resolver_suspect"  # ScanError.kind of lookups not trusted
# LookupFailure kinds that mean no nameserver answered the question at all (dns/resolver.py):
# no reply within the timeout, connection refused (ICMP port unreachable), or REFUSED (RFC 1035 4.1.1).
NO_ANSWER_KINDS = frozenset({"timeout", "unreachable", "refused"})


class ResolverSuspect(Exception):
    """The resolver is not telling the truth; ``reason`` says what it did, ``servers`` who it is."""

    def __init__(self, reason: str, servers: list[str]) -> None:
        self.reason = reason
        self.servers = servers
        who = ", ".join(servers) if servers else Said("cli.dns.system_resolver")
        super().__init__(Said("cli.dns.suspect", who=who, reason=reason))


class ResolverUnreachable(Exception):
    """No nameserver answered any check question; ``what`` says how they failed, ``servers`` who was asked."""

    def __init__(self, what: str, servers: list[str]) -> None:
        self.what = what
        self.servers = servers
        who = ", ".join(servers) if servers else Said("cli.dns.system_resolver")
        super().__init__(Said("cli.dns.unreachable", who=who, what=what))


class ResolverStopped(Exception):
    """The resolver stopped answering during the run: ``n`` domains in a row got no DNS answer at all and
    none got one for ``seconds``; going on would only record failures. ``servers`` who was asked."""

    def __init__(self, n: int, seconds: float, how: str, servers: list[str]) -> None:
        self.n = n
        self.seconds = seconds
        self.servers = servers
        who = ", ".join(servers) if servers else Said("cli.dns.system_resolver")
        super().__init__(Said("cli.dns.stopped", who=who, n=n, seconds=round(seconds), how=how))


def no_answer(outcomes: list[Answer | LookupFailure]) -> str | None:
    """How the resolver failed when not one of ``outcomes`` is an answer (``"timeout"``, ...), else None. Pure.

    Only failures of :data:`NO_ANSWER_KINDS` count: a SERVFAIL or a CNAME loop is
    an answer from a resolver that is there.
    """
    if not outcomes or not all(isinstance(o, LookupFailure) and o.kind in NO_ANSWER_KINDS for o in outcomes):
        return None
    kinds = list(dict.fromkeys(o.kind for o in outcomes if isinstance(o, LookupFailure)))
    return either([Said(f"cli.dns.no_answer.{k}") for k in kinds])


def either(words: list[str]) -> str:
    """``a or b or c`` in the message files' words (``cli.or``), each word kept as it is."""
    out = words[0]
    for w in words[1:]:
        out = Said("cli.or", a=out, b=w)
    return out


def probe_name() -> str:
    """A name under a real TLD that no one has registered: ``hunter-check-<20 hex>.com``."""
    return f"hunter-check-{secrets.token_hex(10)}.{PROBE_TLD}"


def _denied(outcome: Answer | LookupFailure) -> bool:
    return isinstance(outcome, Answer) and not outcome.records


def judge(
    must_exist: list[tuple[tuple[str, str], Answer | LookupFailure]],
    probe: str,
    probe_outcome: Answer | LookupFailure,
) -> str | None:
    """Why the resolver cannot be trusted, or None. Pure.

    ``must_exist`` pairs each (name, type) of :data:`MUST_EXIST` with what came
    back. Failures (timeouts, SERVFAIL) prove nothing either way: an unreachable
    resolver is reported by the scan's own errors, not here.
    """
    if isinstance(probe_outcome, Answer) and probe_outcome.rcode != NXDOMAIN:
        what = ", ".join(str(r) for r in probe_outcome.records) or Said("cli.dns.empty_answer")
        return Said("cli.dns.hijack", what=what, probe=probe)
    answered = [o for _, o in must_exist if isinstance(o, Answer)]
    if answered and not any(o.records for o in answered):
        names = [f"{n} {t}" for (n, t), o in must_exist if _denied(o)]
        return Said("cli.dns.denies", names=names)
    return None


async def preflight(
    resolver: Resolver, *, require_answer: bool = False
) -> tuple[str | None, list[tuple[tuple[str, str], Answer | LookupFailure]]]:
    """Ask the must-exist names and a random name at once; :func:`judge` the answers.

    Returns (reason or None, the must-exist answers): the scan reuses the SPF
    hosts' answers, so a trusted resolver costs one extra query per run. With
    ``require_answer``, raises :class:`ResolverUnreachable` when no question got
    an answer (:func:`no_answer`), after the resolver's own retries.
    """
    probe = probe_name()
    questions = list(MUST_EXIST) + [(probe, "A")]
    outcomes = await resolver.query_many(questions)
    what = no_answer(outcomes) if require_answer else None
    if what is not None:
        raise ResolverUnreachable(what, list(getattr(resolver, "servers", [])))
    must = list(zip(MUST_EXIST, outcomes[:-1], strict=True))
    return judge(must, probe, outcomes[-1]), must


def contradicted_denial(
    domain: str,
    denied: Answer | LookupFailure,
    below: list[tuple[str, Answer | LookupFailure]],
    rtype: str = "MX",
) -> LookupFailure | None:
    """A failure of kind ``inconsistent`` standing in for ``denied``, the ``rtype`` answer for ``domain``, when
    that is NXDOMAIN for the domain itself (not for the end of a CNAME chain) and an answer for a name at or
    below it (``below``: ``(name, outcome)`` of the same wave) says that name exists (NOERROR); else None.

    RFC 8020 2: NXDOMAIN means nothing exists at or below the name, so a resolver that denies the domain
    while answering ``_dmarc.<domain>`` contradicts itself (a lie, a broken server, a zone being changed):
    the denial is not believed, the stored view is kept and the domain is asked again on the next run."""
    if not isinstance(denied, Answer) or denied.rcode != NXDOMAIN or denied.cnames:
        return None
    for name, outcome in below:
        if isinstance(outcome, Answer) and outcome.rcode != NXDOMAIN:
            said = "records" if outcome.records else "an empty answer"
            detail = f"NXDOMAIN, yet {name} got {said} in the same scan (RFC 8020)"
            return LookupFailure("inconsistent", domain, rtype, detail)
    return None


@dataclass(slots=True)
class DenialMonitor:
    """Counts, among domains the store knows had MX records, how many now deny having mail.

    ``window`` of the latest such domains is kept. :meth:`tripped` is true once
    at least ``trip_at`` of them, and at least 30 %, were denied: a few closed
    companies are normal (2 to 5 % of a list scanned again after months), a third
    of them at once is a lying resolver. At the end of a
    small run :meth:`doubtful` (at least ``small_at`` denied, at least half)
    asks for a second look with :func:`preflight`.
    """

    window: int = 50
    trip_at: int = 10
    small_at: int = 3
    recent: deque = field(default_factory=deque)
    seen: int = 0
    denied_total: int = 0

    def observe(self, denied: bool) -> None:
        self.recent.append(denied)
        if len(self.recent) > self.window:
            self.recent.popleft()
        self.seen += 1
        self.denied_total += denied

    def tripped(self) -> bool:
        n = sum(self.recent)
        return n >= self.trip_at and 10 * n >= 3 * len(self.recent)

    def doubtful(self) -> bool:
        return self.denied_total >= self.small_at and 2 * self.denied_total >= self.seen

    def reason(self) -> str:
        return (
            f"{self.denied_total} of {self.seen} domains that had mail servers"
            " at their last scan now answer that they do not exist or have no mail"
        )
