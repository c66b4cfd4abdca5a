"""The scan pipeline: many domains at once, one result per domain.

It owns concurrency, per-check error accounting, the SPF include cache and the
three lanes a domain goes through: DNS (this module), the Microsoft tenant
lookup (run alongside DNS, never after it) and registration data (a slower,
separate lane whose results arrive later and never hold a domain back). It
never prints and never touches the store: callers get results via callbacks.

Every domain costs four parallel DNS queries (MX, TXT, _dmarc TXT, _domainkey
probe), plus DKIM selectors only when ``_domainkey`` exists, plus SPF include
targets that no earlier domain already fetched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from . import scoring
from .catalog import Catalog, classify, load_catalog
from .dns import dkim as dkim_mod
from .dns import dmarc as dmarc_mod
from .dns import health
from .dns import spf as spf_mod
from .dns.resolver import NXDOMAIN, Answer, LookupFailure, Resolver, ResolverConfig, open_resolver
from .facts import domain_state
from .models import DkimInfo, DkimSelector, DomainResult, MxHost, Registration, ScanError, SpfInfo, TenantInfo

MAX_SPF_DEPTH = 6
MAX_SPF_TARGETS = 40
SPF_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class ScanOptions:
    resolver: ResolverConfig = field(default_factory=ResolverConfig)
    concurrency: int = 500
    selectors: tuple[str, ...] = dkim_mod.DEFAULT_SELECTORS
    tenant: bool = True
    tenant_url: str = "https://login.microsoftonline.com"
    tenant_concurrency: int = 16
    registration: bool = True
    registration_concurrency: int = 4
    registration_backlog: int = 200  # domains waiting for the lane; beyond it they wait for the next run
    registration_wait: float | None = None  # seconds to wait for the lane at the end; None = until done
    rules_path: str | None = None  # scoring rules file; None = HUNTER_RULES or the bundled rules
    rdap_url: str | None = None  # overrides the bootstrap for every TLD (tests, air-gapped mirrors)
    whois_host: str | None = None  # "host[:port]" overriding the WHOIS server for every TLD
    resolver_check: bool = True  # check the resolver tells the truth before and during the run (dns/health.py)


class _Missing:
    def __repr__(self) -> str:
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


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Scanner:
    """Scans single domains; shares the resolver and the SPF include cache between them."""

    def __init__(self, resolver: Resolver, options: ScanOptions, catalog: Catalog | None = None, tenants=None) -> None:
        self.resolver = resolver
        self.options = options
        self.catalog = catalog or load_catalog()
        self.tenants = tenants  # TenantClient, or None when tenant lookups are off
        from .scoring import load_rules

        self.rules = load_rules(options.rules_path)
        self._spf_cache: dict[str, asyncio.Future] = {}

    @staticmethod
    def _answer(outcome, check: str, errors: list[ScanError]) -> Answer | None:
        if isinstance(outcome, LookupFailure):
            errors.append(ScanError(check=check, kind=outcome.kind, message=outcome.message))
            return None
        return outcome

    def seed_txt(self, name: str, answer: Answer) -> None:
        """Use a TXT answer already in hand (the resolver check's) for SPF includes of ``name``."""
        fut = asyncio.get_running_loop().create_future()
        fut.set_result(answer)
        self._spf_cache[name] = fut

    # -- SPF include tree -----------------------------------------------------
    async def _spf_at(self, name: str) -> SpfInfo | None:
        """Parsed SPF at an include target, fetched once per run; failures are not cached."""
        fut = self._spf_cache.get(name)
        if fut is None:
            if len(self._spf_cache) > SPF_CACHE_LIMIT:
                self._spf_cache.clear()
            fut = asyncio.ensure_future(self.resolver.query(name, "TXT"))
            self._spf_cache[name] = fut
        try:
            answer = await asyncio.shield(fut)
        except LookupFailure:
            self._spf_cache.pop(name, None)
            raise
        return spf_mod.parse_txt(answer.records) if answer.records else None

    async def _expand_spf(self, info: SpfInfo, errors: list[ScanError]) -> SpfInfo:
        children: dict[str, SpfInfo | None] = {}
        expanded: list[str] = []
        level = spf_mod.targets(info)
        depth = 0
        while level and depth < MAX_SPF_DEPTH and len(expanded) < MAX_SPF_TARGETS:
            todo = [t for t in dict.fromkeys(level) if t not in children][: MAX_SPF_TARGETS - len(expanded)]
            results = await asyncio.gather(*(self._spf_at(t) for t in todo), return_exceptions=True)
            level = []
            for target, res in zip(todo, results, strict=True):
                if isinstance(res, LookupFailure):
                    errors.append(ScanError(check="spf", kind=res.kind, message=f"SPF include {res.message}"))
                    continue
                if isinstance(res, BaseException):
                    raise res
                children[target] = res
                expanded.append(target)
                if res is not None and res.valid:
                    level.extend(spf_mod.targets(res))
            depth += 1
        return spf_mod.finish(info, children, expanded)

    # -- DKIM -------------------------------------------------------------------
    async def _dkim(self, domain: str, probe: Answer | None, microsoft_hint: bool, errors: list[ScanError]) -> DkimInfo:
        info = DkimInfo(domainkey_exists=None if probe is None else probe.exists)
        if probe is not None and not probe.exists:
            return info
        selectors = self.options.selectors
        info.checked = list(selectors)
        names = [f"{sel}._domainkey.{domain}" for sel in selectors]
        answers = await self.resolver.query_many([(n, "TXT") for n in names])
        dangling: list[int] = []
        found: list[DkimSelector | None] = []
        for i, (sel, outcome) in enumerate(zip(selectors, answers, strict=True)):
            answer = self._answer(outcome, "dkim", errors)
            key = None
            if answer is not None:
                cname = answer.cnames[-1][1] if answer.cnames else None
                if answer.records:
                    key = dkim_mod.parse_key(sel, answer.records, cname)
                elif cname is not None:
                    key = DkimSelector(selector=sel, cname=cname, key_type=None)
                elif answer.rcode == NXDOMAIN and microsoft_hint and sel in dkim_mod.CNAME_SELECTORS:
                    dangling.append(i)
            found.append(key)
        if dangling:
            # A CNAME whose target does not resolve still names the M365 tenant.
            cnames = await self.resolver.query_many([(names[i], "CNAME") for i in dangling])
            for i, outcome in zip(dangling, cnames, strict=True):
                answer = self._answer(outcome, "dkim", errors)
                if answer is not None and answer.records:
                    found[i] = DkimSelector(selector=selectors[i], cname=answer.records[0], key_type=None)
        info.selectors = [s for s in found if s is not None]
        for s in info.selectors:
            tenant = dkim_mod.tenant_from_cname(s.cname)
            if tenant:
                info.tenant_domain = tenant
                break
        return info

    # -- one domain -----------------------------------------------------------
    async def _tenant(self, domain: str) -> tuple[TenantInfo | None, ScanError | None]:
        from .tenant.client import TenantFailure

        try:
            return await self.tenants.lookup(domain), None
        except TenantFailure as exc:
            return None, ScanError(check="tenant", kind=exc.kind, message=exc.message)

    async def scan(self, job: ScanJob | str) -> DomainResult:
        if isinstance(job, str):
            job = ScanJob(job)
        domain = job.domain
        errors: list[ScanError] = []
        tenant_task = None
        tenant_source = "cache"
        if self.tenants is not None and job.tenant is MISSING:
            tenant_task = asyncio.ensure_future(self._tenant(domain))  # alongside DNS, not after it
            tenant_source = "lookup"
        elif self.tenants is None:
            tenant_source = "off"
        mx_o, txt_o, dmarc_o, probe_o = await self.resolver.query_many(
            [(domain, "MX"), (domain, "TXT"), (f"_dmarc.{domain}", "TXT"), (f"_domainkey.{domain}", "TXT")]
        )
        mx_a = self._answer(mx_o, "mx", errors)
        txt_a = self._answer(txt_o, "txt", errors)
        dmarc_a = self._answer(dmarc_o, "dmarc", errors)
        # A failed probe only means "ask every selector"; it is reported if those fail too.
        probe = None if isinstance(probe_o, LookupFailure) else probe_o

        txts = txt_a.records if txt_a is not None else []
        spf = spf_mod.parse_txt(txts) if txt_a is not None else None
        mx = sorted(mx_a.records) if mx_a is not None else []
        microsoft_hint = self._microsoft_hint(mx, txts)
        dkim_errors: list[ScanError] = []
        dkim_task = None
        if probe is None or probe.exists:
            dkim_task = asyncio.ensure_future(self._dkim(domain, probe, microsoft_hint, dkim_errors))
        if spf is not None and spf.valid:
            spf = await self._expand_spf(spf, errors)
        dkim = await dkim_task if dkim_task is not None else DkimInfo(domainkey_exists=False)
        if dkim_errors:
            if isinstance(probe_o, LookupFailure):
                errors.append(ScanError(check="dkim", kind=probe_o.kind, message=probe_o.message))
            errors.extend(dkim_errors)

        tenant = None if job.tenant is MISSING else job.tenant
        if tenant_task is not None:
            tenant, tenant_error = await tenant_task
            if tenant_error is not None:
                errors.append(tenant_error)
                tenant_source = "failed"
        if tenant is not None:
            tenant = tenant.model_copy()
            tenant.initial_domain = dkim.tenant_domain

        dmarc = dmarc_mod.parse_txt(dmarc_a.records) if dmarc_a is not None else None
        verifications = self.catalog.verifications(txts)
        raw = {
            "mx": [list(r) for r in mx],
            "txt": txts,
            "dmarc": dmarc_a.records if dmarc_a is not None else None,
            "dkim": {s.selector: s.cname for s in dkim.selectors},
            "tenant_source": tenant_source,
        }
        if mx_a is None:
            provider, provider_name, gateway, evidence = "unknown", None, None, ["MX lookup failed; will retry"]
        else:
            spf_targets = (spf.includes + spf.expanded) if spf is not None else []
            c = classify(
                domain,
                mx,
                spf_targets=spf_targets,
                dkim_cnames=[s.cname for s in dkim.selectors if s.cname],
                verifications=verifications,
                tenant=tenant is not None,
                catalog=self.catalog,
            )
            provider, provider_name, gateway, evidence = c.provider, c.provider_name, c.gateway, c.evidence
        status = "failed" if mx_a is None else ("partial" if errors else "ok")
        result = DomainResult(
            domain=domain,
            status=status,
            scanned_at=now_iso(),
            provider=provider,
            provider_name=provider_name or self.catalog.names.get(provider),
            gateway=gateway,
            mx=[MxHost(host=h, preference=p) for p, h in mx if h],
            null_mx=any(not h for _, h in mx),
            spf=spf,
            dmarc=dmarc,
            dkim=dkim,
            verifications=verifications,
            evidence=evidence,
            tenant=tenant,
            registration=None if job.registration is MISSING else job.registration,
            errors=errors,
            raw=raw,
        )
        if mx_a is not None and mx_a.rcode == NXDOMAIN:
            result.state = "nxdomain"
        elif mx_a is not None:
            result.state = domain_state(result.model_dump(include={"mx", "null_mx", "provider", "spf"}))
        scoring.apply(result, self.rules, job.cosell)
        return result

    def _microsoft_hint(self, mx: list[tuple[int, str]], txts: list[str]) -> bool:
        """Worth looking for M365 DKIM CNAMEs that do not resolve: MX, gateway, SPF or MS= point that way."""
        for _, host in mx:
            e = self.catalog.match_mx(host) if host else None
            if e is not None and (e.id == "m365" or e.kind == "gateway"):
                return True
        for txt in txts:
            low = txt.lower()
            if low.startswith("ms=") or "spf.protection.outlook.com" in low:
                return True
        return False


class RegistrationLane:
    """Registration lookups in their own small lane; results go to ``on_registration`` as they come.

    At most ``backlog`` domains wait at once: a bulk scan never piles up
    millions of pending lookups, and domains that did not fit get theirs on the
    next run (the store knows which have none).
    """

    def __init__(self, options: ScanOptions, on_registration: Callable) -> None:
        from .http import async_client
        from .registration.rdap import load_bootstrap

        self.options = options
        self.on_registration = on_registration
        self.http = async_client(max_connections=options.registration_concurrency)
        self.bootstrap = load_bootstrap()
        self.limit = asyncio.Semaphore(max(1, options.registration_concurrency))
        self.tasks: set[asyncio.Task] = set()
        self.skipped = 0

    def offer(self, domain: str) -> None:
        if len(self.tasks) >= self.options.registration_backlog:
            self.skipped += 1
            return
        task = asyncio.ensure_future(self._one(domain))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

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
                )
            except RegistrationFailure as exc:
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
        for t in list(self.tasks):
            t.cancel()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
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


async def scan_many(
    jobs: Iterable[ScanJob | str],
    options: ScanOptions,
    on_result: Callable[[DomainResult], None],
    *,
    on_registration: Callable | None = None,
    catalog: Catalog | None = None,
) -> int:
    """Scan every job (consumed lazily) with bounded concurrency.

    ``on_result`` runs in the event loop as each domain's DNS and tenant lookups
    finish. ``on_registration(domain, Registration | None, ScanError | None)``
    runs later, as registration data arrives, for domains whose job carried no
    cached registration. Returns the number of DNS queries sent. Cancelling
    stops new work and cancels in-flight lookups.

    With ``options.resolver_check`` the resolver is checked first
    (:func:`hunter_cli.dns.health.preflight`), and results that deny a domain's
    mail are held back until enough domains that had mail were seen answered
    (:class:`hunter_cli.dns.health.DenialMonitor`). When the resolver is not
    trusted, every domain not yet delivered gets a :func:`suspect_result` and
    :class:`hunter_cli.dns.health.ResolverSuspect` is raised.
    """
    resolver = await open_resolver(options.resolver)
    tenants = None
    if options.tenant:
        from .tenant.client import TenantClient

        tenants = TenantClient(options.tenant_url, concurrency=options.tenant_concurrency)
    lane = RegistrationLane(options, on_registration) if options.registration and on_registration else None
    scanner = Scanner(resolver, options, catalog, tenants)
    limit = asyncio.Semaphore(max(1, options.concurrency))
    running: dict[asyncio.Task, ScanJob] = {}
    failure: list[BaseException] = []
    monitor = health.DenialMonitor()
    held: list[tuple[DomainResult, int]] = []  # (result, monitor.seen when it was held)
    suspect: list[str] = []  # why the resolver is not trusted (set once)
    check = options.resolver_check

    def deliver(result: DomainResult) -> None:
        try:
            on_result(result)
        except BaseException as exc:  # e.g. a closed stdout: stop the scan, report it
            failure.append(exc)
            return
        if lane is not None and result.registration is None and result.status != "failed":
            lane.offer(result.domain)

    def finished(task: asyncio.Task) -> None:
        job = running.pop(task)
        limit.release()
        if task.cancelled() or suspect:
            if suspect and not task.cancelled() and task.exception() is None:
                running_lost.append(job.domain)
            return
        exc = task.exception()
        if exc is not None:
            failure.append(exc)
            return
        result = task.result()
        if not check:
            deliver(result)
            return
        # Only a denial that would overwrite stored mail hosts is held back; a new
        # domain's NXDOMAIN has no good view to wipe and is stored at once.
        denied = job.had_mail and denies_mail(result, True)
        if job.had_mail and result.status != "failed":
            monitor.observe(denied)
        if denied:
            held.append((result, monitor.seen))
        else:
            deliver(result)
        if monitor.tripped():
            suspect.append(monitor.reason())
            return
        while held and monitor.seen - held[0][1] >= monitor.window:  # vetted by a full window
            deliver(held.pop(0)[0])

    running_lost: list[str] = []  # domains in flight when the resolver stopped being trusted
    not_started: list[str] = []
    it = iter(jobs)
    try:
        if check:
            reason, answers = await health.preflight(resolver)
            if reason is not None:
                suspect.append(reason)
            for (name, rtype), outcome in answers:
                if rtype == "TXT" and isinstance(outcome, Answer):
                    scanner.seed_txt(name, outcome)
        if not suspect:
            for item in it:
                job = ScanJob(item) if isinstance(item, str) else item
                await limit.acquire()
                if failure:
                    raise failure[0]
                if suspect:
                    limit.release()
                    not_started.append(job.domain)
                    break
                task = asyncio.ensure_future(scanner.scan(job))
                running[task] = job
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
            lost = [job.domain for job in running.values()]
            for task in list(running):
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)
            domains = [r.domain for r, _ in held] + running_lost + lost + not_started
            held.clear()
            for domain in domains:
                deliver(suspect_result(domain, reason))
            for item in it:
                deliver(suspect_result(item if isinstance(item, str) else item.domain, reason))
            if failure:
                raise failure[0]
            raise health.ResolverSuspect(reason, list(getattr(resolver, "servers", [])))
        for result, _ in held:
            deliver(result)
        held.clear()
        if failure:
            raise failure[0]
        if lane is not None:
            await lane.drain(options.registration_wait)
    finally:
        for task in list(running):
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        sent = getattr(resolver, "queries_sent", 0)
        await resolver.close()
        if tenants is not None:
            await tenants.close()
        if lane is not None:
            await lane.close()
    return sent
