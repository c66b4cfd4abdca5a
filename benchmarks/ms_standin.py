"""A delayed stand-in for Microsoft's sign-in discovery endpoints, for benchmarks.

The same answers as ``tests/msserver.py`` (it renders them with that module's
code), served by one asyncio process that holds every answer ``--delay-ms``
before sending it, as the real service far away would::

    python benchmarks/ms_standin.py --tenants-file t.json --delay-ms 100 [--burst 5:1:2]

prints ``READY http://host:port`` and serves until SIGTERM/SIGINT or
``--max-seconds`` (default 1800), then prints one ``STATS {...}`` JSON line:
requests, 429 answers, the most requests in flight at once and the most
requests that arrived within any one second (so a benchmark can check that
Hunter kept to its ceiling). ``GET /_stats`` gives the same JSON while serving.

``--burst PERIOD:LENGTH:RETRY_AFTER`` throttles like a busy service: in the
first LENGTH seconds of every PERIOD seconds (from start), every request is
answered 429 with ``Retry-After: RETRY_AFTER`` (after the delay too).
Loopback only; HTTP/1.1 keep-alive, one request at a time per connection.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from pathlib import Path
from urllib.parse import unquote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import msserver  # noqa: E402


class StandIn:
    def __init__(self, tenants: dict[str, msserver.Tenant], delay: float, burst: tuple[float, float, int] | None):
        self.tenants = {d.lower(): t for d, t in tenants.items()}
        self.rendered: dict[str, msserver._Rendered] = {}
        self.delay = delay
        self.burst = burst
        self.started = time.monotonic()
        self.in_flight = 0
        self.stats = {"requests": 0, "throttled": 0, "peak_in_flight": 0, "peak_per_second": 0, "connections": 0}
        self._second = -1
        self._this_second = 0
        self._first: float | None = None
        self._last = 0.0

    def _throttling(self) -> bool:
        if self.burst is None:
            return False
        period, length, _ = self.burst
        return (time.monotonic() - self.started) % period < length

    def _count(self) -> None:
        now = time.monotonic()
        self._first = now if self._first is None else self._first
        self._last = now
        self.stats["requests"] += 1
        second = int(now)
        if second != self._second:
            self._second, self._this_second = second, 0
        self._this_second += 1
        self.stats["peak_per_second"] = max(self.stats["peak_per_second"], self._this_second)
        self.in_flight += 1
        self.stats["peak_in_flight"] = max(self.stats["peak_in_flight"], self.in_flight)

    def summary(self) -> dict:
        span = (self._last - self._first) if self._first is not None else 0.0
        return dict(self.stats, mean_per_second=round(self.stats["requests"] / span, 1) if span > 0 else None)

    def _answer(self, target: str) -> tuple[int, bytes, tuple]:
        path, _, query = target.partition("?")
        if path == "/_stats":
            return 200, json.dumps(self.summary()).encode(), ()
        if self._throttling():
            self.stats["throttled"] += 1
            assert self.burst is not None
            return 429, msserver._FAULT_BODIES[429], (("Retry-After", str(self.burst[2])),)
        if path.endswith(msserver._OPENID_SUFFIX):
            domain = unquote(path[1 : -len(msserver._OPENID_SUFFIX)]).lower()
            r = self._render(domain)
            if r is not None:
                return 200, r.openid, ()
            body = msserver._INVALID_TENANT % {
                "tenant": domain,
                "trace": "0",
                "corr": "0",
                "ts": "2026-01-01 00:00:00Z",
            }
            return 400, body.encode(), ()
        if path.lower() == msserver._REALM_PATH:
            login = ""
            for part in query.split("&"):
                k, _, v = part.partition("=")
                if k.lower() == "login":
                    login = unquote(v.replace("+", " "))
            r = self._render(login.rpartition("@")[2].lower())
            if r is not None:
                return 200, r.realm(login), ()
            return 200, msserver._UNKNOWN_HEAD + msserver._jstr(login) + msserver._UNKNOWN_TAIL, ()
        return 404, msserver._NOT_FOUND, ()

    def _render(self, domain: str) -> msserver._Rendered | None:
        t = self.tenants.get(domain)
        if t is None:
            return None
        r = self.rendered.get(domain)
        if r is None:
            r = self.rendered[domain] = msserver._Rendered(domain, t)
        return r

    async def client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats["connections"] += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                target = head.split(b" ", 2)[1].decode("latin-1")
                stats = target.startswith("/_stats")
                if not stats:
                    self._count()
                try:
                    if not stats:
                        await asyncio.sleep(self.delay)
                    status, body, extra = self._answer(target)
                finally:
                    if not stats:
                        self.in_flight -= 1
                lines = [
                    f"HTTP/1.1 {status} {msserver._REASONS.get(status, 'Error')}",
                    "Content-Type: application/json; charset=utf-8",
                    f"Content-Length: {len(body)}",
                    *(f"{k}: {v}" for k, v in extra),
                ]
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
                await writer.drain()
        finally:
            writer.close()


def parse_burst(text: str) -> tuple[float, float, int]:
    period, length, retry_after = text.split(":")
    return float(period), float(length), int(retry_after)


async def serve(args: argparse.Namespace) -> int:
    import ipaddress

    if not ipaddress.ip_address(args.host).is_loopback:
        raise SystemExit(f"{args.host}: not a loopback address")
    tenants: dict[str, msserver.Tenant] = {}
    for path in args.tenants_file:
        tenants.update(msserver.load_tenants(path))
    standin = StandIn(tenants, args.delay_ms / 1000, parse_burst(args.burst) if args.burst else None)
    server = await asyncio.start_server(standin.client, args.host, args.port, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"READY http://{host}:{port}", flush=True)
    try:
        await asyncio.wait_for(done.wait(), timeout=args.max_seconds)
    except TimeoutError:
        pass
    server.close()
    print("STATS " + json.dumps(standin.summary()), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tenants-file", action="append", default=[], metavar="F")
    ap.add_argument("--delay-ms", type=float, default=100.0)
    ap.add_argument("--burst", metavar="PERIOD:LENGTH:RETRY_AFTER", help="429 bursts (seconds)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--max-seconds", type=float, default=1800.0)
    args = ap.parse_args(argv)
    try:
        import uvloop

        return uvloop.run(serve(args))
    except ImportError:
        return asyncio.run(serve(args))


if __name__ == "__main__":
    sys.exit(main())
