"""`hunter scan` over a far-away, lossy network: the same list at 30 ms RTT without and with 5 % loss.

The bulk-scan zone of ``scan_bench.py`` (same generator, same record mix) is
served by ``tests/dnsserver.py`` in its own process; two latency relays
(``benchmarks/relay.py``) stand in front of it, both adding ``--delay-ms`` to
every answer, one of them dropping ``--loss`` percent of UDP datagrams each way
(queries and answers, so about twice that share of round trips is lost). The
list is scanned once straight against the server to warm its answer caches,
then through the loss-free relay (the reference) and through the lossy one,
each with a fresh database and ``--no-tenant --no-whois``::

    python benchmarks/lossy_dns.py [--domains 20000] [--delay-ms 30] [--loss 5] [--rounds 1]

Issue 15's target: the lossy run keeps at least 0.9 of the loss-free rate and
leaves no domain partial or failed. Each run prints its statuses, the error
kinds of any domain that is not ``ok``, and the datagrams each relay relayed
and dropped. With ``--rounds N`` the two runs alternate N times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import scan_bench  # noqa: E402


def start_relay(upstream: str, delay_ms: float, loss: float, seed: int) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, str(ROOT / "benchmarks" / "relay.py"), "--upstream", upstream]
    cmd += ["--delay-ms", str(delay_ms), "--loss", str(loss), "--seed", str(seed), "--max-seconds", "3600"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        proc.kill()
        raise SystemExit(f"relay did not start: {line!r}")
    return proc, line.split()[1]


def stop_relay(proc: subprocess.Popen) -> dict:
    proc.terminate()
    out, _ = proc.communicate(timeout=30)
    for line in out.splitlines():
        if line.startswith("STATS "):
            return json.loads(line[6:])
    return {}


def scan(domains: Path, db: Path, nameserver: str, extra: list[str]) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "hunter_cli",
        "scan",
        str(domains),
        "--json",
        "--db",
        str(db),
        "--nameserver",
        nameserver,
    ]
    cmd += ["-q", "--no-tenant", "--no-whois", *extra]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUNTER_")}
    started = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    statuses: Counter = Counter()
    kinds: Counter = Counter()
    for line in out.stdout.splitlines():
        r = json.loads(line)
        statuses[r["status"]] += 1
        if r["status"] != "ok":
            kinds.update(f"{e['check']}:{e['kind']}" for e in r["errors"])
    return {"wall": wall, "statuses": dict(statuses), "kinds": dict(kinds), "rc": out.returncode}


def commit() -> str:
    out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "hunter_cli"], capture_output=True, text=True
    )
    return out.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else "")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--domains", type=int, default=20000)
    ap.add_argument("--delay-ms", type=float, default=30.0)
    ap.add_argument("--loss", type=float, default=5.0, help="percent of UDP datagrams dropped, each way")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=None, help="pass --timeout to hunter")
    ap.add_argument("--concurrency", type=int, default=None, help="pass --concurrency to hunter (default: its own)")
    args = ap.parse_args()
    extra = [] if args.timeout is None else ["--timeout", str(args.timeout)]
    extra += [] if args.concurrency is None else ["--concurrency", str(args.concurrency)]
    n = args.domains
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        gen = scan_bench.generate(n, args.seed, work, "lossy")
        server = scan_bench.DNSServer(
            ROOT / "tests" / "dnsserver.py", gen["zone_path"], "127.0.0.1", gen["records"], work / "dns.log"
        )
        server.start(timeout=1800)
        try:
            warm = scan(gen["list_path"], work / "warm.db", server.nameserver, extra)
            print(
                f"{n} domains ({gen['records']} records), commit {commit()}; Python {sys.version.split()[0]},"
                f" {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}"
            )
            print(f"  straight to the server (warm-up)  {n / warm['wall']:7.0f} domains/s  {warm['statuses']}")
            for r in range(args.rounds):
                clean, clean_addr = start_relay(server.nameserver, args.delay_ms, 0.0, args.seed)
                try:
                    lossy, lossy_addr = start_relay(server.nameserver, args.delay_ms, args.loss, args.seed)
                except BaseException:
                    stop_relay(clean)  # never left running behind a bench that stopped
                    raise
                try:
                    ref = scan(gen["list_path"], work / f"ref{r}.db", clean_addr, extra)
                    bad = scan(gen["list_path"], work / f"loss{r}.db", lossy_addr, extra)
                finally:
                    ref_relay, bad_relay = stop_relay(clean), stop_relay(lossy)
                print(f" round {r + 1}")
                print(
                    f"  {args.delay_ms:g} ms, no loss (reference)  {n / ref['wall']:7.0f} domains/s  {ref['statuses']}"
                    f" {ref['kinds'] or ''}"
                )
                print(
                    f"  {args.delay_ms:g} ms, {args.loss:g} % loss each way {n / bad['wall']:7.0f} domains/s"
                    f"  {bad['statuses']} {bad['kinds'] or ''}"
                )
                print(
                    f"  ratio {ref['wall'] / bad['wall']:.2f} (target >= 0.90);"
                    f" not ok under loss: {n - bad['statuses'].get('ok', 0)} (target 0)"
                )
                print(
                    f"  lossy relay: {bad_relay.get('queries')} queries ({bad_relay.get('dropped_queries')} dropped),"
                    f" {bad_relay.get('answers')} answers ({bad_relay.get('dropped_answers')} dropped);"
                    f" reference relay: {ref_relay.get('queries')} queries"
                )
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
