"""One retry policy for every HTTP client: bounded tries, backoff with jitter, ``Retry-After`` honoured.

Partner Center, Dataverse, the tenant lookups and RDAP all retry through
:func:`call` (threads) or :func:`acall` (asyncio) with a :class:`Policy` from
this module, so how Hunter waits is written once and its numbers sit in one
table (docs/reliability.md). The waiting itself is `stamina
<https://stamina.hynek.me>`_ (over tenacity): exponential backoff with random
jitter, capped, and a test mode (``stamina.set_testing(True)``) in which no
test sleeps for real.

Rules, for every client:

* A client raises :class:`RetryableAnswer` for an HTTP status its policy
  retries (:meth:`Policy.check`) and names the transport errors worth another
  try (``transient``); anything else is final at once (a 400 is never retried).
* ``Retry-After`` (RFC 9110 section 10.2.3: delay-seconds or an HTTP-date) is
  waited exactly, when it is at most ``Policy.retry_after_max``; a server that
  asks for longer is not asked again early: the request fails at once, saying
  how long the server asked for.
* Without ``Retry-After``, the n-th retry waits
  ``min(wait_max, wait_initial * 2**(n-1) + uniform(0, wait_jitter))``.
* At most ``attempts`` tries in all; 429 answers may have their own budget
  (``throttle_retries``, Dataverse's service protection limits).

stamina (and tenacity under it, about 50 ms to import) is loaded on the first
retry only: a request answered at the first try costs neither the import nor
the 50 microseconds of setting up a retry context, which matters in the tenant
lane of a bulk scan.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger("hunter.retry")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait, or None when it is absent or unreadable.

    RFC 9110 section 10.2.3: ``delay-seconds`` (``1*DIGIT``) or an HTTP-date;
    a date in the past means 0. ``now`` (Unix time) is for tests.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 section 5.6.7: HTTP dates are UTC ("GMT")
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryableAnswer(Exception):
    """An HTTP answer worth asking again (429, 503, ...) under the policy that raised it.

    ``status`` is the HTTP status, ``retry_after`` the server's ``Retry-After``
    in seconds (None without one), ``detail`` what the client wants to say
    about the answer when the tries run out (already redacted). After the last
    try the caller gets this exception back with ``tries`` (how many were made)
    and ``refused_wait`` (set when the server asked to wait longer than the
    policy honours).
    """

    def __init__(self, status: int, retry_after: float | None = None, detail: str = "", service: str = "") -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after
        self.detail = detail or f"HTTP {status}"
        self.service = service
        self.tries = 0
        self.refused_wait: float | None = None

    def give_up_text(self, cap: float) -> str:
        """One sentence for the user: why Hunter stopped asking."""
        from .said import Said  # said in the command's language (messages cli.retry.*)

        who = self.service or Said("cli.retry.the_server")
        if self.refused_wait is not None:
            # whole seconds, as the service gives them (Retry-After is an integer: RFC 9110 10.2.3)
            seconds, most = round(self.refused_wait), round(cap)
            return Said("cli.retry.refused_wait", who=who, seconds=seconds, detail=self.detail, cap=most)
        return Said("cli.retry.kept_answering", who=who, detail=self.detail, tries=self.tries)


@dataclass(frozen=True)
class Policy:
    """How one service is retried. Times are seconds.

    ``statuses``: the HTTP statuses worth another try. ``attempts``: tries in
    all, the first included. ``throttle_retries``: when above 0, 429 answers
    are counted apart, with this many retries of their own. The jitter is
    ``wait_initial`` unless ``wait_jitter`` says otherwise.
    """

    service: str
    statuses: frozenset[int]
    attempts: int
    wait_initial: float
    wait_max: float
    retry_after_max: float
    throttle_retries: int = 0
    wait_jitter: float | None = None

    @property
    def jitter(self) -> float:
        return self.wait_initial if self.wait_jitter is None else self.wait_jitter

    def check(self, status: int, retry_after: str | None, detail: str = "") -> None:
        """Raise :class:`RetryableAnswer` when ``status`` is one this policy retries; else return."""
        if status in self.statuses:
            raise RetryableAnswer(status, parse_retry_after(retry_after), detail, self.service)


_SERVER_ERRORS = frozenset({500, 502, 503, 504})

# The numbers, in one place (docs/reliability.md has the same table).
PARTNER_CENTER = Policy(
    "Partner Center", frozenset({429, 503}), attempts=6, wait_initial=1.0, wait_max=60.0, retry_after_max=60.0
)
"""Referrals API: 429 and 503 only (any other error fails the sync, so no failure reads as "nothing new")."""

DATAVERSE = Policy(
    "Dynamics 365",
    frozenset({429}) | frozenset(range(500, 600)),
    attempts=5,
    wait_initial=1.0,
    wait_max=60.0,
    retry_after_max=300.0,
    throttle_retries=8,
)
"""Dataverse Web API ("Service protection API limits"): 5xx five tries, 429 eight more retries of its own."""

TENANT = Policy(
    "the Microsoft sign-in service",
    frozenset({429}) | _SERVER_ERRORS,
    attempts=4,
    wait_initial=0.5,
    wait_max=30.0,
    retry_after_max=30.0,
)
"""OpenID configuration and user realm lookups in a scan."""

RDAP = Policy(
    "the RDAP server",
    frozenset({429}) | _SERVER_ERRORS,
    attempts=3,
    wait_initial=0.5,
    wait_max=4.0,
    retry_after_max=10.0,
)
"""RDAP domain lookups: a short budget, since a failure is retried by a later run anyway."""


class Stopped(Exception):
    """The run was told to stop (Ctrl-C, :func:`stop_waiting`) while a request waited to be tried again."""


_stop = threading.Event()


def stop_waiting() -> None:
    """Cut short every wait of this process (a ``Retry-After``, a backoff, :func:`hold`), now and later: each
    raises :class:`Stopped` in the thread that waits. For Ctrl-C in a command whose workers are threads:
    they stop within the moment instead of sleeping out a server's ``Retry-After`` (trial 16)."""
    _stop.set()


def waiting_stopped() -> bool:
    return _stop.is_set()


def resume_waiting() -> None:
    """Undo :func:`stop_waiting` (a new run in the same process: the tests' in-process CLI)."""
    _stop.clear()


def _sleep(seconds: float) -> None:
    """The retries' sleep (tenacity's ``sleep``, in threads): ``seconds`` unless :func:`stop_waiting` was
    called before or meanwhile, then :class:`Stopped`. stamina's test mode asks for 0 s."""
    if _stop.wait(seconds) if seconds > 0 else _stop.is_set():
        raise Stopped


class _Budget:
    """stamina's ``on`` hook for one request: whether a failure is tried again, and after how long."""

    def __init__(self, policy: Policy, transient: tuple[type[BaseException], ...]) -> None:
        self.policy = policy
        self.transient = transient
        self.tries = 1  # the first try has been made when the hook is first asked
        self.failures = 0
        self.throttles = 0

    def __call__(self, exc: Exception) -> bool | float:
        decision = self._decide(exc)
        what = exc.detail if isinstance(exc, RetryableAnswer) else exc.__class__.__name__
        if decision is False:
            log.info("%s: %s; giving up after %d tries", self.policy.service, what, self.tries)
        else:
            wait = "" if decision is True else f" in {decision:g} s (Retry-After)"
            log.info("%s: %s; asking again%s (try %d)", self.policy.service, what, wait, self.tries)
        return decision

    def _decide(self, exc: Exception) -> bool | float:
        p = self.policy
        if isinstance(exc, RetryableAnswer):
            exc.tries = self.tries
            if exc.status == 429 and p.throttle_retries:
                self.throttles += 1
                if self.throttles > p.throttle_retries:
                    return False
            else:
                self.failures += 1
                if self.failures >= p.attempts:
                    return False
            if exc.retry_after is not None and exc.retry_after > p.retry_after_max:
                exc.refused_wait = exc.retry_after
                return False
            self.tries += 1
            return True if exc.retry_after is None else float(exc.retry_after)
        if self.transient and isinstance(exc, self.transient):
            self.failures += 1
            if self.failures >= p.attempts:
                return False
            self.tries += 1
            return True
        return False


@functools.cache
def _stamina() -> Any:
    import logging

    import stamina

    # stamina logs each scheduled retry at WARNING through the standard library; with no
    # handler configured Python would print it on stderr. Hunter's retries are silent.
    logging.getLogger("stamina").addHandler(logging.NullHandler())
    return stamina


def _context(policy: Policy, budget: _Budget, *, threads: bool = False) -> Any:
    """stamina's retry context for ``policy``; ``threads``: its waits are :func:`_sleep`, which
    :func:`stop_waiting` cuts short. stamina takes no sleep function, so it is handed to tenacity under
    it (the ``sleep`` of ``tenacity.Retrying``) through the context's tenacity arguments;
    tests/test_retry.py fails should a stamina release stop passing them on."""
    ctx = _stamina().retry_context(
        on=budget,
        attempts=policy.attempts + policy.throttle_retries,
        timeout=None,  # bounded by attempts, wait_max and retry_after_max
        wait_initial=policy.wait_initial,
        wait_max=policy.wait_max,
        wait_jitter=policy.jitter,
    )
    if threads and isinstance(getattr(ctx, "_t_kw", None), dict):
        ctx._t_kw["sleep"] = _sleep
    return ctx


def call(policy: Policy, fn: Callable[[], T], *, transient: tuple[type[BaseException], ...] = ()) -> T:
    """``fn()``, tried again under ``policy`` while it raises :class:`RetryableAnswer` or a ``transient`` error.

    Returns what ``fn`` returns; after the last try re-raises the last exception
    (a :class:`RetryableAnswer` then carries ``tries`` and ``refused_wait``).
    Any other exception passes through at once.
    """
    if _stop.is_set():
        raise Stopped
    try:
        return fn()
    except RetryableAnswer as exc:
        first: BaseException | None = exc
    except transient as exc:
        first = exc
    budget = _Budget(policy, transient)
    for attempt in _context(policy, budget, threads=True):
        with attempt:
            if first is not None:  # the first try's failure, so stamina decides and waits
                failed, first = first, None
                raise failed
            return fn()
    raise AssertionError("unreachable: stamina re-raises after the last try")


async def acall(
    policy: Policy, fn: Callable[[], Awaitable[T]], *, transient: tuple[type[BaseException], ...] = ()
) -> T:
    """:func:`call` for a coroutine function; the waits are ``asyncio.sleep``."""
    try:
        return await fn()
    except RetryableAnswer as exc:
        first: BaseException | None = exc
    except transient as exc:
        first = exc
    budget = _Budget(policy, transient)
    async for attempt in _context(policy, budget):
        with attempt:
            if first is not None:
                failed, first = first, None
                raise failed
            return await fn()
    raise AssertionError("unreachable: stamina re-raises after the last try")


def hold(seconds: float) -> None:
    """Wait ``seconds`` that a server asked for outside a retry (another worker's ``Retry-After``).

    Skipped in stamina's test mode, like the retries' own waits; :class:`Stopped` after :func:`stop_waiting`.
    """
    if not _stamina().is_testing():
        _sleep(seconds)
    elif _stop.is_set():
        raise Stopped


def holding() -> bool:
    """False in stamina's test mode, where :func:`hold` and the tenant lane's pauses skip their waits."""
    return not _stamina().is_testing()


__all__ = [
    "DATAVERSE",
    "PARTNER_CENTER",
    "RDAP",
    "TENANT",
    "Policy",
    "RetryableAnswer",
    "Stopped",
    "acall",
    "call",
    "hold",
    "holding",
    "parse_retry_after",
    "resume_waiting",
    "stop_waiting",
    "waiting_stopped",
]
