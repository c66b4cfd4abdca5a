"""How fast Hunter asks the Microsoft sign-in service: adaptive concurrency under two fixed ceilings.

The number of requests allowed in flight (``limit``) adapts to the service's
answers, the way TCP's congestion control adapts to a network (RFC 5681:
slow start, then additive increase, multiplicative decrease):

* an answer that is not 429 or 5xx and comes back *fast* (within twice the
  fastest answer seen, plus 50 ms of event-loop slack) raises the limit: by one
  per answer until the first throttle (doubling it every round trip), by
  ``1/limit`` per answer after it (one more per round trip);
* a 429, a 5xx, a timeout or a refused connection halves it (never below 1),
  once per round trip: answers to requests sent before the last cut do not cut
  again, so a burst of 429s to requests already in flight counts as one;
* ``Retry-After`` on such an answer (RFC 9110 section 10.2.3) holds every new
  request until it has passed (at most ``retry_after_max`` seconds: a longer
  wait fails the request under the retry policy instead);
* a slow answer changes nothing.

Whatever it learns, Hunter never has more than ``ceiling`` requests in flight
nor sends more than ``rate`` in any one second (a sliding window of send
times): the polite client's ceiling (docs/tenant.md). A send time is when the
request goes, not when its slot was granted: a waiter is granted its slot in
one turn of the event loop and sends in a later one, and a loop that stalls in
between (a bulk scan parsing DNS answers, a starved machine) would otherwise
send late requests that had already left the window, and the next second's
right behind them. From its grant until it goes, a request counts as sent now.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from .. import retry

FAST_SLACK = 0.05  # seconds an answer may take beyond twice the fastest and still count as fast


class Pace:
    """Adaptive limit on requests in flight to one service, under fixed ceilings.

    ``start``: requests allowed in flight at first; ``ceiling``: never more in
    flight; ``rate``: never more sent in any one second; ``retry_after_max``:
    the longest ``Retry-After`` pause (seconds). Use :meth:`acquire` before a
    request and :meth:`done` after its answer (or failure), always in pairs.
    ``cuts`` lists ``(limit before, limit after)`` of every halving and
    ``pauses`` every ``Retry-After`` pause (seconds), for tests and reports.
    """

    def __init__(
        self,
        *,
        start: int = 16,
        ceiling: int = 128,
        rate: float = 1000.0,
        retry_after_max: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ceiling = max(1, ceiling)
        self.limit = float(min(max(1, start), self.ceiling))
        self.rate = max(1, int(rate))
        self.retry_after_max = retry_after_max
        self.clock = clock
        self.in_flight = 0
        self.peak_in_flight = 0
        self.slow_start = True
        self.fastest: float | None = None
        self.paused_until = 0.0
        self.cuts: list[tuple[float, float]] = []
        self.pauses: list[float] = []
        self._last_cut = float("-inf")
        self._sent: deque[float] = deque()  # send times, oldest first
        self._starting = 0  # granted, not yet sent: in the window until they go, then from when they went
        self._waiting: deque[asyncio.Future[None]] = deque()  # FIFO: the first to wait is the first to go
        self._timer: asyncio.TimerHandle | None = None

    def _blocked(self, now: float) -> float | None:
        """None when a request may be sent at ``now``; else 0.0 (wait for a slot to free) or the
        moment a pause or the rate window allows the next one."""
        if now < self.paused_until:
            if retry.holding():
                return self.paused_until
            self.paused_until = 0.0  # stamina's test mode: no real waits (retry.holding)
        if self.in_flight >= int(self.limit):
            return 0.0
        sent = self._sent
        while sent and sent[0] <= now - 1.0:
            sent.popleft()
        over = len(sent) + self._starting - self.rate
        if over >= 0:  # the window frees a place when its first over + 1 sends have left it
            return sent[over] + 1.0 if over < len(sent) else 0.0  # 0.0: when the granted have gone
        return None

    def _hold(self) -> None:
        self.in_flight += 1
        if self.in_flight > self.peak_in_flight:
            self.peak_in_flight = self.in_flight

    async def acquire(self) -> float:
        """Wait for a slot (pause, limit, rate); return the send time to hand to :meth:`done`.

        Requests go in the order they asked. A freed slot is handed to the next waiter at once, in
        the same turn of the event loop, so a busy loop (a bulk scan parsing DNS answers between
        turns) sends as many requests per turn as slots freed, not one."""
        now = self.clock()
        if not self._waiting and self._blocked(now) is None:
            self._hold()
            self._sent.append(now)
            return now
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(granted)
        self._wake()
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():  # granted, then cancelled before it ran: give it back
                self._starting -= 1
                self.abandon()
            else:
                try:
                    self._waiting.remove(granted)
                except ValueError:
                    pass
            raise
        now = self.clock()  # it goes now, however long the loop took to get here since the grant
        self._starting -= 1
        self._sent.append(now)
        if self._waiting:
            self._wake()  # a window held only by the granted may have a place again later
        return now

    def _wake(self) -> None:
        """Grant slots to waiters, first come first served, while the ceilings allow; when a pause or
        the rate window is what holds them, look again when it ends."""
        waiting = self._waiting
        while waiting:
            if waiting[0].done():  # cancelled while it waited
                waiting.popleft()
                continue
            now = self.clock()
            until = self._blocked(now)
            if until is None:
                self._hold()
                self._starting += 1
                waiting.popleft().set_result(None)
                continue
            if until > 0.0 and self._timer is None:
                loop = asyncio.get_running_loop()
                self._timer = loop.call_later(max(0.0, until - now), self._ring)
            return

    def _ring(self) -> None:
        self._timer = None
        self._wake()

    def done(self, sent_at: float, *, throttled: bool = False, retry_after: float | None = None) -> None:
        """A request sent at ``sent_at`` has ended. ``throttled``: 429, 5xx, timeout or connection failure."""
        now = self.clock()
        if throttled:
            if sent_at >= self._last_cut:  # one cut per round trip
                before = self.limit
                self.limit = max(1.0, self.limit / 2)
                self.slow_start = False
                self._last_cut = now
                self.cuts.append((before, self.limit))
            if retry_after is not None and retry_after > 0:
                wait = min(retry_after, self.retry_after_max)
                self.pauses.append(wait)
                self.paused_until = max(self.paused_until, now + wait)
        else:
            took = now - sent_at
            if self.fastest is None or took < self.fastest:
                self.fastest = took
            if took <= 2 * self.fastest + FAST_SLACK and self.limit < self.ceiling:
                self.limit = min(float(self.ceiling), self.limit + (1.0 if self.slow_start else 1.0 / self.limit))
        self.abandon()

    def abandon(self) -> None:
        """A request ended with no answer to learn from (cancelled): free its slot only."""
        self.in_flight -= 1
        self._wake()
