"""The scan pipeline: many domains at once, one result per domain.

It owns concurrency, per-check error accounting, the SPF include cache and the
three lanes a domain goes through: DNS (this module), the Microsoft tenant
lookup (run alongside DNS, never after it) and registration data (a slower,
separate lane whose results arrive later and never hold a domain back). It
never prints and never touches the store: callers get results via callbacks.

Every domain costs four parallel DNS queries (MX, TXT, _dmarc TXT, _domainkey
probe), plus DKIM selectors only when ``_domainkey`` exists, plus SPF include
targets that no earlier domain already fetched, plus the A record (AAAA only on
NODATA) of MX hosts not yet resolved in this run, plus one RFC 7489 7.1
authorisation TXT per DMARC report destination outside the domain, plus the
Microsoft footprint (docs/footprint.md): twelve CNAME, SRV and TXT questions at
the domain's own names and its NS, sent in one batch as soon as the first four
are answered, beside the DKIM, SPF and MX host lookups; not for a domain that
does not exist (RFC 8020). A footprint record that points at a name inside the
domain costs one CNAME question more per name its chain passes there (at most
``footprint.microsoft.MAX_CHAIN``), so that it is judged by where it ends; a
target outside the domain costs none. ``ScanOptions.footprint`` False
(``scan --quick``) leaves them out.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from . import scoring
from .catalog import (
    Catalog,
    classify,
    load_catalog,
    mx_provider_findings,
    mx_receiver_hosts,
    other_provider_findings,
    own_mail_servers,
)
from .dns import dkim as dkim_mod
from .dns import dmarc as dmarc_mod
from .dns import health, spf_eval
from .dns import mx as mx_mod
from .dns import spf as spf_mod
from .dns.resolver import NXDOMAIN, Answer, LookupFailure, Resolver, ResolverConfig, open_resolver
from .facts import domain_state
from .footprint import Reply, find_services, microsoft_footprint, reply_from
from .footprint import questions as footprint_questions
from .footprint.microsoft import MAX_CHAIN, MicrosoftFootprint, attach_policy, chain_questions, check_bimi_dmarc
from .models import (
    DkimInfo,
    DkimSelector,
    DmarcInfo,
    DomainResult,
    Registration,
    ScanError,
    SpfInfo,
    TenantInfo,
)

log = logging.getLogger("hunter.scan")

MAX_SPF_ROUNDS = 24  # evaluation rounds; the 10-term limit ends every real tree well before
SPF_CACHE_LIMIT = 50_000  # cached SPF lookups (TXT of include targets, A/MX of a/mx targets)
MX_CACHE_LIMIT = 50_000  # distinct MX hosts remembered; provider hosts repeat across thousands of domains
REPORT_CACHE_LIMIT = 10_000  # RFC 7489 7.1 authorisation answers remembered


@dataclass(frozen=True, slots=True)
class ScanOptions:
    resolver: ResolverConfig = field(default_factory=ResolverConfig)
    concurrency: int = 500
    selectors: tuple[str, ...] = dkim_mod.DEFAULT_SELECTORS
    tenant: bool = True
    tenant_url: str = "https://login.microsoftonline.com"
    tenant_concurrency: int = 128  # the most tenant requests in flight (tenant/client.py CEILING)
    tenant_cache: bool = True  # reuse a stored answer younger than a day (store.TENANT_TTL_SECONDS); False: ask
    registration: bool = True
    registration_concurrency: int = 4
    registration_backlog: int = 200  # domains waiting for the lane; beyond it they wait for the next run
    registration_wait: float | None = None  # seconds to wait for the lane at the end; None = until done
    registration_early: bool = False  # start a domain's registration lookup with its DNS, not after it (prep)
    rules_path: str | None = None  # scoring rules file; None = HUNTER_RULES or the bundled rules
    rdap_url: str | None = None  # overrides the bootstrap for every TLD (tests, air-gapped mirrors)
    whois_host: str | None = None  # "host[:port]" overriding the WHOIS server for every TLD
    resolver_check: bool = True  # check the resolver tells the truth before and during the run (dns/health.py)
    footprint: bool = True  # ask the Microsoft footprint questions and NS (False: scan --quick)
    mta_sts_port: int = 443  # where MTA-STS policy hosts are asked (tests' local servers: setting mta_sts_port)
    store_path: str | None = None  # the run's database, read for MTA-STS policies fetched before (run_scan sets it)
    processes: int = 1  # scan worker processes for a bulk list (scan_pool.py); 1 scans in this one
    processes_given: bool = False  # --processes was typed: used for any list, not only a long one


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:  # unpickled as this module's MISSING (jobs sent to scan workers)
        return "MISSING"


MISSING = _Missing()


@dataclass(slots=True)
class ScanJob:
    """One domain to scan, with what the store already knows that is still fresh."""

    domain: str
    tenant: TenantInfo | None | _Missing = MISSING  # cached tenant answer (None = no tenant)
    registration: Registration | None | _Missing = MISSING  # cached registration
    cosell: bool = False  # an active co-sell referral names this company (a scoring boost)
    had_mail: bool = False  # the stored view has MX hosts: a denial now is news (or a lie)
    # a cached "no tenant" is asked again when this scan sees Microsoft 365 records; False when the stored view
    # already had them (the answer was given beside them: records left over, asking again tells nothing new)
    recheck_tenant: bool = True


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class _RunAnswers(dict):
    """One SPF evaluation's answers, ``(name, rtype) -> Answer | LookupFailure``, that also reads the run's cache.

    A lookup another domain already made (a provider's include, its netblocks) is
    taken from the run's SPF cache the moment the evaluator asks for it, so a tree
    of cached records is evaluated in one pass, not one pass per include depth.
    What is read is kept here, so every pass of this evaluation sees the same
    answer; failures are not read here. Names at or under the domain are never
    read from the cache (they are the domain's own, asked for it alone: see
    :meth:`Scanner._cached`).
    """

    __slots__ = ("_cache", "_domain", "_suffix")

    def __init__(self, cache: dict[tuple[str, str], asyncio.Future], domain: str) -> None:
        super().__init__()
        self._cache = cache
        self._domain = domain
        self._suffix = "." + domain

    def get(self, key, default=None):  # same contract as dict.get
        got = dict.get(self, key)
        if got is not None:
            return got
        name = key[0]
        if name == self._domain or name.endswith(self._suffix):
            return default
        fut = self._cache.get(key)
        if fut is None or not fut.done() or fut.cancelled() or fut.exception() is not None:
            return default
        (got,) = fut.result()
        if isinstance(got, LookupFailure):
            return default  # asked again through Scanner._cached, as before this cache was read here
        self[key] = got
        return got


async def tenant_outcome(client, domain: str) -> tuple[TenantInfo | None, ScanError | None]:
    """``(tenant or None, None)`` from ``client`` (a :class:`~hunter_cli.tenant.client.TenantClient`), or
    ``(None, the failure as a ScanError)`` when the sign-in service gave no answer (never "no tenant")."""
    from .tenant.client import TenantFailure

    try:
        return await client.lookup(domain), None
    except TenantFailure as exc:
        log.info("%s: tenant lookup failed: %s: %s", domain, exc.kind, exc.message)
        return None, ScanError(check="tenant", kind=exc.kind, message=exc.message)


class Scanner:
    """Scans single domains; shares the resolver and the SPF include cache between them."""

    def __init__(self, resolver: Resolver, options: ScanOptions, catalog: Catalog | None = None, tenants=None) -> None:
        self.resolver = resolver
        self.options = options
        self.catalog = catalog or load_catalog()
        self.tenants = tenants  # TenantClient, or None when tenant lookups are off
        from .scoring import load_rules

        self.rules = load_rules(options.rules_path)
        self._spf_cache: dict[tuple[str, str], asyncio.Future] = {}
        self._mx_done: dict[str, tuple[bool, str | None]] = {}  # exchange -> (resolves, canonical), this run
        self._mx_inflight: dict[str, asyncio.Future] = {}  # exchanges being asked right now
        self._report_cache: dict[str, asyncio.Future] = {}
        self._sts: Any = None  # StsFetcher, made at the first published _mta-sts record
        self._store: Any = None  # read-only connection to options.store_path, opened at the first such record

    async def close(self) -> None:
        """End the lookups its caches share between domains (left running when the run stops) and
        close what the scanner opened itself (the MTA-STS policy client)."""
        shared = [*self._spf_cache.values(), *self._mx_inflight.values(), *self._report_cache.values()]
        await end_tasks(shared)
        if self._sts is not None:
            await self._sts.close()
            self._sts = None
        if self._store is not None:
            self._store.close()
            self._store = None

    def _stored_mta_sts(self, domain: str) -> dict | None:
        """The stored view's ``mta-sts`` entry of ``domain`` (JSON form), or None (no store, not found, unreadable)."""
        import sqlite3

        from .store import StoreError, open_for_inspection, reads

        if not self.options.store_path:
            return None
        try:
            if self._store is None:  # read-only: no create, no migration (the run's writer owns the file)
                self._store = open_for_inspection(self.options.store_path)
            view = reads.current(self._store, domain)
        except (sqlite3.Error, StoreError, OSError, ValueError) as exc:
            log.debug("%s: no stored MTA-STS policy to reuse (%s)", domain, exc)
            return None
        return (((view or {}).get("microsoft") or {}).get("mail_security") or {}).get("mta-sts")

    async def _mta_sts_policy(self, domain: str, microsoft: MicrosoftFootprint, mx_hosts, errors: list[ScanError]):
        """Fetch and judge the policy file of a domain whose ``_mta-sts`` record is published (RFC 8461 3.3)."""
        sec = microsoft.mail_security.get("mta-sts")
        if sec is None or sec.state != "published":
            return
        from .footprint.mta_sts import reuse

        policy = reuse(self._stored_mta_sts(domain), sec.record, mx_hosts, datetime.now(timezone.utc))
        if policy is None:
            if self._sts is None:
                from .mta_sts_fetch import StsFetcher

                self._sts = StsFetcher(self.resolver, port=self.options.mta_sts_port)
            policy = await self._sts.fetch(domain, mx_hosts)
        attach_policy(sec, policy)
        if policy.state == "unknown":
            kind = policy.failure_kind or "unreachable"
            errors.append(ScanError(check="footprint", kind=kind, message=f"MTA-STS policy: {policy.failed}"))

    async def _once(self, cache: dict[str, asyncio.Future], limit: int, key: str, make) -> Any:
        """``await make()`` once per run for ``key``; a LookupFailure is raised to every waiter and not kept."""
        fut = cache.get(key)
        if fut is None:
            if len(cache) > limit:
                cache.clear()
            fut = asyncio.ensure_future(make())
            cache[key] = fut
        try:
            return await asyncio.shield(fut)
        except LookupFailure:
            if cache.get(key) is fut:
                del cache[key]
            raise

    # -- MX hosts -------------------------------------------------------------
    def _mx_known(self, hosts: list[str]) -> tuple[dict[str, tuple[bool, str | None]], list[str]]:
        """Split a domain's MX exchanges into those already resolved this run and those still to ask.

        Provider hosts repeat across thousands of domains, so most domains are
        answered here without a task or a query. IP literals are never asked.
        """
        known: dict[str, tuple[bool, str | None]] = {}
        todo: list[str] = []
        for h in dict.fromkeys(hosts):
            if not h or mx_mod.is_ip_literal(h):
                continue
            hit = self._mx_done.get(h)
            if hit is not None:
                known[h] = hit
            else:
                todo.append(h)
        return known, todo

    async def _resolve_mx(
        self, known: dict[str, tuple[bool, str | None]], todo: list[str], errors: list[ScanError]
    ) -> dict[str, tuple[bool, str | None]]:
        """(resolves, canonical name) for each exchange in ``todo``, added to ``known``; failures left out.

        A first, in one batch: an address proves the host resolves, NXDOMAIN
        proves no AAAA exists either (RFC 8020); only NODATA leads to the AAAA
        question. A host another domain is already asking about is awaited, not
        asked again. Answers are kept for the run; a timeout or SERVFAIL is an
        error of check ``mx_host`` and is not kept (RFC 5321 5.1: it is not
        "does not resolve").
        """
        loop = asyncio.get_running_loop()
        for h in [h for h in todo if h in self._mx_done]:  # answered for another domain since _mx_known
            known[h] = self._mx_done[h]
            todo.remove(h)
        waiting = [(h, f) for h in todo if (f := self._mx_inflight.get(h)) is not None]
        mine = [h for h in todo if h not in self._mx_inflight]
        futures = {h: loop.create_future() for h in mine}
        self._mx_inflight.update(futures)
        outcome: dict[str, tuple[bool, str | None] | LookupFailure] = {}
        try:
            if mine:
                answers = await self.resolver.query_many([(h, "A") for h in mine])
                nodata: list[tuple[str, str | None]] = []
                for h, a in zip(mine, answers, strict=True):
                    if isinstance(a, LookupFailure):
                        outcome[h] = a
                        continue
                    canonical = a.cnames[-1][1] if a.cnames else None
                    if a.records:
                        outcome[h] = (True, canonical)
                    elif a.rcode == NXDOMAIN:
                        outcome[h] = (False, canonical)
                    else:
                        nodata.append((h, canonical))
                if nodata:
                    answers = await self.resolver.query_many([(h, "AAAA") for h, _ in nodata])
                    for (h, canonical), a in zip(nodata, answers, strict=True):
                        if isinstance(a, LookupFailure):
                            outcome[h] = a
                        else:
                            outcome[h] = (bool(a.records), (a.cnames[-1][1] if a.cnames else canonical))
        finally:
            if len(self._mx_done) > MX_CACHE_LIMIT:
                self._mx_done.clear()
            for h, fut in futures.items():
                del self._mx_inflight[h]
                res = outcome.get(h)
                if res is None:
                    res = LookupFailure("error", h, "A", "cancelled")
                if not isinstance(res, LookupFailure):
                    self._mx_done[h] = res
                if not fut.done():
                    fut.set_result(res)  # a failure is handed over as a value: waiters report it themselves
        for h, fut in waiting:
            # shielded: a waiter that is cancelled (the run stops) must not cancel the answer another
            # domain's lookup is about to hand to every waiter
            outcome[h] = await asyncio.shield(fut)
        for h in todo:
            res = outcome[h]
            if isinstance(res, LookupFailure):
                errors.append(ScanError(check="mx_host", kind=res.kind, message=f"MX host {res.message}"))
            else:
                known[h] = res
        return known

    # -- DMARC report authorisation (RFC 7489 7.1) ----------------------------
    async def _report_authorized(self, name: str) -> bool:
        async def ask() -> bool:
            answer = await self.resolver.query(name, "TXT")
            return dmarc_mod.is_authorization(answer.records)

        return await self._once(self._report_cache, REPORT_CACHE_LIMIT, name, ask)

    async def _check_reports(self, domain: str, dmarc: DmarcInfo, hosts: list[str], errors: list[ScanError]) -> None:
        """RFC 7489 7.1 for each external report destination; a failed lookup is an error, not a warning."""
        names = [dmarc_mod.authorization_name(domain, h) for h in hosts]
        outcomes = await asyncio.gather(*(self._report_authorized(n) for n in names), return_exceptions=True)
        for host, res in zip(hosts, outcomes, strict=True):
            if isinstance(res, LookupFailure):
                errors.append(
                    ScanError(check="dmarc_report", kind=res.kind, message=f"DMARC report authorisation {res.message}")
                )
            elif isinstance(res, BaseException):
                raise res
            else:
                dmarc_mod.note_authorization(dmarc, host, res, domain)

    @staticmethod
    def _answer(outcome, check: str, errors: list[ScanError]) -> Answer | None:
        if isinstance(outcome, LookupFailure):
            errors.append(ScanError(check=check, kind=outcome.kind, message=outcome.message))
            return None
        return outcome

    def seed_txt(self, name: str, answer: Answer) -> None:
        """Use a TXT answer already in hand (the resolver check's) for SPF lookups of ``name``."""
        fut = asyncio.get_running_loop().create_future()
        fut.set_result([answer])  # the shape of resolver.query_many([(name, "TXT")])
        self._spf_cache[(name, "TXT")] = fut

    # -- SPF evaluation ---------------------------------------------------------
    def _cached(self, name: str, rtype: str, domain: str) -> asyncio.Future:
        """One lookup for the SPF evaluator, asked once per run; failures are not cached.

        Names at or under the scanned domain are its own and asked once anyway,
        so they skip the cache and leave room for shared provider records.
        """
        own = name == domain or name.endswith("." + domain)
        key = (name, rtype)
        fut = None if own else self._spf_cache.get(key)
        if fut is None:
            fut = asyncio.ensure_future(self.resolver.query_many([key]))
            if not own:
                if len(self._spf_cache) > SPF_CACHE_LIMIT:
                    self._spf_cache.clear()
                self._spf_cache[key] = fut
                fut.add_done_callback(functools.partial(self._forget_failure, key))
        return fut

    def _forget_failure(self, key: tuple[str, str], fut: asyncio.Future) -> None:
        if fut.cancelled() or fut.exception() is not None or isinstance(fut.result()[0], LookupFailure):
            if self._spf_cache.get(key) is fut:
                del self._spf_cache[key]

    async def _spf(self, domain: str, txts: list[str], mx_a: Answer | None, errors: list[ScanError]) -> SpfInfo | None:
        """Parse and evaluate the domain's SPF policy (RFC 7208); None when it publishes none.

        The pure evaluator lists what it still needs; those lookups go out
        together, round after round, until the verdict is final. A DNS failure
        anywhere in the tree is a temperror and an ``spf`` error of its kind.
        """
        records = spf_mod.spf_records(txts)
        if not records:
            return None
        answers = _RunAnswers(self._spf_cache, domain)
        answers[(domain, "TXT")] = Answer("noerror", list(txts))
        if mx_a is not None:  # the scan asked it already: an "mx" mechanism reuses it
            answers[(domain, "MX")] = mx_a
        ev = spf_eval.evaluate(domain, answers)
        rounds = 0
        while ev.missing and rounds < MAX_SPF_ROUNDS:
            futures = [self._cached(n, t, domain) for n, t in ev.missing]
            pending = [f for f in futures if not f.done()]
            if pending:
                await asyncio.wait([asyncio.shield(f) for f in pending])
            for key, fut in zip(ev.missing, futures, strict=True):
                (got,) = fut.result()
                if isinstance(got, LookupFailure) and got.kind == "servfail":  # a loop some resolvers report so
                    got = await self.resolver.loop_behind(got)
                answers[key] = got
            ev = spf_eval.evaluate(domain, answers)
            rounds += 1
        if ev.missing:  # cannot happen with the 10-term limit; never report an unfinished verdict as valid
            ev.result = "temperror"
            ev.failure = LookupFailure("incomplete", domain, "TXT", "SPF evaluation did not finish")
        info = spf_mod.describe(  # one model built, not one assignment per field
            records[0],
            result=ev.result,  # valid, permerror or temperror
            valid=ev.result == "valid",
            errors=ev.errors,
            warnings=ev.warnings,
            lookups=ev.lookups,
            void_lookups=ev.void_lookups,
            lookup_limit_exceeded=ev.lookups > spf_mod.LOOKUP_LIMIT,
            expanded=ev.expanded,
            problems=[f.message for f in ev.errors + ev.warnings],
            **({"all": ev.effective_all} if ev.effective_all else {}),  # through redirect= too (RFC 7208 6.1)
        )
        if ev.failure is not None:
            errors.append(ScanError(check="spf", kind=ev.failure.kind, message=f"SPF {ev.failure.message}"))
        return info

    # -- DKIM -------------------------------------------------------------------
    async def _dkim(
        self,
        domain: str,
        probe: Answer | None,
        microsoft_hint: bool,
        errors: list[ScanError],
        mx_hosts: asyncio.Future | dict | None = None,
        shown: tuple[str, ...] = (),
    ) -> DkimInfo:
        """The DKIM selectors; ``shown`` are the selectors of services the domain shows
        (dkim.selectors_shown), asked in the same wave as the others.

        An alias to a name with no key record is kept as a published selector with no key
        (dkim.dangling_selector, RFC 6376 6.1.2). NXDOMAIN may end a CNAME chain, which the answer does not
        keep, so Microsoft 365's selectors that got NXDOMAIN are asked for their CNAME in one more wave, only
        when Microsoft is hinted (``microsoft_hint``, or an MX alias into Microsoft in ``mx_hosts``, the MX
        resolution or the task making it): their target names the tenant. Other selectors are not asked
        again: a question for each would cost every bulk scan far more than the rare dangling alias is worth."""
        info = DkimInfo(domainkey_exists=None if probe is None else probe.exists)
        if probe is not None and not probe.exists:
            return info
        selectors = self.options.selectors + tuple(s for s in shown if s not in self.options.selectors)
        info.checked = list(selectors)
        names = [f"{sel}._domainkey.{domain}" for sel in selectors]
        answers = await self.resolver.query_many([(n, "TXT") for n in names])
        servfail = [(i, a) for i, a in enumerate(answers) if isinstance(a, LookupFailure) and a.kind == "servfail"]
        if servfail and probe is not None:  # the zone answers (probe), so a SERVFAIL may hide a loop
            loops = await asyncio.gather(*(self.resolver.loop_behind(a) for _, a in servfail))
            for (i, _), looped in zip(servfail, loops, strict=True):
                answers[i] = looped
        dangling: list[int] = []
        found: list[DkimSelector | None] = []
        for i, (sel, outcome) in enumerate(zip(selectors, answers, strict=True)):
            if isinstance(outcome, LookupFailure) and outcome.permanent:  # the zone's fault: a finding, not retried
                info.errors.append(dkim_mod.broken_key_name(sel, names[i], outcome.detail))
                found.append(None)
                continue
            answer = self._answer(outcome, "dkim", errors)
            key = None
            if answer is not None:
                cname = answer.cnames[-1][1] if answer.cnames else None
                if answer.records:
                    key = dkim_mod.parse_key(sel, answer.records, cname)
                if key is None and cname is not None:  # an alias to a name with no key record
                    key = dkim_mod.dangling_selector(sel, cname, domain, exists=True)
                elif answer.rcode == NXDOMAIN:
                    dangling.append(i)
            found.append(key)
        # Only Microsoft 365's selectors, and only where Microsoft is hinted: one more question for every NXDOMAIN
        # selector of every domain with no usable key cost a bulk scan 14 % more questions (10.8 a domain
        # against 7.9 in the --quick bench), for a dangling alias seen on few domains.
        dangling = [i for i in dangling if selectors[i] in dkim_mod.CNAME_SELECTORS]
        if dangling and not microsoft_hint and mx_hosts is not None:
            # An MX alias into Microsoft (mx1.acme.com CNAME acme-com.mail.protection.outlook.com) hints too.
            resolved = mx_hosts if isinstance(mx_hosts, dict) else await asyncio.shield(mx_hosts)
            microsoft_hint = any(self._microsoft_mx(c) for _, c in resolved.values() if c)
        if not microsoft_hint:
            dangling = []
        if dangling:
            # the selector's own CNAME: published but pointing at no key, or Microsoft 365's, naming the tenant
            cnames = await self.resolver.query_many([(names[i], "CNAME") for i in dangling])
            for i, outcome in zip(dangling, cnames, strict=True):
                answer = self._answer(outcome, "dkim", errors)
                if answer is not None and answer.records:
                    found[i] = dkim_mod.dangling_selector(selectors[i], answer.records[0], domain, exists=False)
        info.selectors = [s for s in found if s is not None]
        info.errors.extend(dkim_mod.key_findings(info.selectors))
        info.warnings.extend(dkim_mod.key_warnings(info.selectors))
        for s in info.selectors:
            tenant = self.catalog.initial_domain(s.cname)
            if tenant:
                info.tenant_domain = tenant
                break
        return info

    # -- one domain -----------------------------------------------------------
    async def scan(self, job: ScanJob | str, tenant_answer: asyncio.Future | None = None) -> DomainResult:
        """The domain's result. ``tenant_answer``: the run's process is asking the sign-in service for this
        job (a scan worker's job, :mod:`hunter_cli.scan_pool`); its :func:`tenant_outcome` arrives there.

        Every task started for the domain (its tenant lookup, footprint batch, MX hosts, DKIM, report
        checks) has ended when this returns or raises: cancelled with the scan (Ctrl-C), each is
        cancelled and awaited here, so none is left to fail against a closed client and print
        "Task exception was never retrieved" after the run's summary.
        """
        children: list[asyncio.Future] = []
        try:
            return await self._scan(job, tenant_answer, children)
        finally:
            await end_tasks(children)

    async def _scan(self, job: ScanJob | str, tenant_answer: asyncio.Future | None, children: list) -> DomainResult:
        def child(aw) -> asyncio.Future:
            fut = asyncio.ensure_future(aw)
            children.append(fut)
            return fut

        if isinstance(job, str):
            job = ScanJob(job)
        domain = job.domain
        errors: list[ScanError] = []
        tenant_task: asyncio.Future | None = None
        tenant_source = "cache"
        if tenant_answer is not None:
            tenant_task = tenant_answer
            tenant_source = "lookup"
        elif self.tenants is not None and job.tenant is MISSING:
            tenant_task = child(tenant_outcome(self.tenants, domain))  # alongside DNS, not after it
            tenant_source = "lookup"
        elif self.tenants is None:  # lookups off; or a scan worker's job whose tenant the run has cached
            tenant_source = "cache" if self.options.tenant and job.tenant is not MISSING else "off"
        mx_o, txt_o, dmarc_o, probe_o = await self.resolver.query_many(
            [(domain, "MX"), (domain, "TXT"), (f"_dmarc.{domain}", "TXT"), (f"_domainkey.{domain}", "TXT")]
        )
        below = [(domain, txt_o), (f"_dmarc.{domain}", dmarc_o), (f"_domainkey.{domain}", probe_o)]
        mx_o = health.contradicted_denial(domain, mx_o, below) or mx_o  # the domain denied, a name below it not
        txt_o = health.contradicted_denial(domain, txt_o, [(domain, mx_o)], "TXT") or txt_o  # its MX answered
        fp_questions: list[tuple[str, str]] = []
        fp_task = None
        if self.options.footprint and not (isinstance(mx_o, Answer) and mx_o.rcode == NXDOMAIN):
            # One batch right after the first wave, in flight beside DKIM, SPF and the MX hosts; a domain
            # that does not exist has nothing below it (RFC 8020), so its footprint is not asked.
            fp_questions = [*footprint_questions(domain), (domain, "NS")]
            fp_task = child(self.resolver.query_many(fp_questions))
        mx_a = self._answer(mx_o, "mx", errors)
        txt_a = self._answer(txt_o, "txt", errors)
        if isinstance(dmarc_o, LookupFailure) and dmarc_o.kind == "servfail" and isinstance(mx_o, Answer):
            dmarc_o = await self.resolver.loop_behind(dmarc_o)  # the zone answers: the SERVFAIL may hide a loop
        dmarc_loop = dmarc_o if isinstance(dmarc_o, LookupFailure) and dmarc_o.permanent else None
        dmarc_a = self._answer(dmarc_o, "dmarc", errors) if dmarc_loop is None else None
        # A failed probe only means "ask every selector"; it is reported if those fail too.
        probe = None if isinstance(probe_o, LookupFailure) else probe_o

        txts = txt_a.records if txt_a is not None else []
        mx = sorted(mx_a.records) if mx_a is not None else []
        microsoft_hint = self._microsoft_hint(mx, txts)
        if (
            tenant_task is None
            and self.tenants is not None
            and job.tenant is None
            and job.recheck_tenant
            and tenant_evidence(self.catalog, mx, txts)
        ):
            # The day's cached "no tenant" predates the Microsoft records this scan sees (a move since it was
            # asked; Exchange Online takes mail only for a domain verified in a tenant): asked again now, beside
            # the rest of the scan (trial 30). A scan worker has no client: the run asks (scan_many).
            tenant_task = child(tenant_outcome(self.tenants, domain))
            tenant_source = "lookup"
        resolved, mx_todo = self._mx_known([h for _, h in mx])
        mx_task = child(self._resolve_mx(resolved, mx_todo, errors)) if mx_todo else None
        dmarc = dmarc_mod.parse_txt(dmarc_a.records) if dmarc_a is not None else None
        if dmarc_loop is not None:  # the zone's fault, not a failed lookup: no policy, and not retried
            dmarc = dmarc_mod.unfollowable(dmarc_loop.name, dmarc_loop.detail)
        report_hosts = dmarc_mod.external_destinations(dmarc, domain) if dmarc is not None else []
        report_task = None
        if report_hosts and dmarc is not None:
            report_task = child(self._check_reports(domain, dmarc, report_hosts, errors))
        dkim_errors: list[ScanError] = []
        dkim_task = None
        if probe is None or probe.exists:
            dkim_task = child(
                self._dkim(
                    domain,
                    probe,
                    microsoft_hint,
                    dkim_errors,
                    mx_task or resolved,
                    # the selectors of services and of the mail provider the records name (catalog data)
                    dkim_mod.selectors_shown(txts, [h for _, h in mx], self.catalog),
                )
            )
        spf = await self._spf(domain, txts, mx_a, errors) if txt_a is not None else None
        dkim = await dkim_task if dkim_task is not None else DkimInfo(domainkey_exists=False)
        if mx_task is not None:
            resolved = await mx_task
        if report_task is not None:
            await report_task
        if dkim_errors:
            if isinstance(probe_o, LookupFailure):
                errors.append(ScanError(check="dkim", kind=probe_o.kind, message=probe_o.message))
            errors.extend(dkim_errors)

        tenant = job.tenant if isinstance(job.tenant, TenantInfo) else None
        if tenant_task is not None and isinstance(mx_o, Answer) and mx_o.rcode == NXDOMAIN:
            # The domain is not in DNS: a lead with nothing to sell, whatever a tenant says. A lookup not
            # yet answered is dropped (on a list of dead names that is most of the sign-in requests), and
            # one already answered is dropped too, so that what a domain not in DNS shows never depends on
            # which answer came first (it read "tenant: none" beside "not asked"); a failed one does not
            # make the result partial.
            if not tenant_task.done():
                tenant_task.cancel()
            tenant_source = "nxdomain"
            tenant_task = None
        if tenant_task is not None:
            tenant, tenant_error = await tenant_task
            if tenant_error is not None:
                errors.append(tenant_error)
                tenant_source = "failed"
        if tenant is not None:
            tenant = tenant.model_copy()
            tenant.initial_domain = dkim.tenant_domain

        microsoft = None
        nameservers: list[str] = []
        if self.options.footprint and fp_task is None:  # NXDOMAIN: every name below is NXDOMAIN too
            microsoft = microsoft_footprint(
                domain, {q: Reply.nxdomain() for q in footprint_questions(domain)}, mx_hosts=[]
            )
        if fp_task is not None:
            outcomes = await fp_task
            replies = {}
            for (name, rtype), outcome in zip(fp_questions, outcomes, strict=True):
                if isinstance(outcome, LookupFailure):
                    errors.append(ScanError(check="footprint", kind=outcome.kind, message=outcome.message))
                if rtype == "NS":
                    nameservers = outcome.records if isinstance(outcome, Answer) else []
                else:
                    replies[(name, rtype)] = reply_from(outcome)
            for _hop in range(MAX_CHAIN):  # a record that points inside the domain: follow it where it ends
                more = chain_questions(domain, replies)
                if not more:  # most domains: no question more
                    break
                for (name, rtype), outcome in zip(more, await self.resolver.query_many(more), strict=True):
                    if isinstance(outcome, LookupFailure):
                        errors.append(ScanError(check="footprint", kind=outcome.kind, message=outcome.message))
                    replies[(name, rtype)] = reply_from(outcome)
            microsoft = microsoft_footprint(
                domain,
                replies,
                mx_hosts=[h for _, h in mx] if mx_a is not None else None,
                **_mail_evidence(resolved, dkim, spf, txt_a is not None, dkim_errors),
            )
            await self._mta_sts_policy(domain, microsoft, [h for _, h in mx] if mx_a is not None else None, errors)
            if dmarc_a is not None or dmarc_loop is not None:  # DMARC known: a logo needs it at enforcement
                check_bimi_dmarc(
                    microsoft,
                    dmarc.policy if dmarc else None,
                    dmarc.pct if dmarc else None,
                    dmarc.subdomain_policy if dmarc else None,
                    published=dmarc.published_policy if dmarc else None,
                )
        dkim_cnames = [s.cname for s in dkim.selectors if s.cname]
        mx_check = mx_mod.check(mx, resolved)
        receivers = mx_receiver_hosts(mx, mx_check.canonical, mx_check.unresolved, catalog=self.catalog)
        primary_mx = set(mx_mod.lowest_preference(mx_mod.taking_mail(mx, mx_check.unresolved)))
        services = find_services(
            txts,
            spf_includes=list(dict.fromkeys((spf.includes + spf.expanded) if spf is not None else [])),
            dkim_cnames=dkim_cnames,
            nameservers=nameservers,
            federation_host=tenant.federation_host if tenant is not None else None,
            # the suites their primary MX hosts deliver to: a backup takes mail only when those fail (RFC 5321 5.1)
            mx_providers=[(e.id, h) for e, h in receivers if e.kind == "mailbox" and h in primary_mx],
            spf_providers=self._spf_providers(spf),
        )

        verifications = self.catalog.verifications(txts)
        raw = {
            "mx": [list(r) for r in mx],
            "txt": txts,
            "dmarc": dmarc_a.records if dmarc_a is not None else None,
            "dkim": {s.selector: s.cname for s in dkim.selectors},
            "ns": nameservers,
            "tenant_source": tenant_source,
            "footprint_source": "off" if not self.options.footprint else ("lookup" if fp_task else "nxdomain"),
        }
        if mx_a is None:
            provider, provider_name, gateway, evidence = "unknown", None, None, ["MX lookup failed; will retry"]
        else:
            spf_targets = (spf.includes + spf.expanded) if spf is not None else []
            c = classify(
                domain,
                mx,
                spf_targets=spf_targets,
                dkim_cnames=dkim_cnames,
                verifications=verifications,
                tenant=tenant is not None,
                catalog=self.catalog,
                canonical=mx_check.canonical,
                unresolved=mx_check.unresolved,
                own_servers=own_mail_servers(
                    domain,
                    _own_exchange(microsoft),
                    spf.terms if spf is not None else [],
                ),
                dkim_keys=[s.selector for s in dkim.selectors if s.key_type and not s.revoked and not s.problem],
            )
            provider, provider_name, gateway, evidence = c.provider, c.provider_name, c.gateway, c.evidence
            mx_check.warnings += mx_provider_findings(
                domain, mx, mx_check.canonical, mx_check.unresolved, catalog=self.catalog
            )
            if spf is not None:  # mail moved, SPF still names the old provider: a warning (catalog data)
                own = spf.includes + ([spf.redirect] if spf.redirect else [])
                found = other_provider_findings(
                    provider,
                    provider_name,
                    own,
                    gateway=gateway,
                    receivers=[e for e, _ in receivers],
                    catalog=self.catalog,
                )
                spf.warnings += found
                spf.problems += [f.message for f in found]
        status = "failed" if mx_a is None else ("partial" if errors else "ok")
        result = DomainResult(
            domain=domain,
            status=status,
            scanned_at=now_iso(),
            provider=provider,
            provider_name=provider_name or self.catalog.names.get(provider),
            gateway=gateway,
            mx=mx_check.hosts,
            null_mx=mx_check.null_mx,
            mx_errors=mx_check.errors,
            mx_warnings=mx_check.warnings,
            spf=spf,
            spf_discarded=spf_mod.discarded_records(txts),
            dmarc=dmarc,
            dkim=dkim,
            verifications=verifications,
            evidence=evidence,
            tenant=tenant,
            registration=None if job.registration is MISSING else job.registration,
            microsoft=microsoft,
            services=services,
            errors=errors,
            raw=raw,
        )
        if mx_a is not None and mx_a.rcode == NXDOMAIN:
            result.state = "nxdomain"
        elif mx_a is not None:
            result.state = domain_state(result.model_dump(include={"mx", "null_mx", "provider", "spf"}))
        scoring.apply(result, self.rules, job.cosell)
        return result

    def _spf_providers(self, spf: SpfInfo | None) -> list[tuple[str, str]]:
        """``(provider id, include)`` for each mailbox provider (providers.json) their SPF tree includes."""
        if spf is None:
            return []
        out = []
        for t in dict.fromkeys(spf.includes + spf.expanded):
            e = self.catalog.match_spf(t)
            if e is not None and e.kind == "mailbox":
                out.append((e.id, t))
        return out

    def _microsoft_mx(self, host: str) -> bool:
        e = self.catalog.match_mx(host) if host else None
        return e is not None and (e.id == "m365" or e.kind == "gateway")

    def _microsoft_hint(self, mx: list[tuple[int, str]], txts: list[str]) -> bool:
        """Worth looking for M365 DKIM CNAMEs that do not resolve: what :func:`tenant_evidence` reads, or a gateway
        MX (it may front Microsoft 365)."""
        return tenant_evidence(self.catalog, mx, txts) or any(self._microsoft_mx(host) for _, host in mx)


def tenant_evidence(catalog, mx: list[tuple[int, str]], txts: list[str]) -> bool:
    """Records only a tenant stands behind, in the first answers of a scan (``mx``: (preference, host); ``txts``:
    the apex TXT strings): MX at Exchange Online Protection (``catalog``'s ``m365``), Microsoft's ``MS=`` token,
    or an SPF record whose include or redirect names a Microsoft 365 sending name of any cloud (``m365``'s
    ``spf`` names). The same records :func:`hunter_cli.lead.footprint.names_microsoft` reads in a finished
    result, before the DKIM and footprint answers are in. A gateway alone is no such record: it fronts any
    provider. Pure."""
    if any((e := catalog.match_mx(h) if h else None) is not None and e.id == "m365" for _, h in mx):
        return True
    for t in txts:
        if t[:3].lower() == "ms=":
            return True
        if spf_mod.is_spf(t):
            rec = spf_mod.parse(t.rstrip())
            targets = [rec.redirect] if rec.redirect is not None else []
            for term in [*(m for m in rec.mechanisms if m.name == "include"), *targets]:
                name = spf_mod.spec_text(term.domain)
                if name and (e := catalog.match_spf(name)) is not None and e.id == "m365":
                    return True
    return False


def microsoft_evidence(result: DomainResult) -> bool:
    """True when ``result`` (a scan that reused the day's cached "no tenant") shows Microsoft 365 records
    a tenant would stand behind (:func:`hunter_cli.lead.footprint.names_microsoft`, the fact every output
    reads), so the cached answer is likely out of date and the scan asks again. False for a failed scan.
    Pure; reads only ``result``."""
    from .lead import Lead
    from .lead.footprint import names_microsoft

    return result.status != "failed" and names_microsoft(Lead.from_result(result))


class RegistrationLane:
    """Registration lookups in their own small lane; results go to ``on_registration`` as they come.

    At most ``backlog`` domains wait at once: a bulk scan never piles up
    millions of pending lookups, and domains that did not fit get theirs on the
    next run (the store knows which have none).
    """

    def __init__(
        self,
        options: ScanOptions,
        on_registration: Callable,
        on_deferred: Callable[[str], None] | None = None,
        on_left: Callable[[str], None] | None = None,
    ) -> None:
        from .http import async_client
        from .registration.lookup import Reach
        from .registration.rdap import load_bootstrap

        self.options = options
        self.on_registration = on_registration
        self.bootstrap = load_bootstrap()  # before the client, so a failure here leaves nothing open
        self.http = async_client(max_connections=options.registration_concurrency)
        self.limit = asyncio.Semaphore(max(1, options.registration_concurrency))
        self.tasks: dict[asyncio.Task, str] = {}  # lookups offered and not ended -> their domain
        self.skipped = 0
        self.on_deferred = on_deferred  # told of each domain left for its next scan (the backlog was full)
        self.on_left = on_left  # told of each domain whose lookup was still waiting or running at close
        self.reach = Reach()  # each server's name resolved once; a service that reached nothing skipped fast

    def offer(self, domain: str) -> None:
        if len(self.tasks) >= self.options.registration_backlog:
            self.skipped += 1
            if self.on_deferred is not None:
                self.on_deferred(domain)
            return
        task = asyncio.ensure_future(self._one(domain))
        self.tasks[task] = domain
        task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task) -> None:
        self.tasks.pop(task, None)

    async def _one(self, domain: str) -> None:
        from .registration import RegistrationFailure
        from .registration.lookup import lookup

        async with self.limit:
            try:
                reg = await lookup(
                    domain,
                    http=self.http,
                    bootstrap=self.bootstrap,
                    rdap_url=self.options.rdap_url,
                    whois_host=self.options.whois_host,
                    reach=self.reach,
                )
            except RegistrationFailure as exc:
                log.info("%s: registration lookup failed: %s: %s", domain, exc.kind, exc.message)
                self.on_registration(domain, None, ScanError(check="registration", kind=exc.kind, message=exc.message))
                return
            except Exception as exc:  # a registry's odd answer must not end the scan
                self.on_registration(
                    domain,
                    None,
                    ScanError(check="registration", kind="error", message=f"{exc.__class__.__name__}: {exc}"),
                )
                return
        self.on_registration(domain, reg, None)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for lookups in flight (at most ``timeout`` seconds; the rest are cancelled by close)."""
        deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
        while self.tasks:
            left = None if deadline is None else deadline - asyncio.get_running_loop().time()
            if left is not None and left <= 0:
                return
            await asyncio.wait(set(self.tasks), timeout=left)

    async def close(self) -> None:
        """Cancel the lookups not done (the run stopped, or ``registration_wait`` ran out), telling
        ``on_left`` of each domain, and wait until each has ended before the HTTP client closes."""
        left = list(self.tasks.items())
        if self.on_left is not None:
            for _, domain in left:
                self.on_left(domain)
        await end_tasks([t for t, _ in left])
        await self.http.aclose()


def suspect_result(domain: str, reason: str) -> DomainResult:
    """A domain whose answers were not trusted: failed, with one ``resolver_suspect`` error.

    A failed result never replaces the stored view and raises no change event.
    """
    return DomainResult(
        domain=domain,
        status="failed",
        scanned_at=now_iso(),
        provider="unknown",
        evidence=["the DNS resolver was not trusted; will retry"],
        errors=[ScanError(check="mx", kind=health.SUSPECT_KIND, message=f"resolver not trusted: {reason}")],
    )


def denies_mail(result: DomainResult, had_mail: bool) -> bool:
    """The answers say this domain has no mail: it does not exist, or (having had MX hosts) has none now."""
    if result.status == "failed":
        return False
    return result.state == "nxdomain" or (had_mail and not result.mx)


async def end_tasks(tasks: Iterable[asyncio.Future]) -> None:
    """Cancel those of ``tasks`` still running and wait until each has ended; what any of them raised
    is retrieved and dropped (their owner has stopped, or has already read what it needed)."""
    tasks = list(tasks)
    pending = [t for t in tasks if not t.done()]  # the usual case, a domain scanned to the end: none
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
    for task in tasks:
        if not task.cancelled():
            task.exception()  # marks it retrieved: no "exception was never retrieved" when it is collected


async def cancel_all(tasks: Iterable[asyncio.Task]) -> None:
    """Cancel every task and wait until each has ended (what they raise is dropped)."""
    tasks = list(tasks)
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)


BEHIND_POLL = 0.01  # seconds between looks at a store that is behind (scan_many's ``behind``)


async def scan_many(
    jobs: Iterable[ScanJob | str],
    options: ScanOptions,
    on_result: Callable[[DomainResult, str | None], None],
    *,
    on_registration: Callable | None = None,
    on_registration_deferred: Callable[[str], None] | None = None,
    on_registration_left: Callable[[str], None] | None = None,
    catalog: Catalog | None = None,
    processes: int = 1,
    behind: Callable[[], bool] | None = None,
    on_checks: Callable[[bool], None] | None = None,
) -> int:
    """Scan every job (consumed lazily) with bounded concurrency.

    ``on_result(result, text)`` runs in the event loop as each domain's DNS and
    tenant lookups finish; ``text`` is the result's JSON when a scan worker sent it
    (store and print it as it is), else None. ``on_registration(domain, Registration | None, ScanError | None)``
    runs later, as registration data arrives, for domains whose job carried no
    cached registration; ``on_registration_left(domain)`` for each whose lookup was still waiting or
    running when the run ended (stopped, or ``registration_wait`` ran out). Returns the number of DNS
    queries sent. Cancelling
    stops new work and cancels in-flight lookups. While ``behind()`` is true
    (the store has not caught up with the results handed to it) no new domain
    starts, so what waits for the store stays bounded however long the list.

    With ``options.resolver_check`` the resolver is checked first
    (:func:`hunter_cli.dns.health.preflight`), and results that deny a domain's
    mail are held back until enough domains that had mail were seen answered
    (:class:`hunter_cli.dns.health.DenialMonitor`). When the resolver is not
    trusted, every domain not yet delivered gets a :func:`suspect_result` and
    :class:`hunter_cli.dns.health.ResolverSuspect` is raised. When no check
    question gets an answer at all, :class:`hunter_cli.dns.health.ResolverUnreachable`
    is raised before the first domain. ``on_checks(answered)`` runs after that first check: ``answered`` True
    when every name that must exist got an answer, some with records (the resolver itself works), False when a
    lookup of one failed (a timeout, SERVFAIL).

    With ``processes`` above 1 the domains are scanned by that many worker
    processes (:class:`hunter_cli.scan_pool.ScanPool`, bundled catalog only);
    everything above stays here, and so do the tenant lookups (one client for the run, its ceiling whole).
    """
    resolver = await open_resolver(options.resolver)
    tenants = None
    lane = None
    pool = None
    try:  # set-up: the rules are read before any HTTP client opens, and a failure closes what did open
        scanner = Scanner(resolver, options, catalog, None)
        if processes > 1 and catalog is None:
            from .scan_pool import ScanPool

            try:
                pool = await ScanPool.start(options, processes)
            except OSError as exc:  # no process to spare (ulimit, memory): one process scans, as on one CPU
                log.warning("cannot start scan worker processes (%s); scanning in this process", exc)
        if options.tenant:  # in this process even when workers scan: see ScanPool.tenants
            from .tenant.client import TenantClient

            tenants = TenantClient(options.tenant_url, concurrency=options.tenant_concurrency)
            if pool is not None:
                pool.tenants = tenants
            else:
                scanner.tenants = tenants
        lane = (
            RegistrationLane(options, on_registration, on_registration_deferred, on_registration_left)
            if options.registration and on_registration
            else None
        )
    except BaseException:
        await resolver.close()
        if pool is not None:
            await pool.close()
        if tenants is not None:
            await tenants.close()
        raise
    base_scan = pool.scan if pool is not None else scanner.scan

    async def scan_one(job: ScanJob):
        got = await base_scan(job)
        if tenants is None or job.tenant is not None or not job.recheck_tenant:
            # lookups off, no cached answer, a tenant cached, or a "no tenant" given beside the same records
            return got
        result = got[0] if isinstance(got, tuple) else got
        raw = result.raw or {}
        if raw.get("tenant_source") == "lookup":
            return got  # asked in the scan itself (one process: its MX or TXT records said so)
        seen = tenant_evidence(scanner.catalog, [tuple(m) for m in raw.get("mx") or []], raw.get("txt") or [])
        if not (seen or microsoft_evidence(result)):
            return got  # nothing that a tenant would stand behind
        # The day's cached "no tenant" predates what this scan sees (a move to Microsoft 365 since it was
        # asked): an accepted domain needs a tenant, so the sign-in service is asked again now (trial 30).
        return await base_scan(dataclasses.replace(job, tenant=MISSING))

    limit = asyncio.Semaphore(max(1, options.concurrency))
    running: dict[asyncio.Task, ScanJob] = {}
    failure: list[BaseException] = []
    monitor = health.DenialMonitor()
    # A denial is quick (one question) and a domain with mail takes twenty, so results arrive denials first:
    # the monitor sees the domains that had mail in the order they were started, each once all before it is in.
    started: dict[asyncio.Task, int] = {}  # task of a domain that had mail -> its place among them
    arrived: dict[int, bool | None] = {}  # place -> denied; None: not counted (the lookup failed)
    counted: dict[int, int] = {}  # place of a held denial -> monitor.seen once it was counted
    order = [0, 0]  # the next place to hand out, the next place to count
    held: list[tuple[DomainResult, int, str | None]] = []  # (result, its place, its JSON)
    suspect: list[str] = []  # why the resolver is not trusted (set once)
    check = options.resolver_check
    early = lane is not None and options.registration_early

    def deliver(result: DomainResult, text: str | None = None) -> None:
        try:
            on_result(result, text)
        except BaseException as exc:  # e.g. a closed stdout: stop the scan, report it
            failure.append(exc)
            return
        if lane is not None and not early and result.registration is None and result.status != "failed":
            if result.state != "nxdomain":  # a name not in DNS has no registrant worth asking a registry about
                lane.offer(result.domain)

    def count(place: int | None, denied: bool | None) -> None:
        """Hand the monitor every domain that had mail whose turn has come (:class:`health.DenialMonitor`)."""
        if place is None:
            return
        arrived[place] = denied
        while order[1] in arrived:
            seen = arrived.pop(order[1])
            if seen is not None:
                monitor.observe(seen)
            counted[order[1]] = monitor.seen
            order[1] += 1

    def finished(task: asyncio.Task) -> None:
        job = running.pop(task, None)
        place = started.pop(task, None)
        if job is None:  # already counted as lost when the resolver stopped being trusted
            return
        limit.release()
        if suspect:
            # Whatever this lookup returned (or raised, or was cancelled with) is not trusted.
            # Every task still running when the resolver became suspect ends here exactly once,
            # even one that had finished before it was cancelled but whose callback was still
            # queued: counting those from ``running`` as well stored and printed them twice.
            running_lost.append(job.domain)
            return
        if task.cancelled():
            count(place, None)
            return
        exc = task.exception()
        if exc is not None:
            count(place, None)
            failure.append(exc)
            return
        got = task.result()
        result, text = got if isinstance(got, tuple) else (got, None)  # a worker's result comes with its JSON
        if not check:
            deliver(result, text)
            return
        # Only a denial that would overwrite stored mail hosts is held back; a new
        # domain's NXDOMAIN has no good view to wipe and is stored at once.
        denied = job.had_mail and denies_mail(result, True)
        if denied:
            held.append((result, place if place is not None else -1, text))
        else:
            deliver(result, text)
        count(place, denied if result.status != "failed" else None)
        if monitor.tripped():
            suspect.append(monitor.reason())
            return
        while held and held[0][1] in counted and monitor.seen - counted[held[0][1]] >= monitor.window:
            result, place, text = held.pop(0)  # vetted by a full window of domains started after it
            del counted[place]
            deliver(result, text)
        for done in [p for p in counted if not held or p < held[0][1]]:
            del counted[done]  # no held denial needs it

    running_lost: list[str] = []  # domains in flight when the resolver stopped being trusted
    not_started: list[str] = []
    it = iter(jobs)
    try:
        if check:
            reason, answers = await health.preflight(resolver, require_answer=True)
            if reason is not None:
                suspect.append(reason)
            for (name, rtype), outcome in answers:
                if rtype == "TXT" and isinstance(outcome, Answer):
                    scanner.seed_txt(name, outcome)
            if on_checks is not None:
                got = [o for _, o in answers if isinstance(o, Answer)]
                on_checks(len(got) == len(answers) and any(o.records for o in got))
        if not suspect:
            for item in it:
                job = ScanJob(item) if isinstance(item, str) else item
                await limit.acquire()
                while behind is not None and behind() and not failure:
                    await asyncio.sleep(BEHIND_POLL)
                if failure:
                    raise failure[0]
                if suspect:
                    limit.release()
                    not_started.append(job.domain)
                    break
                task = asyncio.ensure_future(scan_one(job))
                running[task] = job
                if check and job.had_mail:
                    started[task] = order[0]
                    order[0] += 1
                if early and lane is not None and job.registration is MISSING:
                    lane.offer(job.domain)
                task.add_done_callback(finished)
            while running and not suspect:
                await asyncio.wait(set(running), return_when=asyncio.FIRST_COMPLETED)
            if failure:
                raise failure[0]
            if check and not suspect and held and monitor.doubtful():
                reason, _ = await health.preflight(resolver)  # a second look before believing a small run
                if reason is not None:
                    suspect.append(f"{monitor.reason()}, and {reason}")
        if suspect:
            reason = suspect[0]
            await cancel_all(running)
            for task, job in list(running.items()):  # not reached in practice: ``finished`` ran for each
                del running[task]
                running_lost.append(job.domain)
            domains = [r.domain for r, _, _ in held] + running_lost + not_started
            held.clear()
            for domain in domains:
                deliver(suspect_result(domain, reason))
            for item in it:
                deliver(suspect_result(item if isinstance(item, str) else item.domain, reason))
            if failure:
                raise failure[0]
            raise health.ResolverSuspect(reason, list(getattr(resolver, "servers", [])))
        for result, _, text in held:
            deliver(result, text)
        held.clear()
        if failure:
            raise failure[0]
        if lane is not None:
            await lane.drain(options.registration_wait)
    finally:
        await cancel_all(running)
        sent = getattr(resolver, "queries_sent", 0)
        await scanner.close()
        await resolver.close()
        if pool is not None:
            await pool.close()
            sent += pool.queries_sent
        if tenants is not None:
            await tenants.close()
        if lane is not None:
            await lane.close()
    return sent


def _mail_evidence(
    resolved: dict, dkim: DkimInfo, spf: SpfInfo | None, txt_answered: bool, dkim_errors: list[ScanError]
) -> dict:
    """What the footprint reads from the mail lookups (docs/footprint.md): MX aliases, the DKIM CNAMEs
    met, the SPF includes (nested ones too) and which of those lookups gave no answer."""
    unchecked = [f"DKIM: {e.message}" for e in dkim_errors]
    if spf is not None and spf.result == "temperror":
        unchecked.append("SPF: a lookup in the include chain failed")
    return {
        "mx_canonical": {h: c for h, (_ok, c) in resolved.items() if c},
        "dkim": [(s.selector, s.cname) for s in dkim.selectors if s.cname],
        "spf_includes": list(dict.fromkeys(spf.includes + spf.expanded))
        if spf is not None
        else ([] if txt_answered else None),
        "unchecked": unchecked,
    }


def _own_exchange(microsoft) -> list[str]:
    """The records of their own Exchange server (``autodiscover CNAME → mail.acme.com``) when the footprint reads
    Exchange as on-premises only; empty otherwise (hybrid has Exchange Online too; no footprint with --quick)."""
    exchange = microsoft.workloads.get("exchange") if microsoft is not None else None
    return list(exchange.own_hosts) if exchange is not None and exchange.state == "on_premises" else []
