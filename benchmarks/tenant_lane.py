"""Does the tenant lane keep up with DNS? `hunter scan` with and without tenant lookups.

A loopback DNS server and a loopback stand-in for the Microsoft sign-in
endpoints (both separate processes, answering at once) serve N synthetic
domains; 40 % of them have a tenant (so they cost two HTTP requests, the rest
one). The same list is scanned twice with fresh databases: DNS only
(`--no-tenant`) as the reference, then with tenant lookups. The issue's target:
the tenant run keeps at least half of the DNS-only rate.

    python benchmarks/tenant_lane.py [--domains 5000] [--tenant-concurrency 16]
"""

from __future__ import annotations

import argparse
import json
import os
import random
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


def scan(domains: Path, db: Path, ns: str, env: dict, extra: list[str]) -> tuple[float, dict]:
    cmd = [
        sys.executable,
        "-m",
        "hunter_cli",
        "scan",
        str(domains),
        "--json",
        "--db",
        str(db),
        "-n",
        ns,
        "-q",
        "--no-whois",
        *extra,
    ]
    t = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t
    statuses: dict = {}
    for line in out.stdout.splitlines():
        s = json.loads(line)["status"]
        statuses[s] = statuses.get(s, 0) + 1
    return dt, statuses


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--domains", type=int, default=5000)
    ap.add_argument("--tenant-concurrency", type=int, default=16)
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
        ms, url = start(
            [sys.executable, str(ROOT / "tests" / "msserver.py"), "--tenants-file", str(work / "t.json"), "--no-log"],
            "sign-in stand-in",
        )
        try:
            env = dict(os.environ, HUNTER_MS_LOGIN_URL=url, NO_COLOR="1")
            scan(work / "d.txt", work / "warm.db", ns, env, ["--no-tenant"])  # warm the DNS server's answer cache
            dns_t, dns_s = scan(work / "d.txt", work / "a.db", ns, env, ["--no-tenant"])
            ten_t, ten_s = scan(
                work / "d.txt", work / "b.db", ns, env, ["--tenant-concurrency", str(args.tenant_concurrency)]
            )
        finally:
            dns.terminate()
            ms.terminate()
    n = args.domains
    print(f"{n} domains, {len(tenants)} with a tenant; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"  DNS only (reference)     {n / dns_t:7.0f} domains/s  {dns_s}")
    print(
        f"  DNS + tenant lookups     {n / ten_t:7.0f} domains/s  {ten_s} "
        f" (--tenant-concurrency {args.tenant_concurrency})"
    )
    print(f"  ratio                    {dns_t / ten_t:7.2f}  (target >= 0.50)")


if __name__ == "__main__":
    main()
