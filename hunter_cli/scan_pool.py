"""Scanning on every core: the run's domains shared out to scan worker processes.

One Python process scans at most one core's worth of domains: c-ares' Python
layer, parsing, SPF evaluation, classification, scoring and JSON all hold its
interpreter lock (docs/performance.md, "Both cores"). For a bulk list,
:class:`ScanPool` starts ``processes`` worker interpreters, each with its own
resolver channel and caches, and hands each domain to the worker with the
fewest domains in flight. Everything else stays in the scanning run's process
(:func:`hunter_cli.scan.scan_many`): the input, the concurrency limit, the
resolver checks (preflight and the denial monitor), the tenant lookups, the
registration lane, the tally and the hand-off to the store's writer. So a
worker only ever turns a :class:`~hunter_cli.scan.ScanJob` into the JSON of its
:class:`~hunter_cli.models.DomainResult`, exactly what an in-process scan of the
same job gives.

The tenant lookups run in the run's process, one client with the whole ceiling
(:attr:`ScanPool.tenants`): the lookup starts as the job goes to its worker, the
worker's DNS runs meanwhile and its scan waits for the answer, which follows the
job down the same pipe. Measured (docs/performance.md, "Tenant lane"): a
request cost a busy scan worker about twice the CPU it costs the run's quieter
process, and slots held by a busy worker's slow turns of its event loop left the
lane's ceiling half used. A result that comes back first (a domain not in DNS)
drops a lookup not yet answered.

Frames on the pipes are a 4-byte big-endian length and a pickle. A worker is a
fresh interpreter (not a fork: the run holds a lock file, a database connection
and, under tests, server threads), in its own session so that Ctrl-C at the
terminal reaches the run only, which then closes the workers' pipes: a worker
that reads the end of its pipe cancels what it has in flight, reports how many
DNS questions it sent and exits. It does the same when the run dies (``kill -9``).
A worker that dies (killed, out of memory) fails the run with :class:`WorkerLost`; an
exception inside a worker (a bug) fails it with :class:`WorkerError`, which carries the
worker's traceback.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import pickle
import struct
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import DomainResult
    from .scan import ScanJob, ScanOptions

_HEADER = struct.Struct(">I")
_BATCH = 64  # jobs or results per frame at most
_CLOSE_WAIT = 5.0  # seconds a worker gets to stop after its pipe closes, before it is killed


class WorkerLost(Exception):
    """A scan worker process ended before answering (killed, out of memory); the run fails in one sentence."""


class WorkerError(RuntimeError):
    """A scan worker raised an unexpected exception (a bug); the message carries its traceback."""


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_processes() -> int:
    """Scan worker processes when nothing says: one per usable CPU, at most 4 (measured in
    docs/performance.md, "Scan workers"); 1 on a single CPU, where a worker would only add a hand-off."""
    return max(1, min(usable_cpus(), 4))


@functools.cache
def _missing() -> Any:
    from .scan import MISSING  # not at the top: `hunter --help` imports this module, not the scan

    return MISSING


def _frame(obj: Any) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


async def _read_frame(reader: asyncio.StreamReader) -> Any:
    """The next frame's object; None at the end of the pipe (also when it ends mid-frame)."""
    try:
        head = await reader.readexactly(_HEADER.size)
        return pickle.loads(await reader.readexactly(_HEADER.unpack(head)[0]))
    except asyncio.IncompleteReadError:
        return None


async def _pipe_streams(rfd: int, wfd: int) -> tuple[asyncio.StreamReader, asyncio.WriteTransport]:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 24, loop=loop)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader, loop=loop), os.fdopen(rfd, "rb", 0))
    transport, _ = await loop.connect_write_pipe(asyncio.Protocol, os.fdopen(wfd, "wb", 0))
    return reader, transport


class _Worker:
    """The run's side of one worker: its process, its pipes and the jobs it holds."""

    def __init__(self, child, reader: asyncio.StreamReader, transport: asyncio.WriteTransport) -> None:
        self.child = child
        self.reader = reader
        self.transport = transport
        self.waiting: dict[int, asyncio.Future] = {}
        self.outbox: list[tuple[int, ScanJob, bool]] = []  # (ident, job, its tenant answer follows)
        self.answers: list[tuple[int, Any]] = []  # (ident, tenant_outcome) not yet sent
        self.queries_sent = 0
        self.done = False
        self.task: asyncio.Task | None = None

    def lost(self) -> str:
        """One sentence for a run that lost this worker."""
        import subprocess

        try:  # its pipe has just closed: the exit status follows within moments
            code = self.child.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            code = None
        how = f" (killed by signal {-code})" if code is not None and code < 0 else ""
        return (
            f"a scan worker process ended unexpectedly{how}; the results received before it ended are stored."
            " Scan again to finish the list (--processes 1 scans in one process)"
        )

    def flush(self) -> None:
        while self.outbox:  # jobs first: an answer never reaches a worker before its job
            chunk, self.outbox = self.outbox[:_BATCH], self.outbox[_BATCH:]
            if not self.transport.is_closing():
                self.transport.write(_frame(chunk))
        while self.answers:
            answers, self.answers = self.answers[:_BATCH], self.answers[_BATCH:]
            if not self.transport.is_closing():
                self.transport.write(_frame(("tenants", answers)))


class ScanPool:
    """``processes`` scan worker processes for one run; :meth:`scan` is :meth:`Scanner.scan` on another core.

    Use as ``pool = await ScanPool.start(options, n)``, then ``await pool.scan(job)``
    (many at once), then ``await pool.close()``. ``queries_sent`` counts the DNS
    questions every worker sent (known after :meth:`close`). :meth:`scan` raises
    :class:`WorkerLost` when the worker holding the job ends, :class:`WorkerError` when
    scanning the job raised in the worker.
    """

    def __init__(self, workers: list[_Worker]) -> None:
        self.workers = workers
        self.tenants: Any = None  # the run's TenantClient: jobs with no cached tenant are asked about here
        self._next_id = 0
        self._flush_due = False
        self._closed = False

    @classmethod
    async def start(cls, options: ScanOptions, processes: int) -> ScanPool:
        """Start the workers (each a fresh interpreter importing the scan); OSError when one cannot start."""
        import dataclasses

        level = logging.getLogger("hunter").getEffectiveLevel()
        share = dataclasses.replace(
            options,
            resolver_check=False,  # the run checks the resolver once, for every worker
        )
        workers: list[_Worker] = []
        try:
            for _ in range(processes):
                workers.append(await _start_worker(share, processes, level))
        except BaseException:
            await cls(workers).close()
            raise
        pool = cls(workers)
        for w in workers:
            w.task = asyncio.ensure_future(pool._receive(w))
        return pool

    @property
    def queries_sent(self) -> int:
        return sum(w.queries_sent for w in self.workers)

    async def scan(self, job: ScanJob) -> tuple[DomainResult, str]:
        """The job's result and its JSON text, scanned by the worker with the fewest jobs in flight."""
        if self._closed:
            raise WorkerLost("the scan worker processes have stopped")
        worker = min(self.workers, key=lambda w: len(w.waiting) + (1_000_000 if w.done else 0))
        if worker.done:
            raise WorkerLost(worker.lost())
        self._next_id += 1
        ident = self._next_id
        fut = asyncio.get_running_loop().create_future()
        worker.waiting[ident] = fut
        lookup = None
        if self.tenants is not None and job.tenant is _missing():
            from .scan import tenant_outcome

            lookup = asyncio.ensure_future(tenant_outcome(self.tenants, job.domain))
            lookup.add_done_callback(functools.partial(self._answer, worker, ident))
        worker.outbox.append((ident, job, lookup is not None))
        self._flush_soon()
        try:
            return await fut
        finally:
            worker.waiting.pop(ident, None)
            if lookup is not None:  # the result came first (not in DNS), or the run stops: ended before
                from .scan import end_tasks  # the run closes the tenant client (nothing fails after the summary)

                await end_tasks([lookup])

    def _answer(self, worker: _Worker, ident: int, lookup: asyncio.Future) -> None:
        """A tenant lookup ended: its outcome goes to the worker scanning the job."""
        fut = worker.waiting.get(ident)
        if lookup.cancelled():
            return
        exc = lookup.exception()  # retrieved even when nobody waits for it any more
        if fut is None or fut.done():
            return
        if exc is not None:  # a bug, not a failed lookup (those are outcomes): the domain fails as in a worker
            fut.set_exception(exc)
            return
        worker.answers.append((ident, lookup.result()))
        self._flush_soon()

    def _flush_soon(self) -> None:
        if not self._flush_due:  # one frame per worker per pass of the event loop
            self._flush_due = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_due = False
        for w in self.workers:
            w.flush()

    async def _receive(self, worker: _Worker) -> None:
        from .models import DomainResult

        while True:
            msg = await _read_frame(worker.reader)
            if msg is None:
                break
            kind = msg[0]
            if kind == "results":
                for ident, text, raw in msg[1]:
                    fut = worker.waiting.get(ident)
                    if fut is None or fut.done():
                        continue  # cancelled here (the run stopped, or stopped trusting the resolver)
                    result = DomainResult.model_validate_json(text)
                    result.raw = raw
                    fut.set_result((result, text))  # the writer stores and --json prints this text as sent
            elif kind == "failed":
                fut = worker.waiting.get(msg[1])
                if fut is not None and not fut.done():
                    fut.set_exception(WorkerError(f"scanning {msg[2]} failed in a scan worker process:\n{msg[3]}"))
            elif kind == "log":
                _, level, name, text = msg
                logging.getLogger(name).log(level, "%s", text)
            elif kind == "done":
                worker.queries_sent = msg[1]
                break
        worker.done = True  # said "done" (the run closed its pipe), or vanished: either way, nothing more comes
        for fut in worker.waiting.values():
            if not fut.done():
                fut.set_exception(WorkerLost(worker.lost()))

    async def close(self) -> None:
        """Stop every worker (what they hold in flight is cancelled) and wait for them, killing any that hang."""
        self._closed = True
        loop = asyncio.get_running_loop()
        for w in self.workers:
            w.outbox.clear()
            w.transport.close()
        for w in self.workers:
            if w.task is not None:
                try:
                    await asyncio.wait_for(asyncio.shield(w.task), _CLOSE_WAIT)
                except (asyncio.TimeoutError, Exception):  # noqa: BLE001 - a worker that hangs is killed below
                    pass
            try:
                await asyncio.wait_for(loop.run_in_executor(None, w.child.wait), _CLOSE_WAIT)
            except asyncio.TimeoutError:
                w.child.kill()
                await loop.run_in_executor(None, w.child.wait)
            if w.task is not None and not w.task.done():
                w.task.cancel()


async def _start_worker(options: ScanOptions, processes: int, level: int) -> _Worker:
    from .child import start_child

    child, to_child, from_child = start_child("hunter_cli.scan_pool:_worker_main", [processes, level])
    reader, transport = await _pipe_streams(from_child, to_child)
    transport.write(_frame(options))
    return _Worker(child, reader, transport)


class _Forward(logging.Handler):
    """Hands the worker's log records to the run, which writes them through its own handlers."""

    def __init__(self, send: Callable[[tuple], None]) -> None:
        super().__init__()
        self.send = send

    def emit(self, record: logging.LogRecord) -> None:
        self.send(("log", record.levelno, record.name, record.getMessage()))


def _worker_main() -> None:
    """A scan worker process: jobs in, results' JSON out, until its pipe from the run ends."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the run stops on these and closes the pipe
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    processes, level, rfd, wfd = json.loads(sys.argv[1])
    from .services.scan import run_async

    run_async(_serve(rfd, wfd, processes, level))
    os._exit(0)


async def _serve(rfd: int, wfd: int, processes: int, level: int) -> None:
    import traceback

    from .dns.resolver import open_resolver
    from .scan import Scanner, cancel_all

    reader, transport = await _pipe_streams(rfd, wfd)
    options = await _read_frame(reader)
    if options is None:
        return
    loop = asyncio.get_running_loop()
    out: list = []  # result rows not yet sent
    other: list[tuple] = []  # failures and log records not yet sent
    due = [False]

    def flush() -> None:
        due[0] = False
        if transport.is_closing():
            out.clear()
            other.clear()
            return
        while out:
            chunk = out[:_BATCH]
            del out[:_BATCH]
            transport.write(_frame(("results", chunk)))
        for msg in other:
            transport.write(_frame(msg))
        other.clear()

    def send(msg: tuple) -> None:
        other.append(msg)
        if not due[0]:
            due[0] = True
            loop.call_soon(flush)

    hunter_log = logging.getLogger("hunter")
    hunter_log.setLevel(level)
    hunter_log.propagate = False
    hunter_log.addHandler(_Forward(send))

    resolver = await open_resolver(options.resolver)
    scanner = Scanner(resolver, options, None, None)  # no tenant client: the run asks and sends the answers
    running: set[asyncio.Task] = set()
    asked: dict[int, asyncio.Future] = {}  # ident -> where the run's tenant answer for that job goes

    def finished(task: asyncio.Task, *, ident: int, domain: str) -> None:
        running.discard(task)
        asked.pop(ident, None)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            text = "".join(traceback.format_exception(exc))
            send(("failed", ident, domain, text))
            return
        result = task.result()
        out.append((ident, result.model_dump_json(), result.raw))
        if not due[0]:
            due[0] = True
            loop.call_soon(flush)

    try:
        while True:
            msg = await _read_frame(reader)
            if msg is None:
                break
            if isinstance(msg, tuple) and msg[0] == "tenants":
                for ident, outcome in msg[1]:
                    answer = asked.pop(ident, None)
                    if answer is not None and not answer.done():  # else the scan ended first (not in DNS)
                        answer.set_result(outcome)
                continue
            for ident, job, tenant_follows in msg:
                answer = None
                if tenant_follows:
                    answer = asked[ident] = loop.create_future()
                task = asyncio.ensure_future(scanner.scan(job, answer))
                running.add(task)
                task.add_done_callback(functools.partial(finished, ident=ident, domain=job.domain))
    finally:
        await cancel_all(running)
        sent = getattr(resolver, "queries_sent", 0)
        await scanner.close()
        await resolver.close()
        flush()
        if not transport.is_closing():
            transport.write(_frame(("done", sent)))
            for _ in range(500):  # until the pipe has taken every frame (the run reads it), at most 5 s
                if transport.is_closing() or not transport.get_write_buffer_size():
                    break
                await asyncio.sleep(0.01)
            transport.close()
