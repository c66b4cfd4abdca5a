"""The scan pipeline: many domains at once over one resolver, one result per domain.

It owns concurrency, per-check error accounting and the SPF include cache; it
never prints and never touches the store (callers get each result through a
callback). Every domain costs four parallel queries (MX, TXT, _dmarc TXT,
_domainkey probe), plus DKIM selectors only when ``_domainkey`` exists, plus
SPF include targets that no earlier domain already fetched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .catalog import Catalog, classify, load_catalog
from .dns import dkim as dkim_mod
from .dns import dmarc as dmarc_mod
from .dns import spf as spf_mod
from .dns.resolver import NXDOMAIN, Answer, LookupFailure, Resolver, ResolverConfig, open_resolver
from .models import DkimInfo, DkimSelector, DomainResult, MxHost, ScanError, SpfInfo

MAX_SPF_DEPTH = 6
MAX_SPF_TARGETS = 40
SPF_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class ScanOptions:
    resolver: ResolverConfig = field(default_factory=ResolverConfig)
    concurrency: int = 500
    selectors: tuple[str, ...] = dkim_mod.DEFAULT_SELECTORS


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Scanner:
    """Scans single domains; shares the resolver and the SPF include cache between them."""

    def __init__(self, resolver: Resolver, options: ScanOptions, catalog: Catalog | None = None) -> None:
        self.resolver = resolver
        self.options = options
        self.catalog = catalog or load_catalog()
        self._spf_cache: dict[str, asyncio.Future] = {}

    @staticmethod
    def _answer(outcome, check: str, errors: list[ScanError]) -> Answer | None:
        if isinstance(outcome, LookupFailure):
            errors.append(ScanError(check=check, kind=outcome.kind, message=outcome.message))
            return None
        return outcome

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
            for target, res in zip(todo, results):
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
        for i, (sel, outcome) in enumerate(zip(selectors, answers)):
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
            for i, outcome in zip(dangling, cnames):
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
    async def scan(self, domain: str) -> DomainResult:
        errors: list[ScanError] = []
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

        dmarc = dmarc_mod.parse_txt(dmarc_a.records) if dmarc_a is not None else None
        raw = {
            "mx": [list(r) for r in mx],
            "txt": txts,
            "dmarc": dmarc_a.records if dmarc_a is not None else None,
            "dkim": {s.selector: s.cname for s in dkim.selectors},
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
                catalog=self.catalog,
            )
            provider, provider_name, gateway, evidence = c.provider, c.provider_name, c.gateway, c.evidence
        status = "failed" if mx_a is None else ("partial" if errors else "ok")
        return DomainResult(
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
            verifications=self.catalog.verifications(txts),
            evidence=evidence,
            errors=errors,
            raw=raw,
        )

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


async def scan_many(
    domains: Iterable[str],
    options: ScanOptions,
    on_result: Callable[[DomainResult], None],
    *,
    catalog: Catalog | None = None,
) -> int:
    """Scan every domain from ``domains`` (consumed lazily) with bounded concurrency.

    ``on_result`` runs in the event loop as each domain finishes. Returns the number
    of DNS queries sent. Cancelling the task stops new work and cancels in-flight scans.
    """
    resolver = await open_resolver(options.resolver)
    scanner = Scanner(resolver, options, catalog)
    limit = asyncio.Semaphore(max(1, options.concurrency))
    running: set[asyncio.Task] = set()
    failure: list[BaseException] = []

    def finished(task: asyncio.Task) -> None:
        running.discard(task)
        limit.release()
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            failure.append(exc)
            return
        on_result(task.result())

    try:
        for domain in domains:
            await limit.acquire()
            if failure:
                raise failure[0]
            task = asyncio.ensure_future(scanner.scan(domain))
            running.add(task)
            task.add_done_callback(finished)
        while running:
            await asyncio.wait(set(running))
        if failure:
            raise failure[0]
    finally:
        for task in list(running):
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        sent = getattr(resolver, "queries_sent", 0)
        await resolver.close()
    return sent
