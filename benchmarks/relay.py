"""A latency relay for DNS on loopback: UDP and TCP, a fixed added delay, optional loss.

Sits between Hunter and a loopback DNS server (``tests/dnsserver.py``) and
makes the server look far away and the network lossy::

    python benchmarks/relay.py --upstream 127.0.0.1:5353 --delay-ms 30 --loss 5

prints ``READY host:port`` (the address to give ``hunter scan -n``) and relays
until SIGTERM/SIGINT, ``--max-seconds`` or ``--max-packets``, then prints one
``STATS {...}`` JSON line (datagrams relayed and dropped, TCP connections).

* **Delay**: every answer (UDP datagram or TCP bytes from the server) is held
  ``--delay-ms`` before it goes back, so each query's round trip grows by that
  much; queries go to the server at once.
* **Loss** (UDP only; TCP is reliable): each datagram, query or answer, is
  dropped with probability ``--loss`` percent, drawn from a generator seeded
  with ``--seed`` (so a query's round trip is lost with about twice that
  probability). TCP is relayed whole, with the same delay on answers.
* **Loopback only**: both the listening and the upstream address must be
  loopback addresses (127.0.0.0/8, ::1); anything else is refused at start.
* **Bounded**: the relay stops by itself after ``--max-seconds`` (default
  1800) or ``--max-packets`` UDP datagrams (default 50 million), so a
  forgotten relay does not run for ever.

Each client address gets its own connected upstream UDP socket, so answers go
back to the socket that asked (c-ares uses several).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import random
import signal
import socket
import sys
import time


def loopback_addr(text: str) -> tuple[str, int]:
    """``HOST:PORT`` or ``[V6]:PORT`` -> (host, port); ValueError unless the host is a loopback address."""
    if text.startswith("["):
        host, _, port = text[1:].partition("]:")
    else:
        host, _, port = text.rpartition(":")
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"{text}: not a loopback address")
    return host, int(port)


class Relay:
    """The UDP and TCP relay; counters are read for the STATS line."""

    def __init__(self, upstream: tuple[str, int], delay: float, loss: float, seed: int, max_packets: int) -> None:
        self.upstream = upstream
        self.delay = delay
        self.loss = loss
        self.rng = random.Random(seed)
        self.max_packets = max_packets
        self.loop = asyncio.get_running_loop()
        self.done = asyncio.Event()
        self.family = socket.AF_INET6 if ":" in upstream[0] else socket.AF_INET
        self.clients: dict[tuple, socket.socket] = {}
        self.listen: socket.socket | None = None
        self.stats = {"queries": 0, "answers": 0, "dropped_queries": 0, "dropped_answers": 0, "tcp_connections": 0}

    # ---- UDP ---------------------------------------------------------------

    def _lost(self) -> bool:
        return self.loss > 0 and self.rng.random() * 100 < self.loss

    def open_udp(self, host: str, port: int) -> tuple[str, int]:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        sock.bind((host, port))
        sock.setblocking(False)
        self.listen = sock
        self.loop.add_reader(sock, self._from_client)
        return sock.getsockname()[:2]

    def _count(self) -> None:
        if self.stats["queries"] + self.stats["answers"] >= self.max_packets:
            self.done.set()

    def _from_client(self) -> None:
        assert self.listen is not None
        while True:
            try:
                data, addr = self.listen.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            self.stats["queries"] += 1
            self._count()
            if self._lost():
                self.stats["dropped_queries"] += 1
                continue
            up = self.clients.get(addr)
            if up is None:
                up = socket.socket(self.family, socket.SOCK_DGRAM)
                up.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024 * 1024)
                up.connect(self.upstream)
                up.setblocking(False)
                self.clients[addr] = up
                self.loop.add_reader(up, self._from_server, up, addr)
            try:
                up.send(data)
            except OSError:
                pass

    def _from_server(self, up: socket.socket, addr: tuple) -> None:
        while True:
            try:
                data = up.recv(65535)
            except (BlockingIOError, InterruptedError, ConnectionRefusedError):
                return
            self.stats["answers"] += 1
            self._count()
            if self._lost():
                self.stats["dropped_answers"] += 1
                continue
            self.loop.call_later(self.delay, self._send_back, data, addr)

    def _send_back(self, data: bytes, addr: tuple) -> None:
        if self.listen is not None:
            try:
                self.listen.sendto(data, addr)
            except OSError:
                pass

    # ---- TCP ---------------------------------------------------------------

    async def tcp_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats["tcp_connections"] += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return

        async def forward() -> None:  # queries: at once
            while data := await reader.read(65535):
                up_writer.write(data)
            up_writer.close()

        async def back() -> None:  # answers: after the delay, in order
            while data := await up_reader.read(65535):
                self.loop.call_later(self.delay, writer.write, data)
            await asyncio.sleep(self.delay)
            writer.close()

        await asyncio.gather(forward(), back(), return_exceptions=True)

    def close(self) -> None:
        for up in self.clients.values():
            self.loop.remove_reader(up)
            up.close()
        if self.listen is not None:
            self.loop.remove_reader(self.listen)
            self.listen.close()
            self.listen = None


async def run(args: argparse.Namespace) -> int:
    host, port = loopback_addr(args.listen)
    upstream = loopback_addr(args.upstream)
    relay = Relay(upstream, args.delay_ms / 1000, args.loss, args.seed, args.max_packets)
    server = None
    for _ in range(1 if port else 20):  # port 0: the system's UDP port may be taken for TCP: try another
        bound = relay.open_udp(host, port)
        try:
            server = await asyncio.start_server(relay.tcp_client, bound[0], bound[1])  # TCP on the same number
        except OSError:
            relay.close()
            if port:
                raise
            continue
        host, port = bound
        break
    if server is None:
        raise SystemExit("no port free for both UDP and TCP on loopback")
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, relay.done.set)
    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    print(f"READY {shown}", flush=True)
    started = time.monotonic()
    try:
        await asyncio.wait_for(relay.done.wait(), timeout=args.max_seconds)
        reason = "signal or packet budget"
    except TimeoutError:
        reason = f"--max-seconds {args.max_seconds}"
    server.close()
    relay.close()
    stats = dict(relay.stats, seconds=round(time.monotonic() - started, 1), stopped_by=reason)
    print("STATS " + json.dumps(stats), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--upstream", required=True, help="the DNS server, HOST:PORT on loopback")
    ap.add_argument("--listen", default="127.0.0.1:0", help="where to listen, HOST:PORT on loopback")
    ap.add_argument("--delay-ms", type=float, default=30.0, help="added to every answer")
    ap.add_argument("--loss", type=float, default=0.0, help="percent of UDP datagrams dropped, each way")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-seconds", type=float, default=1800.0)
    ap.add_argument("--max-packets", type=int, default=50_000_000)
    args = ap.parse_args(argv)
    try:
        loopback_addr(args.listen), loopback_addr(args.upstream)
    except ValueError as exc:
        ap.error(str(exc))
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
