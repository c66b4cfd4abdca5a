"""Does the tenant lane keep up with DNS? `hunter scan` with and without tenant lookups.

A loopback DNS server and a stand-in for the Microsoft sign-in endpoints
(`benchmarks/ms_standin.py`, both separate processes) serve N synthetic
domains; 40 % of them have a tenant. The stand-in holds every answer
`--delay-ms` (default 100 ms, as the real service far away), and with
`--burst PERIOD:LENGTH:RETRY_AFTER` answers 429 in bursts. The same list is
scanned twice with fresh databases: DNS only (`--no-tenant`) as the reference,
then with tenant lookups. Issue 15's target: the tenant run keeps at least 0.8
of the DNS-only rate. The stand-in's own count of requests (most in flight at
once, most in any one second) is printed, to check Hunter kept to its ceiling.

    python benchmarks/tenant_lane.py [--domains 5000] [--delay-ms 100] [--burst 5:1:2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start(cmd: list[str], prefix: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("READY"):
            return proc, line.split()[1].strip()
    proc.kill()
    raise SystemExit(f"{prefix} did not start")


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a live process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scan(domains: Path, db: Path, ns: str, env: dict, extra: list[str]) -> tuple[float, dict, float]:
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
        ns,
        "-q",
        "--no-whois",
        *extra,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    statuses: dict = {}
    for line in out.stdout.splitlines():
        s = json.loads(line)["status"]
        statuses[s] = statuses.get(s, 0) + 1
    return dt, statuses, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--domains", type=int, default=5000)
    ap.add_argument("--tenant-concurrency", type=int, default=None, help="passed on to hunter when given")
    ap.add_argument("--delay-ms", type=float, default=100.0, help="the stand-in's delay before each answer")
    ap.add_argument("--burst", metavar="PERIOD:LENGTH:RETRY_AFTER", help="429 bursts from the stand-in")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        zone, names, tenants = (
            ["$ORIGIN .", "$TTL 300", 'spf.protection.outlook.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"'],
            [],
            {},
        )
        for i in range(args.domains):
            d = f"kiraci{i}.com.tr"
            names.append(d)
            zone.append(f"{d}. MX 0 kiraci{i}-com-tr.mail.protection.outlook.com.")
            zone.append(f'{d}. TXT "v=spf1 include:spf.protection.outlook.com -all"')
            if rnd.random() < 0.4:
                tenants[d] = {"id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)), "brand": f"Kiraci {i}"}
        (work / "z.zone").write_text("\n".join(zone) + "\n")
        (work / "d.txt").write_text("\n".join(names) + "\n")
        (work / "t.json").write_text(json.dumps(tenants))
        dns, ns = start(
            [sys.executable, str(ROOT / "tests" / "dnsserver.py"), "--zone-file", str(work / "z.zone"), "--no-log"],
            "DNS server",
        )
        ms_cmd = [sys.executable, str(ROOT / "benchmarks" / "ms_standin.py"), "--tenants-file", str(work / "t.json")]
        ms_cmd += ["--delay-ms", str(args.delay_ms)] + (["--burst", args.burst] if args.burst else [])
        ms, url = start(ms_cmd, "sign-in stand-in")
        try:
            env = dict(os.environ, HUNTER_MS_LOGIN_URL=url, NO_COLOR="1")
            scan(work / "d.txt", work / "warm.db", ns, env, ["--no-tenant"])  # warm the DNS server's answer cache
            dns_t, dns_s, dns_cpu = scan(work / "d.txt", work / "a.db", ns, env, ["--no-tenant"])
            extra = [] if args.tenant_concurrency is None else ["--tenant-concurrency", str(args.tenant_concurrency)]
            ms_before, dnsd_before = cpu_of(ms.pid), cpu_of(dns.pid)
            ten_t, ten_s, ten_cpu = scan(work / "d.txt", work / "b.db", ns, env, extra)
            ms_cpu, dnsd_cpu = cpu_of(ms.pid) - ms_before, cpu_of(dns.pid) - dnsd_before
        finally:
            dns.terminate()
            ms.terminate()
            stats = {}
            for line in ms.stdout:
                if line.startswith("STATS "):
                    stats = json.loads(line[6:])
    n = args.domains
    print(f"{n} domains, {len(tenants)} with a tenant; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(
        f"commit {commit()}; stand-in delay {args.delay_ms:g} ms" + (f", 429 bursts {args.burst}" if args.burst else "")
    )
    cores = os.cpu_count() or 1
    print(f"  DNS only (reference)     {n / dns_t:7.0f} domains/s  {dns_s}  hunter CPU {dns_cpu:.1f} s")
    print(f"  DNS + tenant lookups     {n / ten_t:7.0f} domains/s  {ten_s}  hunter CPU {ten_cpu:.1f} s")
    print(f"  ratio                    {dns_t / ten_t:7.2f}  (target >= 0.80)")
    print(
        f"  CPU during the tenant run: hunter {ten_cpu:.1f} s, sign-in stand-in {ms_cpu:.1f} s, DNS server"
        f" {dnsd_cpu:.1f} s, together {(ten_cpu + ms_cpu + dnsd_cpu) / (ten_t * cores):.0%} of {cores} CPUs'"
        f" {ten_t:.1f} s; the tenant lane cost hunter {(ten_cpu - dns_cpu) * 1e6 / max(1, stats.get('requests') or 0):.0f}"
        " µs of CPU a request"
    )
    print(
        f"  stand-in: {stats.get('requests')} requests ({stats.get('requests', 0) / n:.2f} a domain),"
        f" {stats.get('throttled')} answered 429; at most {stats.get('peak_in_flight')} in flight,"
        f" {stats.get('peak_per_second')} in one second; mean {stats.get('mean_per_second')}/s"
    )


def commit() -> str:
    out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "hunter_cli"], capture_output=True, text=True
    )
    return out.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else "")


if __name__ == "__main__":
    main()
