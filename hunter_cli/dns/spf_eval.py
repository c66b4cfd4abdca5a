"""Evaluate a domain's SPF policy as a receiver would, for no particular sender (RFC 7208 4-6).

Pure and synchronous: :func:`evaluate` is given the DNS answers known so far,
keyed ``(name, rtype)``, and either returns the verdict or lists the lookups it
still needs (``missing``). The scan pipeline asks those (cached across the run)
and calls again until nothing is missing, so every lookup one evaluation needs
at one depth of the include tree goes out at once.

"No particular sender" means the worst case a receiver meets: a sender that
matches no mechanism, so every mechanism up to ``all`` is evaluated, every
``include`` is followed and, without ``all``, the ``redirect``. Terms whose
domain-spec needs the sender (``%{i}``, ``%{s}``, ...) are counted as DNS
lookups but not asked. What is counted and limited (RFC 7208 4.6.4):

- ``include``, ``a``, ``mx``, ``ptr``, ``exists`` and ``redirect``: at most 10
  along every include and redirect (a target reached twice counts twice);
- void lookups (NXDOMAIN or an empty answer to the query an ``a``, ``mx`` or
  ``exists`` term makes): at most 2;
- MX records per ``mx`` mechanism: at most 10.

Evaluation stops at the first error, as a receiver's does (RFC 7208 4.6.4, 5.2, 6.1).
A DNS failure is temperror (4.4), except a name whose CNAME chain loops or runs
past 16 hops: that is the zone's own fault, never cleared by a retry, so it is
permerror (2.6.7), code ``spf-cname-loop``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from ..models import Finding
from . import spf as spf_mod
from .resolver import NXDOMAIN, Answer, LookupFailure
from .spf_cover import Coverage, family_of, most_permissive

# Evaluation error codes (permerror unless said otherwise).
E_LOOKUP_LIMIT = "spf-lookup-limit"
E_VOID_LIMIT = "spf-void-lookup-limit"
E_MX_LIMIT = "spf-mx-limit"
E_INCLUDE_NONE = "spf-include-none"
E_REDIRECT_NONE = "spf-redirect-none"
E_TEMPERROR = "spf-temperror"  # a DNS failure: the result is temperror, not permerror
E_INCLUDE_LOOP = "spf-include-loop"  # an include/redirect chain that comes back to itself: ends at the limit
E_CNAME_LOOP = "spf-cname-loop"  # a name no resolver can follow: the zone's fault, permerror (see _Evaluator._get)

# Warning codes: legal, but worth fixing.
W_PASS_ALL = "spf-pass-all"
W_NEUTRAL_ALL = "spf-neutral-all"
W_NO_ALL = "spf-no-all"
W_PTR = "spf-ptr"
W_AFTER_ALL = "spf-terms-after-all"
W_REDIRECT_IGNORED = "spf-redirect-ignored"
W_UNKNOWN_MODIFIER = "spf-unknown-modifier"
W_MANY_LOOKUPS = "spf-many-lookups"
W_VOID_LOOKUP = "spf-void-lookup"

MANY_LOOKUPS = 8  # warn from this many DNS-querying terms on

Lookup = Answer | LookupFailure


def _missing(answer: Answer, wanted: str) -> str:
    """What an empty answer says is missing: ``does not exist`` (NXDOMAIN, RFC 8020), else ``has no <wanted>``."""
    return "does not exist" if answer.rcode == NXDOMAIN else f"has no {wanted}"


@dataclass(slots=True)
class Evaluation:
    """The outcome of :func:`evaluate`.

    ``result`` is ``valid``, ``permerror`` or ``temperror`` (``none`` is the
    caller's: no record at all). When ``missing`` is not empty the verdict is
    not final: ask those ``(name, rtype)`` and evaluate again.
    """

    result: str = "valid"
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    lookups: int = 0
    void_lookups: int = 0
    # include/redirect targets reached through + includes only (what they pass may send), first reach order
    expanded: list[str] = field(default_factory=list)
    # the ``all`` a sender matching nothing meets: the record's own, else its redirect target's (RFC 7208 6.1)
    effective_all: str | None = None
    missing: list[tuple[str, str]] = field(default_factory=list)
    failure: LookupFailure | None = None  # the DNS failure behind a temperror


class _PermError(Exception):
    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(findings[0].message)
        self.findings = findings


class _TempError(Exception):
    def __init__(self, failure: LookupFailure, where: list[str]) -> None:
        super().__init__(failure.message)
        self.failure = failure
        self.where = where


_NONE = object()  # check_host found no SPF record at the name

# What check_host() returns for a sender no narrow term names, per address family (IPv4, IPv6): the qualifier
# of the result (``+`` pass, ``-`` fail, ``~`` softfail, ``?`` neutral), or None when not known (an answer not
# in yet, a redirect that needs the sender).
Outcome = tuple[str | None, str | None]


class _Evaluator:
    def __init__(self, answers: Mapping[tuple[str, str], Lookup]) -> None:
        self.answers = answers
        self.out = Evaluation()
        self._missing: dict[tuple[str, str], None] = {}
        self._warned: set[tuple[str, str, tuple[str, ...]]] = set()

    # -- helpers ---------------------------------------------------------------
    def _get(self, name: str, rtype: str, where: list[str]) -> Answer | None:
        """The answer, or None when not known yet (then it is listed as missing)."""
        if not spf_mod.queryable(name):
            return Answer(NXDOMAIN)  # no resolver can ask it; it cannot exist as a host name
        got = self.answers.get((name, rtype))
        if got is None:
            self._missing[(name, rtype)] = None
            return None
        if isinstance(got, LookupFailure):
            if got.permanent:
                # RFC 7208 4.4 makes a failed lookup temperror, which 2.6.6 defines as transient: "a later
                # retry may succeed without further DNS operator action". A CNAME loop never clears without
                # the operator, which is 2.6.7's permerror ("requires DNS operator intervention").
                raise _PermError(
                    [
                        Finding(
                            code=E_CNAME_LOOP,
                            message=f"{rtype} {name} cannot be followed ({got.detail or 'CNAME loop'}): receivers"
                            " fail this lookup at every try, so the result is permerror until the zone is fixed"
                            " (RFC 7208 2.6.7)",
                            where=list(where),
                        )
                    ]
                )
            raise _TempError(got, where)
        return got

    def _warn(self, code: str, message: str, where: list[str]) -> None:
        key = (code, message, tuple(where))
        if key not in self._warned:
            self._warned.add(key)
            self.out.warnings.append(Finding(code=code, message=message, where=list(where)))

    def _count(self, term: str, where: list[str]) -> None:
        self.out.lookups += 1
        if self.out.lookups > spf_mod.LOOKUP_LIMIT:
            again = next((name for i, name in enumerate(where) if name in where[:i]), None)
            if again is not None:  # the limit is how receivers end a loop; the loop is what to fix
                raise _PermError(
                    [
                        Finding(
                            code=E_INCLUDE_LOOP,
                            message=f"the record reaches {again} again through its own includes or redirect, a"
                            f" loop receivers follow until they pass {spf_mod.LOOKUP_LIMIT} DNS lookups and"
                            " return permerror (RFC 7208 4.6.4)",
                            where=list(dict.fromkeys(where)),
                        )
                    ]
                )
            raise _PermError(
                [
                    Finding(
                        code=E_LOOKUP_LIMIT,
                        message=f"more than {spf_mod.LOOKUP_LIMIT} DNS-querying terms (the 11th is {term!r});"
                        " receivers stop there with permerror (RFC 7208 4.6.4)",
                        where=list(where),
                    )
                ]
            )

    def _void(self, term: str, name: str, where: list[str], missing: str = "does not exist or has no records") -> None:
        """Count a lookup that found nothing (RFC 7208 4.6.4); ``missing`` says what: the name does not exist
        (NXDOMAIN), or the type the term asks for is not there (``exists:`` asks for A only, 5.7)."""
        self.out.void_lookups += 1
        if self.out.void_lookups > spf_mod.VOID_LOOKUP_LIMIT:
            raise _PermError(
                [
                    Finding(
                        code=E_VOID_LIMIT,
                        message=f"more than {spf_mod.VOID_LOOKUP_LIMIT} lookups found nothing ({term!r} asks"
                        f" {name}, which {missing}); receivers stop with permerror"
                        " (RFC 7208 4.6.4)",
                        where=list(where),
                    )
                ]
            )
        self._warn(W_VOID_LOOKUP, f"{term!r} asks {name}, which {missing}", where)

    # -- check_host() ------------------------------------------------------------
    def check_host(
        self, domain: str, where: list[str], effective: bool, authorizes: bool = True
    ) -> Outcome | object | None:
        """Evaluate the record at ``domain`` (RFC 7208 4): its :data:`Outcome`, _NONE when it has no record,
        None when its TXT answer is not in yet.

        ``effective``: this record's result is the domain's own (the top record
        or a redirect target), so its ``all`` is the domain's policy and a term
        that passes every sender is warned here. An included record's outcome
        goes to the include term instead, under the include's own qualifier
        (RFC 7208 5.2: ``-include:`` of a record that passes everyone fails
        everyone). ``authorizes``: every include on the way here has the ``+``
        qualifier, so what this record includes may send for the domain (its
        targets go to ``expanded``); under ``-include:`` they are refused.
        """
        answer = self._get(domain, "TXT", where)
        if answer is None:
            return None
        records = spf_mod.spf_records(answer.records)
        if not records:
            return _NONE
        if len(records) > 1:
            raise _PermError(
                [
                    Finding(
                        code=spf_mod.E_MULTIPLE,
                        message=f"{len(records)} SPF records published at {domain}; receivers treat this as"
                        " permerror (RFC 7208 4.5)",
                        where=list(where),
                    )
                ]
            )
        record = spf_mod.parse(records[0])
        if record.errors:
            raise _PermError([Finding(code=c, message=m, where=list(where)) for c, m in record.errors])
        self._record_warnings(record, where, effective)
        cover = Coverage()  # what the wide ranges decide, in order (RFC 7208 4.6.2: the first match wins)
        for term in record.mechanisms:
            if term.name == "all":
                qualifier = term.qualifier
                if effective:
                    self._open_by(cover, where)
                    if qualifier == "+":
                        self._open_all(term.text, cover, where)
                    if qualifier == "?" and not (cover.decided(4) and cover.decided(6)):  # reached by some sender
                        said = f"{term.text!r} asks receivers to treat forged mail as neutral"
                        self._warn(W_NEUTRAL_ALL, said, where)
                    given = cover.reached(qualifier)  # where earlier terms decide a whole family, its all is not met
                    # an open record is said above, and keeps its own all
                    self.out.effective_all = (qualifier if given == "+" else given) + "all"
                return _outcome(cover, (qualifier, qualifier))  # "all" always matches: nothing after it counts
            if term.name in spf_mod.LOOKUP_MECHANISMS:
                found = self._mechanism(term, domain, where, authorizes)
                # a/mx with a prefix length of 0 match every address of the family once the name has one (5.3,
                # 5.4); an include of a record that passes every sender of a family, and an exists: that does
                # not depend on the sender and has an address, match every sender of it (5.2, 5.7)
                whole = term.name in ("include", "exists")
                if found in (4, 0) and (whole or term.cidr4 == 0):
                    cover.add(4, "0.0.0.0", 0, term.qualifier, term.text)
                if found in (6, 0) and (whole or term.cidr6 == 0):
                    cover.add(6, "::", 0, term.qualifier, term.text)
            elif term.name in ("ip4", "ip6") and term.network is not None:
                family = family_of(term.name)
                prefix = term.cidr4 if family == 4 else term.cidr6
                width = 32 if family == 4 else 128  # no prefix: one address (RFC 7208 5.6)
                cover.add(family, term.network, width if prefix is None else prefix, term.qualifier, term.text)
        if effective:
            self._open_by(cover, where)
        if record.redirect is not None and record.all is None:
            self._count(record.redirect.text, where)
            assert record.redirect.domain is not None  # the parser requires one
            target = spf_mod.expand(record.redirect.domain, domain)
            if target is None:
                return _outcome(cover, (None, None))  # needs the sender: counted, not followed
            if authorizes:
                self._reach(target)
            got = self.check_host(target, [*where, target], effective, authorizes)
            if got is _NONE:
                raise _PermError(
                    [
                        Finding(
                            code=E_REDIRECT_NONE,
                            message=f"redirect target {target} publishes no SPF record; receivers return"
                            " permerror (RFC 7208 6.1)",
                            where=[*where, target],
                        )
                    ]
                )
            if not isinstance(got, tuple):
                return _outcome(cover, (None, None))
            outcome = _outcome(cover, got)
            if effective and (cover.decided(4) or cover.decided(6)) and None not in outcome:
                # `-ip4:0.0.0.0/0 redirect=x`: IPv4 senders never reach the target's all
                self.out.effective_all = most_permissive(q for q in outcome if q) + "all"
            return outcome
        return _outcome(cover, ("?", "?"))  # no all, no redirect: neutral (RFC 7208 4.7)

    def _open_by(self, cover: Coverage, where: list[str]) -> None:
        """Warn ``spf-pass-all`` for each family whose every sender the record's terms pass (RFC 7208 5.6, 5.2,
        5.7): one term (``ip4:0.0.0.0/0``, ``a/0``, an include of ``+all``) or several together
        (``ip4:0.0.0.0/1 ip4:128.0.0.0/1``); said once when the same terms open both families."""
        opened = {family: cover.open_terms(family) for family in (4, 6)}
        families: tuple[tuple[str, list[str]], ...] = (("", opened[4]),) if opened[4] == opened[6] else ()
        families = families or tuple((f"IPv{f} ", opened[f]) for f in (4, 6))
        for family, terms in families:
            if len(terms) == 1:
                self._warn(W_PASS_ALL, f"{terms[0]!r} matches every {family}sender: any server passes SPF", where)
            elif terms:
                together = " ".join(terms)
                self._warn(
                    W_PASS_ALL, f"{together!r} together match every {family}sender: any server passes SPF", where
                )

    def _open_all(self, text: str, cover: Coverage, where: list[str]) -> None:
        """Warn ``spf-pass-all`` for a closing ``+all``, naming the one family it opens when earlier terms decide
        every sender of the other (``-a/0 +all`` with IPv4 hosts: every IPv6 sender passes)."""
        reached = [f for f in (4, 6) if not cover.decided(f)]
        if len(reached) == 2:
            self._warn(W_PASS_ALL, f"{text!r} lets any server on the internet pass SPF", where)
        elif reached:
            other = 10 - reached[0]  # 4 <-> 6
            self._warn(
                W_PASS_ALL,
                f"{text!r} lets every IPv{reached[0]} sender pass SPF (earlier terms decide every IPv{other} one)",
                where,
            )

    def _reach(self, target: str) -> None:
        if target not in self.out.expanded:
            self.out.expanded.append(target)

    def _mechanism(self, term: spf_mod.Term, domain: str, where: list[str], authorizes: bool = True) -> int | None:
        """Count and follow one DNS-querying mechanism; for ``a`` and ``mx``, the family whose addresses the name
        (``a``) or its MX hosts (``mx/0``, :meth:`_host_family`) have: 4 or 6, 0 for both; else None."""
        self._count(term.text, where)
        if term.name == "ptr":
            return None  # needs the sender's address
        target = domain if term.domain is None else spf_mod.expand(term.domain, domain)
        if target is None:
            return None  # needs the sender: counted, not asked
        if term.name == "include":
            if authorizes and term.qualifier == "+":
                self._reach(target)
            got = self.check_host(target, [*where, target], False, authorizes and term.qualifier == "+")
            if isinstance(got, tuple):  # the families whose every sender the included record passes
                passes = {f for f, q in zip((4, 6), got, strict=True) if q == "+"}
                return 0 if passes == {4, 6} else passes.pop() if passes else None
            if got is _NONE:
                raise _PermError(
                    [
                        Finding(
                            code=E_INCLUDE_NONE,
                            message=f"include target {target} publishes no SPF record; receivers return"
                            " permerror (RFC 7208 5.2)",
                            where=[*where, target],
                        )
                    ]
                )
        elif term.name == "mx":
            answer = self._get(target, "MX", where)
            if answer is None:
                return None
            if not answer.records:
                self._void(term.text, target, where, _missing(answer, "MX record"))
            elif len(answer.records) > spf_mod.MX_LIMIT:
                raise _PermError(
                    [
                        Finding(
                            code=E_MX_LIMIT,
                            message=f"{term.text!r}: {target} has {len(answer.records)} MX records; receivers"
                            f" look at no more than {spf_mod.MX_LIMIT} and return permerror (RFC 7208 4.6.4)",
                            where=list(where),
                        )
                    ]
                )
            elif term.cidr4 == 0 or term.cidr6 == 0:
                hosts = [h.lower().rstrip(".") for _, h in answer.records if h.rstrip(".")]  # no null MX (RFC 7505)
                return self._host_family(hosts, term.cidr4 == 0, term.cidr6 == 0, where)
        else:  # a, exists
            answer = self._get(target, "A", where)
            if answer is None:
                return None
            family = 4
            if not answer.records and answer.rcode != NXDOMAIN and term.name == "a":
                # No IPv4 address: an IPv6 sender's receiver asks AAAA. Void only when both are empty.
                answer, family = self._get(target, "AAAA", where), 6
                if answer is None:
                    return None
            if not answer.records:
                # exists: asks for A records only, whatever the sender's family (RFC 7208 5.7)
                wanted = "A record" if term.name == "exists" else "A or AAAA record"
                self._void(term.text, target, where, _missing(answer, wanted))
            elif term.name == "a" and (term.cidr4 == 0 or term.cidr6 == 0):
                return self._host_family([target], term.cidr4 == 0, term.cidr6 == 0, where)
            elif term.name == "a":
                return family
            elif term.name == "exists":
                # the name does not depend on the sender (expand gave it without one): it matches every sender
                return 0
        return None

    def _host_family(self, hosts: list[str], v4: bool, v6: bool, where: list[str]) -> int | None:
        """For ``mx/0``: the families (4, 6, or 0 for both) in which one of the MX ``hosts`` has an address, so
        that the term matches every sender of that family (RFC 7208 5.4: each MX host's addresses, compared
        under the prefix). Only the families asked for (``v4``/``v6``) are looked up; an address lookup not
        answered yet is asked (``missing``), and one that failed counts as no address: no claim of an open
        record rests on a failed lookup. None when no host has one."""
        found = set()
        for family, wanted, rtype in ((4, v4, "A"), (6, v6, "AAAA")):
            for host in hosts if wanted else ():
                got = self.answers.get((host, rtype))
                if got is None and spf_mod.queryable(host):
                    self._missing[(host, rtype)] = None
                elif isinstance(got, Answer) and got.records:
                    found.add(family)
                    break
        return 0 if found == {4, 6} else found.pop() if found else None

    def _record_warnings(self, record: spf_mod.Record, where: list[str], effective: bool) -> None:
        for code, message in _record_warnings(record.text, effective):
            self._warn(code, message, where)


def _outcome(cover: Coverage, rest: Outcome) -> Outcome:
    """Per family, what the record's wide terms give where they decide every sender, else ``rest`` (its all's
    qualifier, its redirect target's outcome)."""
    four = cover.result(4) if cover.decided(4) else rest[0]
    six = cover.result(6) if cover.decided(6) else rest[1]
    return four, six


@lru_cache(maxsize=4096)
def _record_warnings(text: str, effective: bool) -> tuple[tuple[str, str], ...]:
    """The warnings the record ``text`` earns by itself, as ``(code, message)`` in the order they are found.

    They depend only on the record (and on whether its ``all`` is the domain's
    policy), and providers' records repeat across every domain that includes
    them, so they are worked out once per record (keyed by its text, whose hash
    Python keeps).
    """
    record = spf_mod.parse(text)
    out: list[tuple[str, str]] = []
    first_all = record.all
    seen_all = False
    for term in record.terms:
        if term.kind == "modifier":
            if term.name not in ("redirect", "exp"):
                out.append((W_UNKNOWN_MODIFIER, f"unknown modifier {term.text!r} is ignored (RFC 7208 6)"))
            continue
        if seen_all:
            out.append((W_AFTER_ALL, f"{term.text!r} comes after 'all' and is never evaluated"))
        if term is first_all:
            seen_all = True
        if term.name == "ptr":
            out.append((W_PTR, "'ptr' is slow and unreliable; RFC 7208 5.5 says not to use it"))
    if first_all is not None and record.redirect is not None:
        out.append(
            (W_REDIRECT_IGNORED, f"{record.redirect.text!r} is ignored because the record has 'all' (RFC 7208 6.1)")
        )
    if effective:
        if first_all is None and record.redirect is None:
            out.append((W_NO_ALL, "no 'all' and no redirect: mail from other servers is neutral (RFC 7208 4.7)"))
    return tuple(out)


def evaluate(domain: str, answers: Mapping[tuple[str, str], Lookup]) -> Evaluation:
    """Evaluate the SPF policy of ``domain`` from ``answers`` (see the module docstring).

    ``answers[(domain, "TXT")]`` must be the domain's own TXT answer and hold one
    or more SPF records. Other names are asked through ``missing``. Names are
    lower case without a trailing dot.
    """
    ev = _Evaluator(answers)
    out = ev.out
    domain = domain.lower().rstrip(".")
    try:
        ev.check_host(domain, [domain], True)
    except _PermError as exc:
        out.result = "permerror"
        out.errors = exc.findings
    except _TempError as exc:
        out.result = "temperror"
        out.failure = exc.failure
        out.errors = [Finding(code=E_TEMPERROR, message=f"DNS lookup failed: {exc.failure.message}", where=exc.where)]
    out.missing = list(ev._missing)
    if out.result == "valid" and MANY_LOOKUPS <= out.lookups <= spf_mod.LOOKUP_LIMIT:
        ev._warn(
            W_MANY_LOOKUPS,
            f"{out.lookups} of the {spf_mod.LOOKUP_LIMIT} DNS-querying terms receivers allow are used",
            [domain],
        )
    return out
