"""The one place that talks DNS on the wire.

The scan asks :class:`Resolver` for one record type at one name and gets back an
:class:`Answer` (records, NXDOMAIN or NODATA: all real answers) or a
:class:`LookupFailure` (timeout, SERVFAIL, refused: *not* an answer). Keeping
those apart is the point of this module: a failure must never read as "no record".

The transport is c-ares (through pycares), chosen by measurement: it multiplexes
thousands of queries over a few sockets, falls back to TCP on truncation and fails
over between nameservers in C, which is several times faster than dnspython's
stock async resolver (see docs/performance.md). The event-loop glue is the
socket-state callback, so results arrive in the loop thread without a thread hop.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from dataclasses import dataclass, field, replace
from typing import Protocol

import pycares

NOERROR = "noerror"
NXDOMAIN = "nxdomain"
NODATA = "nodata"

_TYPES = {
    "A": pycares.QUERY_TYPE_A,
    "AAAA": pycares.QUERY_TYPE_AAAA,
    "MX": pycares.QUERY_TYPE_MX,
    "TXT": pycares.QUERY_TYPE_TXT,
    "CNAME": pycares.QUERY_TYPE_CNAME,
    "NS": pycares.QUERY_TYPE_NS,
    "SOA": pycares.QUERY_TYPE_SOA,
    "SRV": pycares.QUERY_TYPE_SRV,
}
_TYPE_NAMES = {v: k for k, v in _TYPES.items()}

_E = pycares.errno
log = logging.getLogger("hunter.dns")
# c-ares error -> (our failure kind, retry?)
_FAILURES = {
    _E.ARES_ETIMEOUT: ("timeout", True),
    _E.ARES_ESERVFAIL: ("servfail", False),
    _E.ARES_EREFUSED: ("refused", False),
    _E.ARES_ECONNREFUSED: ("unreachable", True),
    _E.ARES_EBADRESP: ("bad-response", False),
    _E.ARES_EFORMERR: ("formerr", False),
    _E.ARES_ENOTIMP: ("notimp", False),
    _E.ARES_EOF: ("unreachable", True),
}


@dataclass(slots=True)
class Answer:
    """A real answer. ``rcode`` is noerror, nxdomain or nodata.

    ``records`` hold the data of the asked type: ``(preference, host)`` for MX,
    ``str`` for TXT (character-strings joined), host name for CNAME/NS, address for A,
    ``(priority, weight, port, target)`` for SRV (RFC 2782; target ``"."`` when declined).
    ``cnames`` lists the CNAME chain met on the way, as ``(owner, target)``; for a CNAME question, the
    hops after the asked name's own alias that a resolver added (most answer with that alias alone).
    """

    rcode: str
    records: list = field(default_factory=list)
    cnames: list = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return self.rcode != NXDOMAIN


# Failure kinds that are faults of the zone, not of the network: every resolver gets the same on every try.
PERMANENT_KINDS = frozenset({"cname-loop"})


class LookupFailure(Exception):
    """The resolver did not give an answer: timeout, SERVFAIL, REFUSED, ..."""

    def __init__(self, kind: str, name: str, rtype: str, detail: str = "") -> None:
        self.kind = kind
        self.name = name
        self.rtype = rtype
        self.detail = detail
        message = f"{rtype} {name}: {kind}" + (f" ({detail})" if detail else "")
        super().__init__(message)
        self.message = message

    @property
    def permanent(self) -> bool:
        """A fault of the zone (a CNAME loop, a chain past MAX_CNAME_CHAIN hops): asking again cannot help,
        so it is a finding about the record asked for, not a lookup to retry (RFC 1034 3.6.2)."""
        return self.kind in PERMANENT_KINDS


class Resolver(Protocol):
    async def query(self, name: str, rtype: str) -> Answer: ...

    async def query_many(self, questions: list[tuple[str, str]]) -> list[Answer | LookupFailure]: ...

    async def loop_behind(self, failure: LookupFailure) -> LookupFailure: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ResolverConfig:
    nameservers: tuple[str, ...] = ()  # "host", "host:port", "[v6]:port"; empty = system resolver
    timeout: float = 3.0
    retries: int = 2  # after a timeout, ask again for up to retries * timeout seconds (see AresResolver._retrying)
    backoff: float = 0.25  # unused since the adaptive retry timeout; kept for callers that set it


def _decode_txt(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _convert(result, rtype_code: int) -> Answer:
    records: list = []
    cnames: list = []
    asked_alias = None  # a CNAME question: the owner of the answer's first CNAME, the name asked
    for rr in result.answer:
        t = rr.type
        d = rr.data
        if t == rtype_code:
            if t == pycares.QUERY_TYPE_MX:
                records.append((d.priority, d.exchange.rstrip(".").lower()))
            elif t == pycares.QUERY_TYPE_TXT:
                records.append(_decode_txt(d.data))
            elif t == pycares.QUERY_TYPE_CNAME:
                # RFC 1034 4.3.2 3a: the asked name's alias alone; a resolver that adds the rest of the chain
                # gives it as the hops met on the way (cnames), never as more records of the asked name
                owner = rr.name.rstrip(".").lower()
                asked_alias = asked_alias or owner
                if owner == asked_alias:
                    records.append(d.cname.rstrip(".").lower())
                else:
                    cnames.append((owner, d.cname.rstrip(".").lower()))
            elif t == pycares.QUERY_TYPE_NS:
                records.append(d.nsdname.rstrip(".").lower())
            elif t == pycares.QUERY_TYPE_SRV:
                # RFC 2782; a target of "." (the root) says the service is not available there
                records.append((d.priority, d.weight, d.port, d.target.rstrip(".").lower() or "."))
            elif t == pycares.QUERY_TYPE_SOA:
                records.append(d.mname.rstrip(".").lower())
            else:
                records.append(d.addr)
        elif t == pycares.QUERY_TYPE_CNAME:
            cnames.append((rr.name.rstrip(".").lower(), d.cname.rstrip(".").lower()))
    return Answer(NOERROR if records else NODATA, records, cnames)


_ARES_OPT_QUERY_CACHE = 1 << 21  # ares.h; pycares does not export it
_ARES_OPT_MAXTIMEOUTMS = 1 << 20  # ares.h: the most c-ares' own adaptive timeout may reach


@contextlib.contextmanager
def _query_cache_off(max_timeout: float | None = None):
    """Create c-ares channels with its answer cache disabled.

    c-ares (>= 1.23) keeps every answer for up to an hour. A bulk scan asks each
    name once, so the cache only grows: about 1.5 KB per answer, 11 answers per
    domain, which took a 100,000-domain scan past 300 MB. pycares offers no
    option for it, so the options struct is amended on its way into
    ``ares_init_options`` while the channel is built.

    ``max_timeout`` (seconds) caps the per-try timeout c-ares computes from the
    round trips it has seen (five times their average, at least 250 ms, else at
    most 5 s), so it never waits longer than ``--timeout`` for one answer.
    """
    real = pycares._lib

    class _Lib:
        def __getattr__(self, name):
            return getattr(real, name)

        @staticmethod
        def ares_init_options(channel, options, optmask):
            options.qcache_max_ttl = 0
            if max_timeout is not None:
                options.maxtimeout = max(1, int(max_timeout * 1000))
                optmask |= _ARES_OPT_MAXTIMEOUTMS
            return real.ares_init_options(channel, options, optmask | _ARES_OPT_QUERY_CACHE)

    pycares._lib = _Lib()
    try:
        yield
    finally:
        pycares._lib = real


RTO_FLOOR = 0.05  # seconds, never ask again sooner: Unbound's infra-cache-min-rtt (samples hold the loop's delay)
RTO_INITIAL = 1.0  # seconds, before any answer was timed (RFC 6298 2.1), capped by the configured timeout
RTO_GRANULARITY = 0.01  # the G of RFC 6298 2.2-2.3: the loop's timer resolution
RTO_GROWTH = 1.5  # each further try of the same question waits this much longer (RFC 6298 5.5 doubles)


class RttEstimator:
    """How long to wait for a DNS answer before asking again: RFC 6298's SRTT and RTTVAR.

    :meth:`sample` takes the round-trip time (seconds) of an answered query
    (section 2.2/2.3, alpha 1/8, beta 1/4); :meth:`rto` is ``SRTT + max(G,
    4 RTTVAR)``, bounded by ``floor`` and ``ceiling`` (the configured
    ``--timeout``), and grows by :data:`RTO_GROWTH` for each try of the same
    question already timed out (section 5.5's back-off, gentler: a lossy
    network loses packets at random, and the budget bounds the tries anyway).
    """

    def __init__(self, ceiling: float, floor: float = RTO_FLOOR) -> None:
        self.ceiling = max(ceiling, 0.001)
        self.floor = min(floor, self.ceiling)
        self.srtt: float | None = None
        self.rttvar = 0.0
        self.samples = 0

    def sample(self, rtt: float) -> None:
        if self.srtt is None:
            self.srtt, self.rttvar = rtt, rtt / 2
        else:
            self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - rtt)
            self.srtt = 0.875 * self.srtt + 0.125 * rtt
        self.samples += 1

    def rto(self, tries: int = 0) -> float:
        """Seconds to wait for the answer to try number ``tries`` (0 for the first retry)."""
        base = RTO_INITIAL if self.srtt is None else self.srtt + max(RTO_GRANULARITY, 4 * self.rttvar)
        return min(self.ceiling, max(self.floor, base) * RTO_GROWTH**tries)


class _Channel:
    """One c-ares channel driven by the running asyncio loop (socket-state callback + a timer)."""

    rtt: RttEstimator | None = None  # when set, every answer's round-trip time is sampled into it

    def __init__(self, config: ResolverConfig, loop: asyncio.AbstractEventLoop, receive_buffer: int) -> None:
        self._loop = loop
        self._fds: dict[int, tuple[bool, bool]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._pending = 0
        with _query_cache_off(config.timeout):
            self._channel = pycares.Channel(
                sock_state_cb=self._sock_state,
                timeout=config.timeout,
                tries=1,
                flags=pycares.ARES_FLAG_NOSEARCH | pycares.ARES_FLAG_NOALIASES | pycares.ARES_FLAG_EDNS,
                socket_receive_buffer_size=receive_buffer,
                servers=list(config.nameservers) or None,
            )
        self._tick = max(0.05, min(0.5, config.timeout / 4))

    @property
    def servers(self) -> list[str]:
        try:
            return [str(s) for s in self._channel.servers]
        except pycares.AresError:
            return []

    def _sock_state(self, fd: int, readable: bool, writable: bool) -> None:
        loop = self._loop
        old = self._fds.get(fd, (False, False))
        if readable and not old[0]:
            loop.add_reader(fd, self._channel.process_read_fd, fd)
        elif not readable and old[0]:
            loop.remove_reader(fd)
        if writable and not old[1]:
            loop.add_writer(fd, self._channel.process_write_fd, fd)
        elif not writable and old[1]:
            loop.remove_writer(fd)
        if readable or writable:
            self._fds[fd] = (readable, writable)
        else:
            self._fds.pop(fd, None)

    def _arm_timer(self) -> None:
        if self._timer is None and self._pending:
            self._timer = self._loop.call_later(self._tick, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._channel.process_fd(pycares.ARES_SOCKET_BAD, pycares.ARES_SOCKET_BAD)
        self._arm_timer()

    def once(self, name: str, code: int) -> asyncio.Future:
        """Send one query; the future gets ``(result, errorno)`` (errorno None on success)."""
        fut = self._loop.create_future()
        sent = self._loop.time()

        def done(result, errorno, fut=fut):
            self._pending -= 1
            if errorno is None and self.rtt is not None:
                self.rtt.sample(self._loop.time() - sent)
            if not fut.done():
                fut.set_result((result, errorno))

        self._pending += 1
        try:
            self._channel.query(name, code, callback=done)
        except pycares.AresError as exc:  # bad name: c-ares refuses synchronously
            if not fut.done():
                self._pending -= 1
                fut.set_result((None, exc.args[0] if exc.args else _E.ARES_EBADNAME))
        self._arm_timer()
        return fut

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for fd, (r, w) in list(self._fds.items()):
            if r:
                self._loop.remove_reader(fd)
            if w:
                self._loop.remove_writer(fd)
        self._fds.clear()
        self._channel.cancel()
        self._channel.close()


def _settle(first: asyncio.Future, extra: asyncio.Future) -> None:
    """End the first try's future with an extra try's result, if that is an answer and nothing ended it yet."""
    result, errorno = extra.result()
    if not first.done() and errorno in _ANSWERED:
        first.set_result((result, errorno))


_ANSWERED = (None, _E.ARES_ENOTFOUND, _E.ARES_ENODATA)  # errorno of a real answer: records, NXDOMAIN, NODATA
_RETRY = object()  # a timeout with attempts left: ask again on the same channel, after a pause
_ISOLATE = object()  # an unparsable answer: ask again alone, on a channel of its own

MAX_CNAME_CHAIN = 16  # hops followed before a chain "does not end" (BIND's limit is 16 too)
CNAME_CHASE_AT = 8  # a resolver that stops at this many hops may have cut the chain short
ISOLATED_CHANNELS = 32  # channels open at once for questions asked alone


def cname_problem(name: str, cnames: list[tuple[str, str]]) -> str | None:
    """Why a CNAME chain in an answer with no data is not a real NODATA, or None when it is.

    A chain that comes back to a name already in it loops; such an answer is an
    error (RFC 1034 3.6.2: "CNAME chains should be followed and CNAME loops
    signalled as an error"), never "no record". ``cnames`` are ``(owner, target)``
    in answer order, ``name`` the queried name.
    """
    seen = {name.rstrip(".").lower()}
    for owner, target in cnames:
        seen.add(owner)
        if target in seen:
            return f"CNAME loop at {target}"
    return None


class AresResolver:
    """c-ares channel driven by the running asyncio loop.

    Questions go out on one shared channel. When c-ares cannot parse a response
    it ends every query on that connection with ``ARES_EBADRESP``, so one
    garbage-answering server (or a stray spoofed packet) would fail every
    domain in flight. Those questions are asked again, each alone on a fresh
    channel that is closed right after: collateral damage is undone, and the
    bad responder only fails its own question.
    """

    def __init__(self, config: ResolverConfig) -> None:
        self.config = config
        self._loop = asyncio.get_running_loop()
        self._main = _Channel(config, self._loop, 4 * 1024 * 1024)
        self.rtt = self._main.rtt = RttEstimator(config.timeout)
        self._retry_channels: list[_Channel] | None = None  # one per nameserver, opened at the first retry
        self._isolation = asyncio.Semaphore(ISOLATED_CHANNELS)
        self.queries_sent = 0
        self.isolated = 0  # questions asked again alone after a bad response
        self.hedged = 0  # first tries asked again before c-ares' own timeout (see _hedge)

    @property
    def servers(self) -> list[str]:
        """The nameservers asked, as ``host:port`` text (the system's when none were given)."""
        return list(self.config.nameservers) or self._main.servers

    def _once(self, name: str, code: int) -> asyncio.Future:
        self.queries_sent += 1
        return self._main.once(name, code)

    def _outcome(self, name: str, rtype: str, code: int, result, errorno, attempt: int):
        """Answer, LookupFailure, _RETRY or _ISOLATE."""
        if errorno is None:
            answer = _convert(result, code)
            if not answer.records and answer.cnames:
                problem = cname_problem(name, answer.cnames)
                if problem is not None:
                    return LookupFailure("cname-loop", name, rtype, problem)
            return answer
        if errorno == _E.ARES_ENOTFOUND:
            return Answer(NXDOMAIN)
        if errorno == _E.ARES_ENODATA:
            return Answer(NODATA)
        if errorno == _E.ARES_EBADRESP and attempt >= 0:
            return _ISOLATE
        kind, retry = _FAILURES.get(errorno, ("error", False))
        if retry and 0 <= attempt < self.config.retries:
            log.info("%s %s: %s; asking again (next nameserver first)", name, rtype, kind)
            return _RETRY
        log.info("%s %s: %s (%s)", name, rtype, kind, "no tries left" if retry else "not retried")
        return LookupFailure(kind, name, rtype, str(_E.strerror(errorno)) if kind == "error" else "")

    async def _isolated(self, name: str, rtype: str, code: int) -> Answer | LookupFailure:
        """Ask once more, alone, on a channel of its own; whatever comes back is final."""
        async with self._isolation:
            self.isolated += 1
            self.queries_sent += 1
            channel = _Channel(self.config, self._loop, 64 * 1024)
            try:
                result, errorno = await channel.once(name, code)
            finally:
                channel.close()
        out = self._outcome(name, rtype, code, result, errorno, -1)
        assert isinstance(out, Answer | LookupFailure)  # attempt -1: no retry, no isolation
        return out

    def _again(self, name: str, code: int, tries: int) -> asyncio.Future:
        """Send a retry of one question: try ``tries`` (0 first) goes to the next nameserver in turn.

        Each nameserver has a channel of its own for retries, so a retry never
        waits on the nameserver that just failed to answer when another is
        configured (the first retry goes to the second nameserver).
        """
        channels = self._retry_channels
        if channels is None:
            servers = list(self.config.nameservers) or self._main.servers
            configs = [replace(self.config, nameservers=(s,)) for s in servers] or [self.config]
            channels = self._retry_channels = [_Channel(c, self._loop, 1024 * 1024) for c in configs]
            for channel in channels:
                channel.rtt = self.rtt
        self.queries_sent += 1
        start = 1 if len(channels) > 1 else 0
        return channels[(start + tries) % len(channels)].once(name, code)

    async def _retrying(
        self, name: str, rtype: str, code: int, attempt: int, first: int = _E.ARES_ETIMEOUT
    ) -> Answer | LookupFailure:
        """Ask again after a timeout until an answer comes or ``retries * timeout`` seconds have passed.

        Each try waits the adaptive timeout (:class:`RttEstimator`: the round
        trips observed, not a fixed ``--timeout``, so a lost packet costs about
        one round trip, not 3 s) and goes to the next configured nameserver.
        Tries overlap: a late answer to an earlier try still counts. Failures
        that are not timeouts (SERVFAIL, REFUSED, ...) are final at once; a
        nameserver that refuses connections is asked again no sooner than the
        timeout. Only when no answer came within the budget is the question a
        failure (the last try's kind, ``timeout`` when none ended). One
        exception: before any nameserver has answered anything, a question that
        every configured nameserver refused (ICMP port unreachable: nothing
        listens there) fails at once as ``unreachable``, so a mistyped
        ``--nameserver`` is reported in a moment, not after the whole budget; a
        resolver that answered before and refuses now (restarting) is waited for.
        """
        loop = self._loop
        deadline = loop.time() + self.config.timeout * self.config.retries
        pending: set[asyncio.Future] = set()
        last_error = _E.ARES_ETIMEOUT
        tries = 0
        refusals = 1 if first == _E.ARES_ECONNREFUSED else 0  # ``first``: how the first try ended
        servers = max(1, len(self.config.nameservers) or len(self._main.servers))
        while (now := loop.time()) < deadline:
            pending.add(self._again(name, code, tries))
            round_end = min(deadline, now + self.rtt.rto(tries))
            tries += 1
            while pending and (left := round_end - loop.time()) > 0:
                done, pending = await asyncio.wait(pending, timeout=left, return_when=asyncio.FIRST_COMPLETED)
                for fut in done:
                    result, errorno = fut.result()
                    out = self._outcome(name, rtype, code, result, errorno, 0)  # 0: _RETRY for any retryable error
                    if out is _ISOLATE:
                        return await self._isolated(name, rtype, code)
                    if out is not _RETRY:
                        return out
                    last_error = errorno
                    refusals = refusals + 1 if refusals and errorno == _E.ARES_ECONNREFUSED else 0
            if refusals > servers and self.rtt.samples == 0:
                break  # every nameserver refused (the first twice) and none ever answered: nothing listens
            if not pending and (left := round_end - loop.time()) > 0:
                await asyncio.sleep(left)  # every try failed at once (refused): not again before the timeout
        out = self._outcome(name, rtype, code, None, last_error, -1)
        assert isinstance(out, LookupFailure)  # attempt -1 with a retryable error: a failure
        return out

    def _hedge(self, questions: list[tuple[str, str]], codes: list[int], futures: list[asyncio.Future]) -> None:
        """Ask once more every question of a batch still unanswered after the adaptive timeout.

        The first try's own timer is c-ares' (five times the average answer,
        250 ms at least, then jittered down to half), far longer than a round
        trip on a fast network; so a batch still waiting after
        :meth:`RttEstimator.rto` sends each missing question again, to the
        next nameserver when there is one. Whichever answer comes first ends
        the question (the original's callback finds its future done); the
        first try stays in flight, so a slow answer is never thrown away. Only
        answers end a question this way: a failure of the extra try leaves the
        first try's own outcome (and the retries after it) to decide.
        """
        for (name, rtype), code, fut in zip(questions, codes, futures, strict=True):
            if fut.done():
                continue
            self.hedged += 1
            log.info("%s %s: no answer yet; asking again (next nameserver first)", name, rtype)
            extra = self._again(name, code, 0)
            extra.add_done_callback(functools.partial(_settle, fut))

    async def _chase(self, name: str, rtype: str, code: int, answer: Answer) -> Answer | LookupFailure:
        """Follow a chain the resolver may have cut short, up to MAX_CNAME_CHAIN hops in all."""
        cnames = list(answer.cnames)
        while len(cnames) < MAX_CNAME_CHAIN:
            target = cnames[-1][1]
            (more,) = await self.query_many([(target, rtype)], chase=False)
            if isinstance(more, LookupFailure) or not more.cnames:
                if isinstance(more, Answer):
                    return Answer(more.rcode, more.records, cnames + more.cnames)
                return more
            cnames += more.cnames
            if len(cnames) > MAX_CNAME_CHAIN:  # this answer's hops took the chain past the limit
                return LookupFailure("cname-loop", name, rtype, f"CNAME chain longer than {MAX_CNAME_CHAIN} hops")
            problem = cname_problem(name, cnames)
            if problem is not None:
                return LookupFailure("cname-loop", name, rtype, problem)
            if more.records:
                return Answer(more.rcode, more.records, cnames)
        return LookupFailure("cname-loop", name, rtype, f"CNAME chain longer than {MAX_CNAME_CHAIN} hops")

    async def query_many(self, questions: list[tuple[str, str]], chase: bool = True) -> list[Answer | LookupFailure]:
        """Ask all questions at once; timeouts are asked again (``_retrying``), other failures returned.

        Questions whose response could not be parsed are asked again alone (see the
        class docstring); an answer whose CNAME chain loops is a ``cname-loop`` failure.
        """
        if log.isEnabledFor(logging.DEBUG):  # -vv: what was asked (one check per batch on the hot path)
            for name, rtype in questions:
                log.debug("asking %s %s", name, rtype)
        codes = [_TYPES[t] for _, t in questions]
        futures = [self._once(name, code) for (name, _), code in zip(questions, codes, strict=True)]
        hedge = None
        if self.config.retries and self.rtt.samples:  # before any answer was timed, c-ares' timer is as good
            hedge = self._loop.call_later(self.rtt.rto(), self._hedge, questions, codes, futures)
        out: list = []
        again: list[int] = []
        alone: list[int] = []
        first: dict[int, int] = {}  # how the first try of each question asked again ended (c-ares status)
        try:
            for i, ((name, rtype), code, fut) in enumerate(zip(questions, codes, futures, strict=True)):
                result, errorno = await fut
                outcome = self._outcome(name, rtype, code, result, errorno, 0)
                if outcome is _RETRY:
                    again.append(i)
                    first[i] = errorno
                elif outcome is _ISOLATE:
                    alone.append(i)
                out.append(outcome)
        finally:  # answered, or cancelled: no extra try after this
            if hedge is not None:
                hedge.cancel()
        if again or alone:  # retry together, not one after another
            retried = await asyncio.gather(
                *(self._retrying(*questions[i], codes[i], 1, first[i]) for i in again),
                *(self._isolated(*questions[i], codes[i]) for i in alone),
            )
            for i, outcome in zip(again + alone, retried, strict=True):
                out[i] = outcome
        if chase:
            for i, outcome in enumerate(out):
                if isinstance(outcome, Answer) and not outcome.records and len(outcome.cnames) >= CNAME_CHASE_AT:
                    out[i] = await self._chase(questions[i][0], questions[i][1], codes[i], outcome)
        return out

    async def loop_behind(self, failure: LookupFailure) -> LookupFailure:
        """``failure``, or a ``cname-loop`` failure when the SERVFAIL it reports hides a CNAME loop.

        Many recursive resolvers answer SERVFAIL for a CNAME chain that loops or runs
        longer than they follow, instead of returning the chain, so a permanent fault
        of the zone would read as a temporary one. A CNAME question is answered with
        the alias record itself, unchased (RFC 1034 4.3.2 step 3a), so the chain is
        followed one hop at a time, up to MAX_CNAME_CHAIN hops: a name met twice
        proves the loop; a name that is no alias, or a hop that fails too, leaves
        the SERVFAIL as it is. Other failures are returned unchanged, unasked.
        """
        if failure.kind != "servfail" or failure.rtype == "CNAME":
            return failure
        name = failure.name.rstrip(".").lower()
        cnames: list[tuple[str, str]] = []
        while len(cnames) < MAX_CNAME_CHAIN:
            owner = cnames[-1][1] if cnames else name
            (hop,) = await self.query_many([(owner, "CNAME")], chase=False)
            if not isinstance(hop, Answer) or not hop.records:
                return failure
            cnames.append((owner, hop.records[0]))
            problem = cname_problem(name, cnames)
            if problem is not None:
                log.info("%s %s: SERVFAIL hides a %s", name, failure.rtype, problem)
                return LookupFailure("cname-loop", failure.name, failure.rtype, problem)
        return LookupFailure(
            "cname-loop", failure.name, failure.rtype, f"CNAME chain longer than {MAX_CNAME_CHAIN} hops"
        )

    async def query(self, name: str, rtype: str) -> Answer:
        """One question; raises LookupFailure when there is no answer."""
        (outcome,) = await self.query_many([(name, rtype)])
        if isinstance(outcome, LookupFailure):
            raise outcome
        return outcome

    async def close(self) -> None:
        self._main.close()
        for channel in self._retry_channels or ():
            channel.close()


def parse_nameserver(text: str) -> str:
    """Validate ``HOST[:PORT]`` / ``[V6]:PORT`` and return it in c-ares' CSV form."""
    import ipaddress

    from ..said import Said

    s = text.strip()
    if not s:
        raise ValueError(Said("cli.nameserver.empty"))
    host, port = s, None
    if s.startswith("["):
        end = s.find("]")
        if end < 0:
            raise ValueError(Said("cli.nameserver.bracket", value=repr(text)))
        host, rest = s[1:end], s[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(Said("cli.nameserver.bad", value=repr(text)))
            port = rest[1:]
    elif s.count(":") == 1:
        host, port = s.split(":")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        # digits and dots (300.1.1.1), or hex and colons, are an address written wrong, not a host name
        looks_like_ip = bool(host) and (all(c.isdigit() or c == "." for c in host) or ":" in host)
        key = "cli.nameserver.bad_ip" if looks_like_ip else "cli.nameserver.name"
        raise ValueError(Said(key, value=repr(text))) from None
    if port is not None:
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(Said("cli.nameserver.port", value=repr(text)))
    if ip.version == 6:
        return f"[{ip}]:{port}" if port else str(ip)
    return f"{ip}:{port}" if port else str(ip)


async def open_resolver(config: ResolverConfig) -> Resolver:
    return AresResolver(config)
