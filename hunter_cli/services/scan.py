"""The scan service: one scan run from inputs to the store, and its typed summary.

A run owns the store's scan lock (``<real path>.lock``), the per-domain freshness
and cache decisions (``--max-age``, the tenant and registration caches), the
batched writer, the run's record in ``runs`` and its interruption: Ctrl-C and
SIGTERM stop the scan, store what was received, record the run as
``interrupted`` and give exit status 130 or 143. It prints nothing: what people
see comes from a :class:`ScanObserver` (progress, lock waits) and from the
renderers given the :class:`ScanSummary` it returns. `hunter scan`, `rescan`,
`prep` and `referrals sync` all run scans through :func:`run_scan`.
"""

from __future__ import annotations

import itertools
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..exits import ExitStatus
from ..facts import failed_check
from ..lead.view import result_tenant_label, tenant_not_asked
from ..said import Said, said_of

if TYPE_CHECKING:
    from ..inputs import ColumnHints, InputStats
    from ..models import DomainResult, Registration, ScanError
    from ..scan import ScanOptions
    from ..store.scanlock import Holder


class ScanRefused(Exception):
    """The run could not start (database unusable, another scan holds the lock, bad rules file), or was
    stopped by Ctrl-C before it started (waiting for a lock: ``code`` 130).

    Nothing was scanned or recorded; the message is one sentence for the user (exit status ``code``, 1).
    """

    def __init__(self, message: object, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class ScanObserver(Protocol):
    """What a run tells the person watching it; every method is optional in spirit (may do nothing)."""

    def waiting(self, seconds: float, pending: int = 0) -> None:
        """Another process has held the write lock for ``seconds``; ``pending`` results wait in memory."""

    def notice(self, text: str) -> None:
        """Something done besides the scan, e.g. the database upgraded in place at open."""

    def start(self, inputs: Sequence[str]) -> None:
        """The scan begins (after the lock and the run record)."""

    def advance(self) -> None:
        """One domain is done (scanned, or skipped as fresh)."""

    def stop(self) -> None:
        """The scan has ended (finished or not), before the last batch is stored."""


class SilentObserver:
    """An observer that shows nothing (prep's quiet rescan, tests, library callers)."""

    def waiting(self, seconds: float, pending: int = 0) -> None:
        return None

    def notice(self, text: str) -> None:
        return None

    def start(self, inputs: Sequence[str]) -> None:
        return None

    def advance(self) -> None:
        return None

    def stop(self) -> None:
        return None


# The questions every domain asks first (MX, apex TXT, _dmarc TXT): when all three got no answer
# (timeouts, refusals), the domain got no DNS answer at all.
_FIRST_QUESTIONS = ("mx", "txt", "dmarc")


@dataclass
class ScanTally:
    """Counts the summary needs, kept while results stream past."""

    scanned: int = 0
    fresh_skipped: int = 0
    status: Counter = field(default_factory=Counter)
    provider: Counter = field(default_factory=Counter)
    gateway: Counter = field(default_factory=Counter)
    error_kinds: Counter = field(default_factory=Counter)
    tenant: Counter = field(default_factory=Counter)
    category: Counter = field(default_factory=Counter)
    registrations: int = 0  # registration data fetched
    registration_unavailable: int = 0  # not found in the registry, or no registry service for the TLD
    registration_failures: int = 0  # the lookup failed (retried on the next run)
    registration_deferred: int = 0  # not asked this run: the lane's backlog was full (asked at the next scan)
    registration_left: int = 0  # asked, but not answered when the run ended (Ctrl-C; asked at the next scan)
    unscored_checks: tuple[str, ...] = ()  # the run's rules: checks whose failure leaves a domain unscored
    failed_domains: int = 0  # domains with at least one failed lookup
    no_answer: Counter = field(default_factory=Counter)  # failed domains with no DNS answer at all, by MX kind
    failed_mx: Counter = field(default_factory=Counter)  # failed domains by their MX lookup's kind (servfail, ...)
    no_answer_run: int = 0  # the latest domains, in a row, that got no DNS answer at all
    last_answer: float = field(default_factory=time.monotonic)  # when a domain last got a DNS answer
    nxdomain: int = 0  # domains that do not exist: not counted among providers
    failing: set = field(default_factory=set)  # domains whose latest attempt before this run failed too
    failed_again: int = 0  # of those, failed once more in this run
    checks_answered: bool | None = None  # the resolver's own check names all answered (None: not asked)
    sample_limit: int = 50
    _best: list = field(default_factory=list)  # (priority_order, arrival, result), up to twice the sample
    _arrival: Iterator[int] = field(default_factory=itertools.count)

    @property
    def network_unanswered(self) -> bool:
        """Whether the run's failures point at the network or the resolver rather than at the domains: every
        failed domain got no DNS answer at all (timeouts, unreachable, refused: ``no_answer``) and the resolver
        did not answer its own check names either (``checks_answered``, asked before the run). A SERVFAIL is an
        answer (RFC 1035 4.1.1, RCODE 2): a domain whose own name servers fail is not the network's fault."""
        failed = self.status.get("failed", 0)
        return not self.checks_answered and failed > 0 and sum(self.no_answer.values()) >= failed

    def add(self, r: DomainResult) -> None:
        self.scanned += 1
        self.status[r.status] += 1
        if r.status == "failed" and r.domain in self.failing:
            self.failed_again += 1
        if r.state == "nxdomain":
            self.nxdomain += 1
        else:
            # named as the results table names it (Lead.provider_label): "Natro 1", not "hosting 1"
            self.provider[r.provider_name if r.provider == "hosting" and r.provider_name else r.provider] += 1
        if r.gateway:
            self.gateway[r.gateway] += 1
        answered = True
        if r.errors:
            self.failed_domains += 1
            if r.status == "failed":  # the MX lookup failed: did the domain get any DNS answer at all?
                from ..dns.health import NO_ANSWER_KINDS

                kinds = {e.check: e.kind for e in r.errors if e.check in _FIRST_QUESTIONS}
                self.failed_mx[kinds.get("mx") or "error"] += 1
                if len(kinds) == len(_FIRST_QUESTIONS) and NO_ANSWER_KINDS.issuperset(kinds.values()):
                    self.no_answer[kinds["mx"]] += 1
                    answered = False
        if answered:
            self.no_answer_run, self.last_answer = 0, time.monotonic()
        else:
            self.no_answer_run += 1
        for e in r.errors:  # an MTA-STS policy fetch is counted as itself, not as a footprint lookup
            self.error_kinds[f"{failed_check(e.check, e.message)} {e.kind}"] += 1
        label = result_tenant_label(r)
        if label != "?" or not tenant_not_asked(r):  # not asked (--no-tenant, not in DNS): not counted as "?"
            self.tenant[label] += 1
        if r.category:
            self.category[r.category] += 1
        # The sample the table shows: the highest priority seen, not the first to finish (the quickest
        # are the domains that do not exist or take no mail). Cut back to the best when it doubles.
        self._best.append((priority_order(r), next(self._arrival), r))
        if len(self._best) >= 2 * self.sample_limit:
            self._best.sort()
            del self._best[self.sample_limit :]

    @property
    def sample(self) -> list[DomainResult]:
        """At most ``sample_limit`` scanned domains of the highest priority, in :func:`priority_order`."""
        return [r for _, _, r in sorted(self._best)[: self.sample_limit]]

    def add_registration(self, registration: Registration | None, error: ScanError | None) -> None:
        """Count one registration answer: fetched, unavailable (not found, no registry service) or failed."""
        if error is not None:
            self.registration_failures += 1
        elif registration is not None and registration.status == "ok":
            self.registrations += 1
        elif registration is not None:
            self.registration_unavailable += 1


@dataclass
class ScanSummary:
    """What one scan run did: its outcome and exit status, the counts, and any error.

    ``outcome`` is the run's record (``ok``, ``failed``, ``interrupted``,
    ``resolver_suspect``); ``code`` the exit status; ``error`` one sentence when
    the run failed (the renderer prints it); ``no_dns`` one sentence when the run
    ended but no scanned domain got a DNS answer (printed after the summary);
    ``stdout_closed`` when the reader of ``--json`` went away (``| head``).
    ``seconds`` includes any wait for another process's write lock.
    """

    outcome: str
    code: int
    tally: ScanTally
    stats: InputStats
    seconds: float
    error: str | None = None
    no_dns: str | None = None
    dns_stopped: bool = False  # the run stopped because DNS stopped answering (``no_dns`` says so)
    tenant_unreached: str | None = None  # one sentence when the sign-in service could not be reached
    all_failed: str | None = None  # one sentence when every scanned domain failed (exit ALL_FAILED), else None
    none_complete: str | None = None  # a warning when no domain ended ok, some partial and some failed
    terminated: bool = False
    stdout_closed: bool = False
    record: dict[str, Any] = field(default_factory=dict)
    lang: str = "en"  # the language its summary is printed in (the command's; docs/cli.md)
    rescan: bool = False  # the stored domains due (`hunter rescan`), not an input read: the summary says so
    total_lines: int | None = None  # an interrupted scan's inputs, lines in all (inputs.count_lines): None unknown

    @property
    def interrupted(self) -> bool:
        return self.code in (ExitStatus.INTERRUPTED, ExitStatus.TERMINATED)


_CATEGORY_ORDER = {c: i for i, c in enumerate(("P1", "P2", "P3", "P4", "P5", "P6"))}


def priority_order(r: DomainResult) -> tuple[int, int, str]:
    """Sort key of the scan table, best lead first: its category (P1 first), its score (highest
    first), then its domain a-z."""
    return (_CATEGORY_ORDER.get(r.category or "", 9), -(r.score or 0), r.domain)


def parse_nameservers(values: Iterable[str]) -> tuple[str, ...]:
    """``HOST[:PORT]`` values, each possibly comma-separated, checked; ValueError names a bad one."""
    from ..dns.resolver import parse_nameserver

    return tuple(parse_nameserver(part) for value in values for part in value.split(",") if part.strip())


def build_options(
    *,
    nameserver: Sequence[str] = (),
    timeout: float = 3.0,
    retries: int = 2,
    concurrency: int = 500,
    selectors: tuple[str, ...] | None = None,
    no_tenant: bool = False,
    fresh_tenant: bool = False,
    tenant_concurrency: int = 128,
    no_whois: bool = False,
    rules: str | None = None,
    registration_wait: float | None = None,
    registration_early: bool = False,
    quick: bool = False,
    processes: int | None = None,
) -> ScanOptions:
    """ScanOptions from command-line values and the environment (shared by scan, rescan, prep and referrals sync).

    Raises ValueError for a nameserver that is not ``HOST[:PORT]``.
    """
    from ..config import get
    from ..dns import dkim as dkim_mod
    from ..dns.resolver import ResolverConfig
    from ..scan import ScanOptions
    from ..scan_pool import default_processes
    from ..tenant.client import DEFAULT_BASE

    if not nameserver:  # callers without the option (referrals sync)
        nameserver = get("nameservers")
    return ScanOptions(
        resolver=ResolverConfig(nameservers=parse_nameservers(nameserver), timeout=timeout, retries=retries),
        concurrency=concurrency,
        selectors=selectors or dkim_mod.DEFAULT_SELECTORS,
        tenant=not no_tenant,
        tenant_cache=not fresh_tenant,
        tenant_url=get("ms_login_url") or DEFAULT_BASE,
        tenant_concurrency=tenant_concurrency,
        registration=not no_whois,
        registration_wait=registration_wait,
        registration_early=registration_early,
        rules_path=rules,
        rdap_url=get("rdap_url") or None,
        whois_host=get("whois_host") or None,
        footprint=not quick,
        mta_sts_port=get("mta_sts_port") or 443,
        processes=processes or get("scan_processes") or default_processes(),
        processes_given=processes is not None,
    )


def run_async(coro):
    """Run on uvloop where it is installed (not on Windows): it halves the event loop's overhead."""
    import asyncio
    import gc

    # The scan makes millions of short-lived objects and few cycles: collecting
    # less often cut the CPU per domain by about a tenth (docs/performance.md).
    # The collector is on while the loop runs, also under a command that started
    # without it (`prep`: cli/lazygroup.py), and as it was afterwards.
    thresholds = gc.get_threshold()
    enabled = gc.isenabled()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    gc.enable()
    try:
        try:
            import uvloop
        except ImportError:
            return asyncio.run(coro)
        return uvloop.run(coro)
    finally:
        if not enabled:
            gc.disable()
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def scan_lock_holder(path: Path):
    """None when no scan holds the lock on the store at ``path`` now, else what holds it
    (a :class:`hunter_cli.store.scanlock.Holder`; prep's check before a rescan)."""
    from ..store.scanlock import lock_free

    return lock_free(path)


def run_scan(
    inputs: Sequence[str],
    path: Path,
    options: ScanOptions,
    *,
    fresh_since: str | None,
    hints: ColumnHints | None = None,
    observer: ScanObserver | None = None,
    emit: Callable[[list[str]], None] | None = None,
    holder: Holder | None = None,
    lock_wait: float | None = None,
) -> ScanSummary:
    """Scan ``inputs`` into the store at ``path``; the run's summary (docs/cli.md for the exit statuses).

    ``fresh_since`` (ISO time) skips domains fully scanned since then. ``emit``, when
    given, receives the JSON text of each batch of results right after the
    transaction that stores it has committed (in the writer thread), so nothing
    emitted is ever missing from the store. SIGTERM is handled like Ctrl-C: what was
    received is stored, the run is recorded ``interrupted`` and the status is 143.
    ``holder`` says what this run is (a bulk scan by default; a prep of one domain, a rescan) to
    another command that finds the scan lock taken. While a prep holds the lock, the run waits for
    it up to ``lock_wait`` seconds (default HUNTER_DB_WAIT, else 600 s), saying so on the observer
    after a second; a bulk scan, a rescan or a vacuum holding it refuses the run at once.
    Raises :class:`ScanRefused` when the run cannot start; an unexpected exception
    (a bug) propagates after the run is recorded as failed with its cause.
    """
    import signal
    import sqlite3
    from datetime import timedelta

    from .. import store
    from ..dns.health import ResolverStopped, ResolverSuspect, ResolverUnreachable
    from ..durations import ago_iso
    from ..inputs import ColumnHints, InputError, InputStats, leads
    from ..scan import ScanJob, scan_many
    from ..scan_pool import WorkerLost
    from ..scoring import RulesError, load_rules
    from ..store.scanlock import Holder, LockTaken, ScanLock

    started = time.monotonic()  # the run's time includes any wait for another process's write lock
    watch: ScanObserver = observer or SilentObserver()
    on_wait = watch.waiting

    # A bad rules file is a fatal error before anything starts (no lock, no run, no client opened).
    try:
        load_rules(options.rules_path)
    except RulesError as exc:
        from ..config import get as get_setting
        from .rules_file import invalid

        raise _refused(invalid(exc, options.rules_path or get_setting("rules"))) from None
    try:
        # Writes on this connection (the run's record, crashed runs) wait in short slices,
        # report at 3 s and give up after HUNTER_DB_WAIT, like the writer's batches.
        conn = store.connect(path, write=True, on_wait=on_wait, wait_limit=store.write_wait_limit())
    except store.StoreError as exc:
        raise _store_refused(exc, path) from None
    for text in conn.notices:
        watch.notice(text)
    # The lock belongs to the real file: a symlink or another spelling of the path
    # (./x/../hunter.db) names the same lock.
    lock = ScanLock(path, holder or Holder("scan"))
    told: list[Holder] = []

    def lock_wait_said(who: Holder, seconds: float) -> None:
        if seconds >= LOCK_WAIT_SAID and who not in told:  # once a holder, when the wait shows
            told.append(who)
            watch.notice(Said("cli.scan.lock_waiting", holder=who.said(), path=str(path)))

    try:
        lock.acquire(
            wait_limit=store.write_wait_limit() if lock_wait is None else lock_wait,
            on_wait=lock_wait_said,
        )
    except KeyboardInterrupt:  # Ctrl-C while another scan or a prep held the database: nothing began
        conn.close()
        raise _refused(Said("cli.scan.interrupted_waiting", path=str(path)), ExitStatus.INTERRUPTED) from None
    except LockTaken as exc:
        conn.close()
        raise _refused(Said("cli.scan.locked_by", holder=exc.holder.said(), path=str(path))) from None
    except OSError as exc:
        conn.close()
        raise _refused(Said("cli.scan.lock_file", path=str(path), why=exc.strerror or str(exc))) from None

    hints = hints or ColumnHints()
    retrying = fresh_since is not None or (holder is not None and holder.kind == "rescan")
    stats = InputStats()
    tally = ScanTally(unscored_checks=tuple(load_rules(options.rules_path).model.unscored_checks))
    tenant_since = ago_iso(timedelta(seconds=store.TENANT_TTL_SECONDS))
    registration_since = ago_iso(timedelta(seconds=store.REGISTRATION_TTL_SECONDS))

    def jobs(domains: list[str]):
        known_of = store.priors(conn, domains, fresh_since, tenant_since, registration_since)
        for domain in domains:
            known = known_of[domain]
            if known.fresh:
                tally.fresh_skipped += 1
                watch.advance()
                continue
            job = ScanJob(domain, cosell=known.cosell, had_mail=known.had_mail, recheck_tenant=not known.microsoft_seen)
            if known.failed_before and retrying:  # a nightly retry (rescan, --max-age) of a lead that failed
                tally.failing.add(domain)
            if options.tenant and options.tenant_cache and known.tenant_hit:  # --fresh-tenant: ask again
                job.tenant = known.tenant
            if known.registration is not None or not options.registration:
                job.registration = known.registration
            yield job

    def source():
        # For a long list what the store knows is read for PRIOR_BATCH domains at once (one query, not
        # one each); a short one (or standard input, typed at a terminal) is never held back for more.
        size = PRIOR_BATCH if bulk else 1
        batch: list[str] = []
        for lead in leads(inputs, stats, hints):
            if lead.company:
                writer.put_lead(lead.domain, lead.company)
            if lead.duplicate:
                continue
            batch.append(lead.domain)
            if len(batch) >= size:
                yield from jobs(batch)
                batch = []
        yield from jobs(batch)

    try:
        # Runs left unfinished by a scan that is gone (kill -9, power cut): we hold the
        # scan lock, so no live scan owns them.
        store.with_write_retry(lambda: store.mark_crashed_runs(conn, ("scan",)), path, on_wait)
        run_id = store.with_write_retry(lambda: store.start_run(conn, "scan"), path, on_wait)
        rules_digest = load_rules(options.rules_path).digest
        store.with_write_retry(lambda: store.claim_rules(conn, rules_digest), path, on_wait)
    except store.StoreError as exc:  # the lock held too long, or Ctrl-C while waiting for it (StoreInterrupted)
        conn.close()
        lock.release()
        raise _store_refused(exc, path) from None
    except KeyboardInterrupt:  # Ctrl-C while another process held the write lock: nothing was scanned
        conn.close()
        lock.release()
        raise _refused(Said("cli.scan.interrupted_waiting", path=str(path)), ExitStatus.INTERRUPTED) from None
    bulk = _bulk(inputs)
    writer = store.ResultWriter(path, run_id, on_stored=emit, on_wait=on_wait, process=bulk)

    dead_after = dns_dead_after()

    def on_result(result, text: str | None = None) -> None:
        writer.put(result, text if text is not None else result.model_dump_json())
        tally.add(result)
        watch.advance()
        if dead_after and tally.no_answer_run >= DEAD_RUN and time.monotonic() - tally.last_answer >= dead_after:
            raise _stopped(tally, options.resolver.nameservers, time.monotonic() - tally.last_answer)

    def on_registration(domain, registration, error) -> None:
        try:
            writer.put_registration(domain, registration, error)
        except (store.StoreError, BrokenPipeError):
            return  # the writer has stopped; on_result stops the scan and the summary says what was lost
        tally.add_registration(registration, error)

    def on_deferred(domain: str) -> None:
        tally.registration_deferred += 1

    def on_left(domain: str) -> None:
        tally.registration_left += 1

    terminated = [False]

    def on_sigterm(signum, frame) -> None:
        # Outside the event loop (before it starts, while the last batch is stored): note it.
        terminated[0] = True

    previous_sigterm = _install(signal.SIGTERM, on_sigterm)
    unexpected = None
    outcome = "failed"
    code: int = ExitStatus.FATAL
    error_message = None
    no_dns = None
    all_failed = None
    dns_stopped = False
    stdout_closed = False
    record: dict[str, Any] = {}
    elapsed = 0.0
    try:
        watch.start(inputs)
        processes = options.processes if bulk or options.processes_given else 1
        options = replace(options, store_path=str(path))  # MTA-STS policies fetched before are read from it
        finished = run_async(
            _until_sigterm(
                scan_many(
                    source(),
                    options,
                    on_result,
                    on_registration=on_registration,
                    on_registration_deferred=on_deferred,
                    on_registration_left=on_left,
                    processes=processes,
                    behind=writer.behind,
                    on_checks=lambda answered: setattr(tally, "checks_answered", answered),
                ),
                terminated,
            )
        )
        _install(signal.SIGTERM, on_sigterm)  # the loop put back the default handler
        if not finished:
            raise KeyboardInterrupt
        outcome, code = "ok", ExitStatus.OK
        no_dns = _no_dns(tally, options.resolver.nameservers)
        if no_dns is not None:
            outcome, code = "failed", ExitStatus.NO_DNS
        elif holder is None or holder.kind in ("scan", "rescan"):  # prep and referrals sync say it their own way
            all_failed = _all_failed(tally, options.resolver.nameservers)
            if all_failed is not None:
                outcome, code = "failed", ExitStatus.ALL_FAILED
    except KeyboardInterrupt:
        outcome, code = "interrupted", ExitStatus.INTERRUPTED
    except InputError as exc:
        outcome, code, error_message = "failed", ExitStatus.FATAL, str(exc)
    except BrokenPipeError:
        outcome, code, stdout_closed = "interrupted", ExitStatus.PIPE, True
    except store.StoreError as exc:
        outcome, code, error_message = "failed", ExitStatus.FATAL, said_of(exc)
    except ResolverSuspect as exc:
        outcome, code, error_message = "resolver_suspect", ExitStatus.RESOLVER, said_of(exc)
    except WorkerLost as exc:  # killed from outside, out of memory
        outcome, code, error_message = "failed", ExitStatus.FATAL, str(exc)
    except ResolverUnreachable as exc:  # before the first domain: nothing was scanned
        outcome, code, error_message = "failed", ExitStatus.NO_DNS, said_of(exc)
    except ResolverStopped as exc:  # mid-run: what was scanned is stored, the rest waits for the next run
        outcome, code, no_dns, dns_stopped = "interrupted", ExitStatus.NO_DNS, said_of(exc), True
    except sqlite3.Error as exc:  # reading what is stored (damage found mid-way, I/O error)
        outcome, code, error_message = "failed", ExitStatus.FATAL, said_of(store.store_error(exc, path))
    except Exception as exc:
        # A bug: the traceback still shows, but the run is recorded as failed with its cause, never as ok.
        unexpected = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        _install(signal.SIGTERM, on_sigterm)
        watch.stop()
        try:
            writer.close()
        except store.StoreError as exc:
            outcome, code = "failed", ExitStatus.FATAL
            # the writer's error usually stopped the scan already (put raised it): said once, not twice
            before = error_message if error_message and error_message != said_of(exc) else None
            lost = Said(
                "cli.scan.unstored_printed" if emit is not None else "cli.scan.unstored",
                error=said_of(exc),
                results=writer.stats.unstored,
                other=writer.stats.unstored_other,
            )
            error_message = Said("cli.scan.and_then", first=before, then=lost) if before else lost
        if writer.output_error is not None and outcome in ("ok", "failed") and not error_message:
            # stdout closed (| head) but the run went on to the end and stored every result: it keeps its
            # outcome (trial 23: "interrupted" with everything stored read as if something was left undone)
            code, stdout_closed = ExitStatus.PIPE, True
        if terminated[0] and outcome == "interrupted":
            code = ExitStatus.TERMINATED
        elapsed = time.monotonic() - started
        record = {
            "scanned": tally.scanned,
            "stored": writer.stats.written,
            "status": dict(tally.status),
            "fresh_skipped": tally.fresh_skipped,
            "input_lines": stats.lines,
            "accepted": stats.accepted,
            "duplicates": stats.duplicates,
            "skipped": stats.skipped_counts,
            "unreadable": stats.unreadable,
            "seconds": round(elapsed, 2),
        }
        if outcome == "resolver_suspect":
            record["resolver_suspect"] = error_message
        if terminated[0]:
            record["signal"] = "SIGTERM"
        if stdout_closed:  # the reader of --json left (| head): said beside what was stored
            record["output_closed"] = True
        if writer.stats.waited:
            record["lock_waited_seconds"] = round(writer.stats.waited, 1)
        if writer.stats.unstored or writer.stats.unstored_other:
            record["unstored"] = writer.stats.unstored
            record["unstored_other"] = writer.stats.unstored_other
        if (error_message or unexpected or no_dns or all_failed) and outcome != "resolver_suspect":
            record["error"] = error_message or unexpected or no_dns or all_failed
        patience = max(store.write_wait_limit(), 10.0)  # the run's record is worth a little more patience
        conn.wait_limit = patience
        try:
            store.with_write_retry(
                lambda: store.finish_run(conn, run_id, outcome, record), path, on_wait, limit=patience
            )
        except store.StoreError as exc:
            error_message = (error_message + "; " if error_message else "") + f"the run could not be recorded: {exc}"
            code = code or ExitStatus.FATAL
        finally:
            conn.close()
            lock.release()
            _install(signal.SIGTERM, previous_sigterm)
        _log_end(outcome, code, tally, writer.stats.written)
    return ScanSummary(
        outcome=outcome,
        code=code,
        tally=tally,
        stats=stats,
        seconds=elapsed,
        error=error_message,
        no_dns=no_dns,
        dns_stopped=dns_stopped,
        tenant_unreached=_tenant_unreached(tally, options.tenant_url) if options.tenant else None,
        all_failed=all_failed,
        none_complete=_none_complete(tally) if code == ExitStatus.OK else None,
        terminated=terminated[0],
        stdout_closed=stdout_closed,
        record=record,
    )


def _tenant_unreached(tally: ScanTally, url: str) -> str | None:
    """A warning when Microsoft's sign-in service (``url``) gave no answer for some domains: no connection
    ("could not be reached"), or a connection and no answer in time ("did not answer in time"), each said as
    what it was; their tenant is unknown, not absent, and is asked again on the next run. An HTTP error is an
    answer and not counted here (docs/tenant.md)."""
    unreached, unanswered = tally.error_kinds["tenant unreachable"], tally.error_kinds["tenant timeout"]
    if not unreached and not unanswered:
        return None
    from ..said import Said

    if not unreached:  # it took the connections and never answered: not "could not be reached" (trial 23)
        return Said("cli.scan.tenant_timeout." + ("one" if unanswered == 1 else "many"), n=unanswered, url=url)
    if unanswered:
        return Said("cli.scan.tenant_unreached_or_slow", n=unreached, slow=unanswered, url=url)
    return Said("cli.scan.tenant_unreached." + ("one" if unreached == 1 else "many"), n=unreached, url=url)


def _refused(message: object, code: int = 1) -> ScanRefused:
    """The :class:`ScanRefused` to raise for a run that never started, after the log's last line for it
    (``--log-file``, cron), as :func:`_log_end` ends a run that did: ``run ended interrupted (exit 130): ...``
    for Ctrl-C while it waited, ``run ended failed (exit 1): <why, in English>`` otherwise."""
    import logging

    from ..said import in_lang

    outcome = "interrupted" if code == ExitStatus.INTERRUPTED else "failed"
    logging.getLogger("hunter.scan").info("run ended %s (exit %d): %s", outcome, int(code), in_lang(message, "en"))
    return ScanRefused(message, code)


def _store_refused(exc: Exception, path: object) -> ScanRefused:
    """:func:`_refused` for a store error before the run started; Ctrl-C while waiting for another process's
    write lock (``StoreInterrupted``) is the scan's "interrupted while waiting ...: nothing was scanned" (130)."""
    from .. import store

    if isinstance(exc, store.StoreInterrupted):
        return _refused(Said("cli.scan.interrupted_waiting", path=str(path)), ExitStatus.INTERRUPTED)
    return _refused(said_of(exc))


def _log_end(outcome: str, code: int, tally: ScanTally, stored: int) -> None:
    """The log's last line for a run (``--log-file``, cron): how it ended, with the domains by status, e.g.
    ``run ended failed (exit 7): 4 domains scanned, 4 stored: ok 0, partial 0, failed 4``."""
    import logging

    counts = ", ".join(f"{k} {tally.status.get(k, 0)}" for k in ("ok", "partial", "failed"))
    logging.getLogger("hunter.scan").info(
        "run ended %s (exit %d): %d domains scanned, %d stored: %s", outcome, int(code), tally.scanned, stored, counts
    )


def _all_failed(tally: ScanTally, nameservers: Sequence[str]) -> str | None:
    """Why a run that ended counts as failed when every scanned domain failed (none ``ok`` or ``partial``) but
    some got a DNS answer (else :func:`_no_dns`): a resolver that answers SERVFAIL to everything (a forwarder
    whose upstream is gone: its own check names fail too, ``tally.checks_answered``), or a list of dead domains.
    Each failure is stored, never replaces a stored result,
    and is asked again on the next run; the exit status (ALL_FAILED) and this sentence tell cron so. None when
    every one of them had failed on its previous attempt too and the run retries (`rescan`, `--max-age`): a
    nightly retry of a lead whose DNS is broken for good would otherwise alarm cron every night (trial 25)."""
    failed = tally.status.get("failed", 0)
    if not tally.scanned or failed < tally.scanned:
        return None
    if tally.failed_again == failed:  # only leads that failed last time too, retried (rescan): no news for cron
        return None
    from ..facts import failure_part

    why = Said("cli.list", items=[failure_part("mx", k) for k, _ in tally.failed_mx.most_common(3)])
    hint: Said | str = ""
    if set(tally.failed_mx) == {"servfail"} and failed > 1:
        who = ", ".join(nameservers) or Said("cli.dns.system_resolver")
        # a resolver whose upstream is gone fails its own check names too; one that answered them works, and
        # the SERVFAILs are these domains' (their name servers down or lame), or the resolver's for them only
        key = "cli.scan.all_failed.servfail" + (".checks_answered" if tally.checks_answered else "")
        hint = Said(key, who=who)
    key = "cli.scan.all_failed." + ("one" if failed == 1 else "many")
    return Said(key, n=failed, why=why, hint=hint)


def _none_complete(tally: ScanTally) -> str | None:
    """A warning when no scanned domain was fully answered (``ok`` 0) and some failed while others were
    partial (a lossy network: nothing was refreshed completely); None otherwise. The run's status stays 0:
    what the partial scans read is stored."""
    partial, failed = tally.status.get("partial", 0), tally.status.get("failed", 0)
    if tally.status.get("ok", 0) or not partial or not failed:
        return None
    if tally.network_unanswered:  # lookups got no answer at all: the network (or the resolver) is the suspect
        return Said(
            "cli.scan.none_complete", partial=partial, failed=failed, hint=Said("cli.scan.none_complete.network")
        )
    # the resolver answered: name what failed (SERVFAIL, a timeout at their name), never blame the network (trial 30)
    from ..facts import failure_part

    why = Said("cli.list", items=[failure_part("mx", k) for k, _ in tally.failed_mx.most_common(3)])
    return Said(
        "cli.scan.none_complete", partial=partial, failed=failed, hint=Said("cli.scan.none_complete.own_dns", why=why)
    )


def _no_dns(tally: ScanTally, nameservers: Sequence[str]) -> str | None:
    """Why the run counts as failed when not one scanned domain got a DNS answer to its MX, TXT or
    DMARC question (timeouts, refusals: the resolver stopped answering), else None. Each such domain
    is stored as a failure, which never replaces a stored result, and is asked again on the next run."""
    failed = sum(tally.no_answer.values())
    if not tally.scanned or failed < tally.scanned:
        return None
    from ..dns.health import NO_ANSWER_KINDS, either

    how = either([Said(f"cli.dns.no_dns.{k}") if k in NO_ANSWER_KINDS else k for k, _ in tally.no_answer.most_common()])
    who = ", ".join(nameservers) or Said("cli.dns.system_resolver")
    return Said(
        f"cli.dns.no_dns.{'one' if failed == 1 else 'two' if failed == 2 else 'many'}", how=how, who=who, n=failed
    )


LOCK_WAIT_SAID = 1.0  # a run waiting for a prep's scan lock says so after this many seconds
# A run stops when this many domains in a row got no DNS answer at all and none got one for
# `dns_dead_after` seconds (default DNS_DEAD_AFTER): the resolver has gone, and going on would only
# record failures (each asked again on the next run) for hours on a long list.
DEAD_RUN = 50
DNS_DEAD_AFTER = 60.0


def dns_dead_after() -> float:
    """Seconds with no DNS answer after which a run stops (setting ``dns_dead_after``; 0: never)."""
    from ..config import checked

    value = checked("dns_dead_after")
    return DNS_DEAD_AFTER if value is None else float(value)


def _stopped(tally: ScanTally, nameservers: Sequence[str], seconds: float):
    """The :class:`hunter_cli.dns.health.ResolverStopped` a run raises when DNS stopped answering."""
    from ..dns.health import NO_ANSWER_KINDS, ResolverStopped, either

    how = either([Said(f"cli.dns.no_dns.{k}") if k in NO_ANSWER_KINDS else k for k, _ in tally.no_answer.most_common()])
    return ResolverStopped(tally.no_answer_run, seconds, how, list(nameservers))


PRIOR_BATCH = 256  # domains whose stored state is read in one query
BULK_INPUT_BYTES = 16_384  # input files this large (about 800 domains) get the writer process and scan workers
BULK_DOMAINS = 800  # as many domains given as names (rescan, referrals sync)


def _bulk(inputs: Iterable[str]) -> bool:
    """A list big enough for a writer process and scan workers to pay back their start-up (about 0.2 s
    of CPU each): input files of 16 KiB or more, or 800 domains given by name."""
    import stat
    import sys

    size = 0
    for arg in inputs:
        try:
            if arg == "-":  # standard input redirected from a file has a size; a pipe's is not known
                st = os.fstat(sys.stdin.fileno())
                size += st.st_size if stat.S_ISREG(st.st_mode) else 0
            elif os.path.isfile(arg):
                size += os.path.getsize(arg)
            else:  # a domain given by name
                size += BULK_INPUT_BYTES // BULK_DOMAINS
        except (OSError, ValueError, AttributeError):  # a closed standard input (sys.stdin None, or closed)
            continue
    return size >= BULK_INPUT_BYTES


async def _until_sigterm(coro, terminated: list[bool]) -> bool:
    """Run ``coro``; SIGTERM cancels it as Ctrl-C would. True when it finished, False when stopped.

    systemd and cron stop jobs with SIGTERM. The loop's own signal handler cancels the
    scan's task, so the scan stops where it awaits (in-flight lookups are cancelled,
    nothing is half-handled) and every result already received still reaches the store.
    """
    import asyncio
    import signal

    if terminated[0]:
        coro.close()
        return False
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(coro)

    def stop() -> None:
        terminated[0] = True
        task.cancel()

    try:
        loop.add_signal_handler(signal.SIGTERM, stop)
    except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
        pass
    try:
        await task
        return True
    except asyncio.CancelledError:
        if terminated[0]:
            return False
        raise
    finally:
        try:
            loop.remove_signal_handler(signal.SIGTERM)
        except (NotImplementedError, RuntimeError, ValueError):
            pass


def _install(signum, handler):
    """Set a signal handler from the main thread; returns the previous one (None elsewhere)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or handler is None:
        return None
    try:
        return signal.signal(signum, handler)
    except (ValueError, OSError):
        return None
